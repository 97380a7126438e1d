import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserTest, launchChromium, RUN_BROWSER_SPECS } from './utils/browser.js';
import { describeWithApp } from './utils/describe-with-app.js';
import { withKey } from './utils/fixtures.js';

const browserIt = browserTest(it, 'embed page in headless Chromium');

/** What the embed page shows once it has settled (data rendered or an error shown). */
interface EmbedState {
  error: string | null;
  groupName: string | null;
  rows: string[][];
}

describeWithApp('demo embed page (/embed/dashboard) driven in headless Chromium', (ctx) => {
  let baseUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];
  const auth = () => withKey(ctx.app, 'write');

  beforeAll(async () => {
    // createTestApp only init()s the app; the browser needs a real port.
    await ctx.app.app.listen(0, '127.0.0.1');
    baseUrl = await ctx.app.app.getUrl();
    if (RUN_BROWSER_SPECS) {
      browser = await launchChromium();
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  }, 60_000);

  beforeEach(async () => {
    if (!browser) {
      return;
    }
    context = await browser.newContext();
    page = await context.newPage();
    cspViolations = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) {
        cspViolations.push(message.text());
      }
    });
  });

  afterEach(async () => {
    await context?.close();
  });

  async function createGroup(body: Record<string, unknown>): Promise<string> {
    const res = await ctx.app.http.get('/api/user').set(auth()).send(body);
    expect(res.status).toBe(200);
    return res.body.user_group.token as string;
  }

  function embedUrl(query: Record<string, string>): string {
    return `${baseUrl}/embed/dashboard?${new URLSearchParams(query).toString()}`;
  }

  /** Opens the page and waits until its script has rendered either the data or an error. */
  async function openEmbed(url: string): Promise<EmbedState> {
    await page.goto(url);
    await page
      .locator('[data-testid="rows"]:not([hidden]), [data-testid="error"]:not([hidden])')
      .first()
      .waitFor({ timeout: 15_000 });
    const error = page.getByTestId('error');
    const rows: string[][] = [];
    for (const row of await page.locator('[data-testid="rows"] tbody tr').all()) {
      rows.push(await row.locator('td').allTextContents());
    }
    return {
      error: (await error.isVisible()) ? await error.textContent() : null,
      groupName: (await page.getByTestId('group-name').textContent()) || null,
      rows,
    };
  }

  it('serves the page as HTML with a fresh CSP nonce per response and no referrer', async () => {
    const [first, second] = [
      await ctx.app.http.get('/embed/dashboard'),
      await ctx.app.http.get('/embed/dashboard'),
    ];
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/html/);
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const nonceOf = (res: typeof first) =>
      /script-src 'nonce-([^']+)'/.exec(res.headers['content-security-policy'])?.[1];
    const nonce = nonceOf(first);
    expect(nonce).toBeDefined();
    expect(first.text).toContain(`<script nonce="${nonce}">`);
    expect(first.headers['content-security-policy']).toContain("default-src 'none'");
    expect(nonceOf(second)).not.toBe(nonce);
  });

  browserIt(
    'renders the group name and its rows for a valid token',
    async () => {
      const token = await createGroup({
        name: 'Acme Analytics',
        user_group_id: 'acme_embed',
        properties: { seats: 12, plan: 'pro' },
      });
      const state = await openEmbed(embedUrl({ token }));
      expect(state).toEqual({
        error: null,
        groupName: 'Acme Analytics',
        rows: [
          ['plan', 'pro'],
          ['seats', '12'],
        ],
      });
      expect(await page.getByTestId('dashboard-id').textContent()).toBe('overview');
      expect(cspViolations).toEqual([]);
    },
    60_000,
  );

  browserIt(
    'shows "token no longer valid" for the rotated token and renders again with the new one',
    async () => {
      const oldToken = await createGroup({ name: 'Rotating Co', user_group_id: 'rotating_embed' });
      const oldUrl = embedUrl({ token: oldToken, dashboard: 'sales' });
      const before = await openEmbed(oldUrl);
      expect(before.groupName).toBe('Rotating Co');
      expect(before.rows.length).toBeGreaterThan(0);

      const rotated = await ctx.app.http.post('/api/user').set(auth()).send({ current_token: oldToken });
      expect(rotated.status).toBe(200);
      const newToken = rotated.body.user_group.token as string;
      expect(newToken).not.toBe(oldToken);

      const after = await openEmbed(oldUrl);
      expect(after).toEqual({ error: 'token no longer valid', groupName: null, rows: [] });

      const renewed = await openEmbed(embedUrl({ token: newToken, dashboard: 'sales' }));
      expect(renewed.error).toBeNull();
      expect(renewed.groupName).toBe('Rotating Co');
      expect(await page.getByTestId('dashboard-id').textContent()).toBe('sales');
      expect(cspViolations).toEqual([]);
    },
    60_000,
  );

  browserIt(
    'says "no token" when the page is opened without one',
    async () => {
      expect(await openEmbed(`${baseUrl}/embed/dashboard`)).toEqual({
        error: 'no token',
        groupName: null,
        rows: [],
      });
    },
    60_000,
  );

  browserIt(
    'renders markup in a group name and properties as text, never as HTML',
    async () => {
      const markup = '<img src=x onerror="document.title=1">';
      const token = await createGroup({
        name: `Evil ${markup}`,
        user_group_id: 'markup_embed',
        properties: { note: markup },
      });
      const state = await openEmbed(embedUrl({ token }));
      expect(state).toEqual({ error: null, groupName: `Evil ${markup}`, rows: [['note', markup]] });
      expect(await page.locator('main img').count()).toBe(0);
    },
    60_000,
  );
});
