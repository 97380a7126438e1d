import { beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { firstStartBanner } from '../src/bootstrap.js';
import type { HttpAdapterName } from '../src/config.js';
import { type AppContext, describeWithApp } from './utils/describe-with-app.js';
import { withKey } from './utils/fixtures.js';
import { declareBodyAndStall } from './utils/raw-http.js';
import { HTTP_ADAPTERS } from './utils/test-app.js';

/** Opens a raw connection, writes `data`, and reports what the server sent until it closed (or the deadline). */
function writeAndWait(
  port: number,
  data: string,
  deadlineMs: number,
): Promise<{ received: string; closed: boolean; ms: number }> {
  const start = Date.now();
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    const deadline = setTimeout(() => {
      resolve({ received, closed: false, ms: Date.now() - start });
      socket.destroy();
    }, deadlineMs);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve({ received, closed: true, ms: Date.now() - start });
    });
  });
}

const REQUEST_TIMEOUT_MS = 1000;

for (const adapter of HTTP_ADAPTERS) {
  describeWithApp(`the demo host on ${adapter}`, (ctx) => theDemoHostOn(adapter, ctx), {
    adapter,
    http: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: REQUEST_TIMEOUT_MS },
  });
}

function theDemoHostOn(adapter: HttpAdapterName, ctx: AppContext): void {
  let port: number;
  const auth = () => withKey(ctx.app, 'write');

  beforeAll(async () => {
    const server = ctx.app.app.getHttpServer() as http.Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  it("reaches Regpack's routes at the documented URLs, with their trailing slash", async () => {
    const project = await ctx.app.http
      .post('/reg/api2/projects/')
      .set(auth())
      .send({ action: 'create', doc: { name: 'Trailing slash' } });
    expect(project.status).toBe(200);
    expect(project.body.group_id).toBeDefined();
  });

  describe('errors raised before any route runs answer in the surface’s shape', () => {
    it('answers a body that does not decode as its Content-Encoding says with 400', async () => {
      const send = (path: string) =>
        ctx.app.http
          .post(path)
          .set(auth())
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .send('{"current_token":"ugt_x","name":"x"}'); // says gzip, is not
      const explo = await send('/api/user');
      expect(explo.status).toBe(400);
      expect(explo.body).toEqual({ success: 0, error: expect.stringContaining('Content-Encoding') });
      const management = await send('/identity/api-keys');
      expect(management.status).toBe(400);
      expect(management.body).toEqual({ message: expect.stringContaining('Content-Encoding') });
    });

    it('refuses a Content-Encoding it cannot decode with 415', async () => {
      const res = await ctx.app.http
        .post('/api/user')
        .set(auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'compress')
        .send('{"current_token":"ugt_x"}');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ success: 0, error: expect.stringContaining('content encoding') });
    });

    it('answers a path parameter whose percent-escape does not decode with 400, before authentication', async () => {
      const res = await ctx.app.http.get('/identity/api-keys/%E0%A4%A'); // no key: the router fails first
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.stringContaining('percent-escape') });
      if (adapter === 'fastify') {
        // Fastify's router decodes the whole path: a bad escape anywhere under a surface is its error.
        const explo = await ctx.app.http.get('/api/user%zz');
        expect(explo.status).toBe(400);
        expect(explo.body).toEqual({ success: 0, error: expect.stringContaining('percent-escape') });
      }
    });

    it('answers a body over the limit with 413', async () => {
      const res = await ctx.app.http
        .post('/api/user')
        .set(auth())
        .send({ current_token: 'x'.repeat(200 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ success: 0, error: expect.stringContaining('larger than') });
    });

    it('answers a body of a type it does not read in the surface’s shape', async () => {
      const res = await ctx.app.http
        .post('/api/user')
        .set(auth())
        .set('Content-Type', 'application/xml')
        .send('<current_token>ugt_x</current_token>');
      // Fastify refuses the type (415); Express leaves the body unread and validation names the field.
      expect(res.status).toBe(adapter === 'fastify' ? 415 : 400);
      expect(res.body).toEqual({
        success: 0,
        error: expect.stringContaining(adapter === 'fastify' ? 'could not be read' : 'current_token'),
      });
    });
  });

  describe('slow and oversized requests', () => {
    it('refuses a declared Content-Length over the body limit at once, before reading the body', async () => {
      for (const [path, shape] of [
        ['/api/user', { success: 0, error: expect.stringContaining('larger than') }],
        ['/identity/api-keys', { message: expect.stringContaining('larger than') }],
      ] as const) {
        const answer = await declareBodyAndStall(port, path, auth(), 50 * 1024 * 1024);
        expect(answer.timedOut).toBe(false);
        expect(answer.status).toBe(413);
        expect(answer.body).toEqual(shape);
        expect(answer.headers.connection).toBe('close');
        expect(answer.ms).toBeLessThan(1000); // an answer, not a timeout (the client waits 3 s)
      }
    });

    it('cuts a request whose body or headers stall at the request timeout', async () => {
      const headers = `POST /api/user HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n`;
      const stalledBody = await writeAndWait(port, `${headers}\r\n{"current_token":`, 8000);
      expect(stalledBody.closed).toBe(true);
      expect(stalledBody.received).toMatch(/^HTTP\/1\.1 408 /);
      const stalledHeaders = await writeAndWait(port, headers, 8000);
      expect(stalledHeaders.closed).toBe(true);
      expect(stalledHeaders.received).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  describe('headers', () => {
    it('sends Cache-Control: no-store with every response that carries a token or a key secret', async () => {
      const created = await ctx.app.http
        .get('/api/user')
        .set(auth())
        .send({ name: 'Cache', user_group_id: 'cache_1' });
      const token: string = created.body.user_group.token;
      const rotated = await ctx.app.http.post('/api/user').set(auth()).send({ current_token: token });
      const newToken: string = rotated.body.user_group.token;
      const patched = await ctx.app.http
        .patch('/api/user')
        .set(auth())
        .send({ current_token: newToken, name: 'C' });
      const key = await ctx.app.http.post('/identity/api-keys').set(auth()).send({ name: 'cache' });
      const dashboard = await ctx.app.http.get('/dashboards/overview/data').query({ token: newToken });
      const embed = await ctx.app.http.get('/embed/dashboard').query({ token: newToken });
      const responses = { created, rotated, patched, key, dashboard, embed };
      for (const [name, res] of Object.entries(responses)) {
        expect([name, res.status < 300, res.headers['cache-control']]).toEqual([name, true, 'no-store']);
      }
    });

    it('sends no X-Powered-By', async () => {
      const responses = [
        await ctx.app.http.get('/health'),
        await ctx.app.http.get('/whoami').set(auth()),
        await ctx.app.http.get('/api/user').set(auth()).send({}),
        await ctx.app.http.get('/identity/api-keys'),
      ];
      for (const res of responses) {
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves the embed page with a CSP whose nonce is the page’s own', async () => {
      const res = await ctx.app.http.get('/embed/dashboard');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const nonce = /script-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
      expect(nonce).toBeDefined();
      expect(res.text).toContain(`<script nonce="${nonce}">`);
    });
  });

  it('serves the OpenAPI document at /docs-json and a page at /docs', async () => {
    const document = await ctx.app.http.get('/docs-json');
    expect(document.status).toBe(200);
    expect(JSON.parse(document.text).paths).toHaveProperty('/api/user');
    expect((await ctx.app.http.get('/docs')).status).toBe(200);
  });
}

describe('the first start banner', () => {
  it('shows a minted key exactly once, and never a key the host gave', () => {
    const secret = 'idk_minted0123456789abcdefghijkl';
    const minted = firstStartBanner({ workspaceId: 'w', secret, given: false }, 'http://localhost:3000');
    expect(minted.split(secret)).toHaveLength(2);
    const given = firstStartBanner({ workspaceId: 'w', secret, given: true }, 'http://localhost:3000');
    expect(given).not.toContain(secret);
  });
});
