import http from 'node:http';

/** What a raw request got back: status, headers and body, or that it timed out. */
export interface RawAnswer {
  status?: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  timedOut: boolean;
  ms: number;
}

/**
 * POSTs to `path` declaring a body of `contentLength` bytes and then sends none of it, so only a server
 * that refuses on the declared length answers before `deadlineMs` (one that reads the body first waits).
 */
export function declareBodyAndStall(
  port: number,
  path: string,
  headers: Record<string, string>,
  contentLength: number,
  deadlineMs = 3000,
): Promise<RawAnswer> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Omit<RawAnswer, 'ms'>) => {
      if (!settled) {
        settled = true;
        clearTimeout(deadline);
        resolve({ ...answer, ms: Math.round(performance.now() - start) });
      }
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(contentLength) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          settle({ status: res.statusCode, headers: res.headers, body, timedOut: false });
          req.destroy();
        });
      },
    );
    req.on('error', () => settle({ headers: {}, body: undefined, timedOut: false }));
    req.flushHeaders();
    const deadline = setTimeout(() => {
      settle({ headers: {}, body: undefined, timedOut: true });
      req.destroy();
    }, deadlineMs);
  });
}
