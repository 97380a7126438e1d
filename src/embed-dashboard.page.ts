/**
 * The demo embed page, as a string so the build output needs no asset copying. Everything dynamic
 * happens in the browser: the inline script reads `token` (and `dashboard`, default `overview`) from
 * its own URL, calls `GET /dashboards/<id>/data` with `Authorization: Token <token>`, and renders the
 * answer with `textContent` only, so group names and properties are never parsed as HTML. The server
 * interpolates nothing but the per-response CSP nonce.
 */
export function embedDashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Embedded dashboard</title>
<style nonce="${nonce}">
  [hidden] { display: none !important; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2933; background: #f5f7fa; }
  main { max-width: 640px; margin: 32px auto; padding: 24px 28px; background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; }
  .eyebrow { margin: 0; color: #616e7c; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
  h1 { margin: 4px 0 16px; font-size: 24px; }
  .badge { display: inline-block; margin-left: 8px; padding: 1px 8px; border-radius: 999px; background: #e3f8ff; color: #035388; font-size: 12px; vertical-align: middle; }
  table { width: 100%; border-collapse: collapse; }
  th, td { padding: 8px 10px; border-bottom: 1px solid #e4e7eb; text-align: left; }
  th { color: #616e7c; font-weight: 600; font-size: 13px; }
  td:last-child { font-variant-numeric: tabular-nums; }
  .status { color: #616e7c; }
  .error { padding: 12px 14px; border-radius: 6px; background: #ffe3e3; color: #8a041a; }
</style>
</head>
<body>
<main>
  <p class="eyebrow">Dashboard <span data-testid="dashboard-id"></span></p>
  <h1><span data-testid="group-name"></span><span class="badge" data-testid="environment" hidden></span></h1>
  <p class="status" data-testid="status">Loading…</p>
  <p class="error" data-testid="error" role="alert" hidden></p>
  <table data-testid="rows" hidden>
    <thead><tr><th scope="col">Metric</th><th scope="col">Value</th></tr></thead>
    <tbody></tbody>
  </table>
</main>
<script nonce="${nonce}">
(function () {
  'use strict';
  function byTestId(id) {
    return document.querySelector('[data-testid="' + id + '"]');
  }
  function show(id, text) {
    var element = byTestId(id);
    element.textContent = text;
    element.hidden = false;
  }
  function fail(message) {
    byTestId('status').hidden = true;
    show('error', message);
  }
  function render(data) {
    byTestId('status').hidden = true;
    show('group-name', data.userGroup.name);
    show('environment', data.userGroup.environment);
    var body = byTestId('rows').querySelector('tbody');
    data.rows.forEach(function (row) {
      var tr = document.createElement('tr');
      [row.metric, row.value].forEach(function (text) {
        var td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    byTestId('rows').hidden = false;
  }

  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  var dashboard = params.get('dashboard') || 'overview';
  byTestId('dashboard-id').textContent = dashboard;
  if (!token) {
    fail('no token');
    return;
  }
  fetch('/dashboards/' + encodeURIComponent(dashboard) + '/data', {
    headers: { Authorization: 'Token ' + token },
    credentials: 'omit',
    cache: 'no-store',
  })
    .then(function (response) {
      if (response.status === 401 || response.status === 403) {
        return fail('token no longer valid');
      }
      if (!response.ok) {
        return fail('could not load the dashboard (HTTP ' + response.status + ')');
      }
      return response.json().then(render);
    })
    .catch(function () {
      fail('could not load the dashboard');
    });
})();
</script>
</body>
</html>
`;
}
