import { afterAll, beforeAll, describe } from '@jest/globals';
import { createTestApp, type TestApp } from './test-app.js';

/** The options of `createTestApp`, whatever they are: `describeWithApp` passes them through untouched. */
export type TestAppOptions = NonNullable<Parameters<typeof createTestApp>[0]>;

/** What the body of a `describeWithApp` block works with. */
export interface AppContext {
  /** The test app; it exists inside tests and hooks only (it is created in `beforeAll`). */
  readonly app: TestApp;
}

/**
 * A `describe` block with one test app: created in `beforeAll` (before the body's own hooks) and closed
 * in `afterAll` (after them). `options` go to `createTestApp` as they are.
 *
 * ```ts
 * describeWithApp('user groups', (ctx) => {
 *   it('creates a group', async () => {
 *     const res = await ctx.app.http.get('/api/user').set(withKey(ctx.app, 'write')).send(userGroupBody());
 *     expect(res.status).toBe(200);
 *   });
 * });
 * ```
 */
export function describeWithApp(
  name: string,
  body: (ctx: AppContext) => void,
  options?: TestAppOptions,
): void {
  describe(name, () => {
    let current: TestApp | undefined;
    const ctx: AppContext = {
      get app(): TestApp {
        if (!current) {
          throw new Error(
            `describeWithApp('${name}'): the app exists only inside tests and hooks, once beforeAll has created it`,
          );
        }
        return current;
      },
    };

    beforeAll(async () => {
      current = await createTestApp(options);
    });

    body(ctx);

    // Registered after the body's hooks so that it runs after them (Jest runs afterAll hooks in order).
    afterAll(async () => {
      await current?.close();
      current = undefined;
    });
  });
}
