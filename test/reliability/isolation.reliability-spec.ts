import { expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { describeWithApp } from '../utils/describe-with-app.js';
import { recordFigure } from './figures.js';
import { KeepAliveClient, type RawResponse } from './support/client.js';
import { changedTables, DatabaseFingerprint, dumpDatabase } from './support/database-dump.js';
import { fillPath, type MountedRoute, mountedRoutes, resourceOf } from './support/routes.js';
import { keyAuth, regpackHeaders, type SeededWorkspace, seedWorkspace } from './support/scenario.js';

/** A well-formed id no workspace has (UUIDv7 layout, as every id the module mints). */
const NONEXISTENT = '0192d6a0-0000-7000-8000-00000000f00d';

/**
 * A valid body for each write route with an id, so a request reaches the lookup (validation would
 * otherwise answer first). A new route with an id fails the spec until it gets one here.
 */
const WRITE_BODIES: Record<string, unknown> = {
  'DELETE /identity/api-keys/:id': undefined,
  'PUT /beta/endusers/:userId': { displayName: 'Replaced by the matrix' },
  'PATCH /beta/endusers/:userId': { displayName: 'Renamed by the matrix' },
  'PATCH /beta/endusers/:userId/custom-attributes': {},
  'PATCH /beta/endusers/:userId/anonymize': undefined,
  'PATCH /beta/custom-attributes/:id': { label: 'Relabelled by the matrix' },
  'DELETE /beta/custom-attributes/:id': undefined,
  'PATCH /api/v1/external-users/:id': { name: 'Renamed by the matrix' },
  'PATCH /api/v1/external-user-groups/:id': { name: 'Renamed by the matrix' },
  'DELETE /api/v1/external-user-groups/:id': undefined,
  'PATCH /api/v1/tiers/:id': { name: 'Renamed by the matrix' },
  'DELETE /api/v1/tiers/:id': undefined,
  'PATCH /api/v1/channels/:id': { name: 'Renamed by the matrix' },
  'DELETE /api/v1/channels/:id': undefined,
};

type Scope = 'write' | 'read' | 'revoked' | 'none';
type Target = 'own' | 'foreign' | 'nonexistent';
const SCOPES: Scope[] = ['write', 'read', 'revoked', 'none'];
const TARGETS: Target[] = ['foreign', 'nonexistent', 'own']; // own last: a write to it may delete it

/** The one status a cell must answer. */
function expectedStatus(route: MountedRoute, scope: Scope, target: Target): number | 'success' {
  if (scope === 'none' || scope === 'revoked') {
    return 401;
  }
  if (scope === 'read' && route.method !== 'GET') {
    return 403;
  }
  return target === 'own' ? 'success' : 404;
}

/** Destructive routes last, so the routes before them still find the resource. */
const order = (route: MountedRoute) =>
  route.method === 'DELETE' ? 2 : route.path.endsWith('/anonymize') ? 1 : 0;

/** The rows of every table that belong to `workspaceId` (a `workspace_id` column), as text. */
async function rowsOf(t: { dataSource: DataSource }, workspaceId: string): Promise<Map<string, string>> {
  const dump = await dumpDatabase(t.dataSource);
  return new Map(
    dump.map(({ table, rows }) => [
      table,
      JSON.stringify(
        rows
          .filter((row) => row.workspace_id === workspaceId || row.id === workspaceId)
          .map((row) => {
            const { last_used_at: _lastUsed, ...rest } = row;
            return JSON.stringify(rest);
          })
          .sort(),
      ),
    ]),
  );
}

describeWithApp(
  'tenant isolation matrix',
  (ctx) => {
    let client: KeepAliveClient;
    let own: SeededWorkspace;
    let foreign: SeededWorkspace;
    let foreignRowsBefore: Map<string, string>;
    let fingerprint: DatabaseFingerprint;
    let foreignGroup: number;
    let foreignClogin: number;
    const failures: string[] = [];
    let cells = 0;
    const parts: string[] = [];
    let leaks = 0;

    const credential = (ws: SeededWorkspace, scope: Scope): Record<string, string> =>
      scope === 'none'
        ? {}
        : keyAuth(scope === 'write' ? ws.writeKey : scope === 'read' ? ws.readKey : ws.revokedKey);

    it('seeds two workspaces with one resource of every kind', async () => {
      client = await KeepAliveClient.of(ctx.app.app);
      own = await seedWorkspace(ctx.app, client, ctx.app.workspace);
      foreign = await seedWorkspace(ctx.app, client);
      // Regpack's numbers count per workspace (both have group_id 1, clogin_id 1 and 2): give the other
      // workspace a project and a person the caller's workspace has no number for.
      const project = await client.json('POST', '/reg/api2/projects', keyAuth(foreign.writeKey), {
        action: 'create',
        doc: { name: 'Foreign only' },
      });
      foreignGroup = Number((project.json as { group_id: string }).group_id);
      const person = await client.json('POST', '/reg/api2/users', regpackHeaders(foreign.writeKey), {
        action: 'create',
        group_id: foreignGroup,
        doc: {
          username: 'foreign.only@example.com',
          main_email: 'foreign.only@example.com',
          password: 'foreign-password-1',
          first_name: 'Fo',
          last_name: 'Reign',
        },
      });
      foreignClogin = Number((person.json as { user_info: { clogin_id: string } }).user_info.clogin_id);
      expect([foreignGroup, foreignClogin]).toEqual([own.groupId + 1, Number(own.childClogin) + 1]);
      foreignRowsBefore = await rowsOf(ctx.app, foreign.id);
      fingerprint = await DatabaseFingerprint.of(ctx.app.dataSource, { identity_api_keys: ['last_used_at'] });
    });

    it('answers every route with an id × (own, foreign, nonexistent) × (write, read, revoked, none) exactly', async () => {
      const routes = mountedRoutes(ctx.app.app)
        .filter((r) => r.params.length > 0 && r.surface !== 'host')
        .sort((a, b) => order(a) - order(b));
      expect(routes.length).toBeGreaterThanOrEqual(20);
      parts.push(`${routes.length} routes with an id × 3 ids × 4 keys`);
      for (const route of routes) {
        const resource = resourceOf(route, route.params.at(-1)!);
        const key = `${route.method} ${route.path}`;
        if (!(resource in own.ids)) {
          failures.push(`${key}: no seeded "${resource}" to aim at (add one to support/scenario.ts)`);
          continue;
        }
        if (route.method !== 'GET' && !(key in WRITE_BODIES)) {
          failures.push(`${key}: no valid body for this write route (add one to WRITE_BODIES)`);
          continue;
        }
        for (const target of TARGETS) {
          const id =
            target === 'own' ? own.ids[resource] : target === 'foreign' ? foreign.ids[resource] : NONEXISTENT;
          // own × write last of all: it may delete or anonymize the resource
          for (const scope of target === 'own' ? [...SCOPES].reverse() : SCOPES) {
            const before = await fingerprint.take();
            const res: RawResponse = await client.json(
              route.method,
              fillPath(route, [id]),
              credential(own, scope),
              WRITE_BODIES[key],
            );
            const changed = changedTables(before, await fingerprint.take());
            cells += 1;
            const expected = expectedStatus(route, scope, target);
            // found, but kept by a domain rule (a channel that still has users): a 409, found all the same
            const ok =
              expected === 'success'
                ? (res.status >= 200 && res.status < 300) || res.status === 409
                : res.status === expected;
            if (!ok) {
              failures.push(
                `${key} ${target} id, ${scope} key: expected ${expected}, got ${res.status} ${res.text.slice(0, 200)}`,
              );
            }
            const wrote = expected !== 'success' && changed.length > 0;
            if (wrote) {
              failures.push(`${key} ${target} id, ${scope} key: refused, yet changed ${changed.join(', ')}`);
            }
            if (target === 'foreign' && ((res.status >= 200 && res.status < 300) || wrote)) {
              leaks += 1;
            }
          }
        }
      }
    });

    it("ids in bodies and tokens: another workspace's project, person, channel and embed token are 404", async () => {
      const write = keyAuth(own.writeKey);
      const cases: [string, string, string, Record<string, string>, unknown, number][] = [
        [
          'Regpack get_info, foreign group_id',
          'POST',
          '/reg/api2/users',
          regpackHeaders(own.writeKey),
          { action: 'get_info', group_id: foreignGroup, clogin_id: 1 },
          404,
        ],
        [
          'Regpack get_info, foreign clogin_id',
          'POST',
          '/reg/api2/users',
          regpackHeaders(own.writeKey),
          { action: 'get_info', group_id: own.groupId, clogin_id: foreignClogin },
          404,
        ],
        [
          'Regpack create_child under a foreign parent',
          'POST',
          '/reg/api2/users',
          regpackHeaders(own.writeKey),
          {
            action: 'create_child',
            group_id: own.groupId,
            connected_to: foreignClogin,
            doc: { first_name: 'Stray', last_name: 'Kid' },
          },
          404,
        ],
        [
          'Regpack status in a foreign project',
          'POST',
          '/reg/api2/statuses',
          write,
          { action: 'create', group_id: foreignGroup, status_name: 'Stray', color: '#33aa66' },
          404,
        ],
        [
          'Zaia authenticate on a foreign channel',
          'POST',
          '/api/v1/external-users/authenticate',
          write,
          { channelId: foreign.ids.channels, externalId: 'stray', id: null, identifier: null },
          404,
        ],
        [
          'Zaia authenticate as a foreign user id',
          'POST',
          '/api/v1/external-users/authenticate',
          write,
          {
            channelId: own.ids.channels,
            externalId: null,
            id: foreign.ids['external-users'],
            identifier: null,
          },
          404,
        ],
        [
          'Explo rotate a foreign embed token',
          'POST',
          '/api/user',
          write,
          { current_token: foreign.embedToken },
          404,
        ],
        [
          'Explo update a foreign embed token',
          'PATCH',
          '/api/user',
          write,
          { current_token: foreign.embedToken, name: 'Stolen' },
          404,
        ],
        [
          'Explo delete a foreign embed token',
          'DELETE',
          '/api/user',
          write,
          { current_token: foreign.embedToken },
          404,
        ],
      ];
      parts.push(`${cases.length} ids in bodies`);
      for (const [name, method, url, headers, body, expected] of cases) {
        const before = await fingerprint.take();
        const res = await client.json(method, url, headers, body);
        const changed = changedTables(before, await fingerprint.take());
        cells += 1;
        if (res.status !== expected || changed.length > 0) {
          failures.push(
            `${name}: expected ${expected} and no write, got ${res.status} ${res.text.slice(0, 200)}${changed.length ? `, changed ${changed.join(', ')}` : ''}`,
          );
          if ((res.status >= 200 && res.status < 300) || changed.length > 0) {
            leaks += 1;
          }
        }
      }
    });

    it("every guard on a host route: another workspace's token acts as that workspace only", async () => {
      const checks: [string, Promise<RawResponse>, (res: RawResponse) => boolean][] = [
        [
          '@ApiKeyAuth',
          client.json('GET', '/whoami', keyAuth(foreign.writeKey)),
          (r) => r.status === 200 && (r.json as { workspaceId: string }).workspaceId === foreign.id,
        ],
        [
          '@ApiKeyAuth write scope',
          client.json('GET', '/whoami/write-scope', keyAuth(foreign.readKey)),
          (r) => r.status === 403,
        ],
        [
          '@UserGroupAuth',
          client.json('GET', '/whoami/user-group', keyAuth(foreign.embedToken)),
          (r) => r.status === 200 && !r.text.includes(own.id) && r.text.includes('group_'),
        ],
        [
          '@UserGroupAuth, a management key is no embed token',
          client.json('GET', '/whoami/user-group', keyAuth(own.writeKey)),
          (r) => r.status === 401,
        ],
        [
          '@ExternalUserAuth',
          client.json('GET', '/assistant/me', { authorization: `Bearer ${foreign.accessToken}` }),
          (r) => r.status === 200 && (r.json as { id: string }).id === foreign.ids['external-users'],
        ],
        [
          '@ExternalUserAuth, a management key is no access token',
          client.json('GET', '/assistant/me', { authorization: `Bearer ${own.writeKey}` }),
          (r) => r.status === 401,
        ],
        [
          '@FamilyUserAuth',
          client.json('GET', '/family/registrations', { authorization: `Bearer ${foreign.sessionToken}` }),
          (r) => r.status === 200 && (r.json as { clogin_id: string }).clogin_id === foreign.parentClogin,
        ],
        [
          '@FamilyUserAuth acting for a person only another workspace has',
          client.json('GET', '/family/registrations', {
            authorization: `Bearer ${own.sessionToken}`,
            'x-acting-for': String(foreignClogin),
          }),
          (r) => r.status === 403,
        ],
        [
          '@FamilyUserAuth, a management key is no session token',
          client.json('GET', '/family/registrations', { authorization: `Bearer ${own.writeKey}` }),
          (r) => r.status === 401,
        ],
      ];
      parts.push(`${checks.length} guard checks`);
      for (const [name, pending, ok] of checks) {
        const res = await pending;
        cells += 1;
        if (!ok(res)) {
          failures.push(`${name}: ${res.status} ${res.text.slice(0, 200)}`);
          if (res.status === 200) {
            leaks += 1;
          }
        }
      }
    });

    it('leaves every row of the other workspace as it was, and records the figures', async () => {
      const after = await rowsOf(ctx.app, foreign.id);
      const changed = [...after.keys()].filter((table) => after.get(table) !== foreignRowsBefore.get(table));
      if (changed.length > 0) {
        leaks += 1;
        failures.push(`the other workspace's rows changed in ${changed.join(', ')}`);
        for (const table of changed) {
          process.stdout.write(
            `\n${table}\nbefore ${foreignRowsBefore.get(table)}\nafter  ${after.get(table)}\n`,
          );
        }
      }
      client.close();
      recordFigure('isolation cells checked', cells, parts.join(', '));
      recordFigure('isolation leaks', leaks, 'foreign id answered 2xx, or a refused request wrote');
      expect(failures).toEqual([]);
      expect(leaks).toBe(0);
    });
  },
  { adapter: 'express' },
);
