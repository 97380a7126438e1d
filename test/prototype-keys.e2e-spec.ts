import { expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { withKey } from './utils/fixtures.js';
import { mountedRoutes } from './reliability/support/routes.js';

/** Query strings naming the keys a prototype pollution uses, alone and repeated (`k=a&k=b`, `k[]=a`). */
const QUERIES = [
  '__proto__=abc',
  '__proto__[]=a&__proto__=b',
  '__proto__=a&__proto__=b',
  'constructor=x&constructor[]=y',
  'prototype=x&prototype=y',
];

describeWithApp(
  'prototype keys in query strings',
  (ctx) => {
    it('leave Object.prototype intact on every GET route, and the app answering afterwards', async () => {
      const routes = mountedRoutes(ctx.app.app).filter((r) => r.method === 'GET' && r.params.length === 0);
      expect(routes.length).toBeGreaterThan(10);
      const problems: string[] = [];
      for (const route of routes) {
        for (const query of QUERIES) {
          const res = await ctx.app.http.get(`${route.path}?${query}`).set(withKey(ctx.app, 'write'));
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
      expect(problems).toEqual([]);
      expect((await ctx.app.http.get('/api/v1/channels').set(withKey(ctx.app, 'read'))).status).toBe(200);
    });
  },
  { adapter: 'express' },
);
