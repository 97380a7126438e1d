import { expect, it } from '@jest/globals';
import { KeepAliveClient } from './reliability/support/client.js';
import { openApiFields } from './reliability/support/openapi-fields.js';
import { fillPath, isSurfaceError, mountedRoutes, resourceOf } from './reliability/support/routes.js';
import { keyAuth, seedWorkspace } from './reliability/support/scenario.js';
import { describeWithApp } from './utils/describe-with-app.js';

/** Query strings naming the keys a prototype pollution uses, alone and repeated (`k=a&k=b`, `k[]=a`). */
const PROTOTYPE_QUERIES = [
  '__proto__=abc',
  '__proto__[]=a&__proto__=b',
  '__proto__=a&__proto__=b',
  'constructor=x&constructor[]=y',
  'prototype=x&prototype=y',
];

/** Values of the wrong kind for any field: null (which `@IsOptional()` lets through), empty ones, a huge number. */
const ODD_VALUES: unknown[] = [null, '', [], {}, 0, false, 1e308];

/**
 * Deterministic sweeps over every mounted route (the reliability fuzzer's random search found the bugs
 * these pin down): prototype keys in query strings, and odd values in every documented body field.
 */
describeWithApp(
  'input sweeps over every mounted route',
  (ctx) => {
    it('prototype keys in a query leave Object.prototype intact on every GET route, and the app answering', async () => {
      const routes = mountedRoutes(ctx.app.app).filter((r) => r.method === 'GET' && r.params.length === 0);
      expect(routes.length).toBeGreaterThan(10);
      const client = await KeepAliveClient.of(ctx.app.app);
      const problems: string[] = [];
      for (const route of routes) {
        for (const query of PROTOTYPE_QUERIES) {
          const res = await client.json('GET', `${route.path}?${query}`, keyAuth(ctx.app.workspace.writeKey));
          const intact =
            Object.prototype.constructor === Object &&
            Object.getOwnPropertyDescriptor(Object.prototype, '__proto__') !== undefined;
          if (res.status >= 500 || !intact) {
            problems.push(
              `${route.path}?${query} → ${res.status}${intact ? '' : ', Object.prototype damaged'}`,
            );
          }
        }
      }
      client.close();
      expect(problems).toEqual([]);
      expect(
        (await ctx.app.http.get('/api/v1/channels').set(keyAuth(ctx.app.workspace.readKey))).status,
      ).toBe(200);
    });

    it('answers null, empty and huge values in every documented field of every write route with a 4xx or a success, never 5xx', async () => {
      const client = await KeepAliveClient.of(ctx.app.app);
      const ws = await seedWorkspace(ctx.app, client, await ctx.app.createWorkspace('Sweep'));
      const fields = await openApiFields(client);
      const routes = mountedRoutes(ctx.app.app).filter(
        (r) => r.method !== 'GET' && r.method !== 'DELETE' && r.surface !== 'host',
      );
      const problems: string[] = [];
      let sent = 0;
      for (const route of routes) {
        const url = fillPath(
          route,
          route.params.map((p) => ws.ids[resourceOf(route, p)] ?? 'x'),
        );
        for (const field of fields.of(route)) {
          for (const value of ODD_VALUES) {
            const res = await client.json(route.method, url, keyAuth(ws.writeKey), { [field]: value });
            sent += 1;
            if (
              res.status >= 500 ||
              (res.status >= 400 && !isSurfaceError(route.surface, res.status, res.json))
            ) {
              problems.push(
                `${route.method} ${route.path} { ${field}: ${JSON.stringify(value)} } → ${res.status} ${res.text.slice(0, 120)}`,
              );
            }
          }
        }
      }
      client.close();
      expect(sent).toBeGreaterThan(500);
      expect(problems).toEqual([]);
    });
  },
  { adapter: 'express' },
);
