import { expect, it } from '@jest/globals';
import { describeWithApp } from '../utils/describe-with-app.js';
import { recordFigure } from './figures.js';
import { KeepAliveClient } from './support/client.js';
import { changedTables, DatabaseFingerprint, dumpDatabase, type TableDump } from './support/database-dump.js';
import { keyAuth, regpackHeaders, type SeededWorkspace, seedWorkspace } from './support/scenario.js';

/** Values no request may set: each is looked for, after every case, in the columns it names. */
const INJECTED_ID = '0192d6a0-dead-7000-8000-00000000beef';
const INJECTED_SUPER = '0192d6a0-dead-7000-8000-0000000050fe';
const INJECTED_DATE = '2001-02-03T04:05:06.000Z';

/** A moment as ISO text, whatever the driver returned (Date, ISO or SQLite text). */
function instant(value: unknown): string | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  const date = value instanceof Date ? value : new Date(String(value).replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** One request trying to set fields its caller must not set. */
interface Case {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Extra read-back: what the stored rows must (not) say; returns the problems. */
  check?: (dump: TableDump[]) => string[];
}

const rowsOf = (dump: TableDump[], table: string) => dump.find((d) => d.table === table)?.rows ?? [];
const isTrue = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';

describeWithApp(
  'mass assignment',
  (ctx) => {
    it('applies none of workspaceId, id, superIdentityId, createdAt, blocked (on create), channelId (on PATCH) or Regpack _fields', async () => {
      const client = await KeepAliveClient.of(ctx.app.app);
      const own: SeededWorkspace = await seedWorkspace(ctx.app, client, ctx.app.workspace);
      const other: SeededWorkspace = await seedWorkspace(ctx.app, client);
      const write = keyAuth(own.writeKey);
      const regpack = regpackHeaders(own.writeKey);
      const secondChannel = (await client.json('POST', '/api/v1/channels', write, { name: 'Second channel' }))
        .json as { id: string };
      /** Every field a caller must not set, in the spellings of the seeds (camelCase and snake_case). */
      const injected = {
        workspaceId: other.id,
        workspace_id: other.id,
        id: INJECTED_ID,
        superIdentityId: INJECTED_SUPER,
        super_identity_id: INJECTED_SUPER,
        createdAt: INJECTED_DATE,
        created_at: INJECTED_DATE,
        updatedAt: INJECTED_DATE,
      };
      const regpackSystem = {
        _clogin_id: 4242,
        _group_id: 4242,
        _status_id: 4242,
        _workspace_id: other.id,
        _created_at: INJECTED_DATE,
        _password_hash: 'x',
      };
      let dump: TableDump[] = [];
      const externalUser = (name: string) =>
        rowsOf(dump, 'identity_external_users').filter((r) => r.external_id === name);

      /** A request with `extra` fields where the caller may put them; `n` keeps names unique. */
      interface Template {
        name: string;
        method: string;
        url: string;
        headers: Record<string, string>;
        build: (extra: Record<string, unknown>, n: number) => unknown;
        /** Fields to try besides the common ones. */
        also?: Record<string, unknown>;
        check?: (dump: TableDump[], n: number) => string[];
      }
      const templates: Template[] = [
        {
          name: 'API key',
          method: 'POST',
          url: '/identity/api-keys',
          headers: write,
          build: (x, n) => ({ name: `ma key ${n}`, scope: 'read', ...x }),
        },
        {
          name: 'Explo get-or-create',
          method: 'GET',
          url: '/api/user',
          headers: write,
          build: (x, n) => ({ name: `ma group ${n}`, user_group_id: `ma_group_${n}`, ...x }),
        },
        {
          name: 'Explo update',
          method: 'PATCH',
          url: '/api/user',
          headers: write,
          build: (x, n) => ({ current_token: own.embedToken, name: `ma renamed ${n}`, ...x }),
        },
        {
          name: 'Dixa create',
          method: 'POST',
          url: '/beta/endusers',
          headers: write,
          build: (x, n) => ({ displayName: `ma user ${n}`, externalId: `ma-user-${n}`, ...x }),
        },
        {
          name: 'Dixa bulk create',
          method: 'POST',
          url: '/beta/endusers/bulk',
          headers: write,
          build: (x, n) => ({ data: [{ displayName: `ma bulk ${n}`, externalId: `ma-bulk-${n}`, ...x }] }),
        },
        {
          name: 'Dixa patch',
          method: 'PATCH',
          url: `/beta/endusers/${own.ids.endusers}`,
          headers: write,
          build: (x, n) => ({ displayName: `ma patched ${n}`, ...x }),
        },
        {
          name: 'Dixa bulk patch',
          method: 'PATCH',
          url: '/beta/endusers',
          headers: write,
          build: (x, n) => ({ data: [{ ...x, id: own.ids.endusers, displayName: `ma bulk patched ${n}` }] }),
        },
        {
          name: 'Dixa custom attribute',
          method: 'POST',
          url: '/beta/custom-attributes',
          headers: write,
          build: (x, n) => ({
            entityType: 'Contact',
            identifier: `ma_attr_${n}`,
            label: `ma attr ${n}`,
            inputDefinition: { _type: 'Text' },
            ...x,
          }),
        },
        {
          name: 'Dixa custom attribute patch',
          method: 'PATCH',
          url: `/beta/custom-attributes/${own.ids['custom-attributes']}`,
          headers: write,
          build: (x, n) => ({ label: `ma relabelled ${n}`, ...x }),
        },
        {
          name: 'Zaia channel',
          method: 'POST',
          url: '/api/v1/channels',
          headers: write,
          build: (x, n) => ({ name: `ma channel ${n}`, ...x }),
        },
        {
          name: 'Zaia channel patch',
          method: 'PATCH',
          url: `/api/v1/channels/${own.ids.channels}`,
          headers: write,
          build: (x, n) => ({ name: `ma channel ${n}`, ...x }),
        },
        {
          name: 'Zaia tier',
          method: 'POST',
          url: '/api/v1/tiers',
          headers: write,
          build: (x, n) => ({ name: `ma tier ${n}`, ...x }),
        },
        {
          name: 'Zaia external user group',
          method: 'POST',
          url: '/api/v1/external-user-groups',
          headers: write,
          build: (x, n) => ({ externalId: `ma-eug-${n}`, name: `ma group ${n}`, ...x }),
        },
        {
          name: 'Zaia create external user',
          method: 'POST',
          url: '/api/v1/external-users',
          headers: write,
          build: (x, n) => ({
            channelId: own.ids.channels,
            externalId: `ma-eu-${n}`,
            identifier: null,
            ...x,
          }),
          also: { blocked: true },
          check: (_dump, n) =>
            externalUser(`ma-eu-${n}`)
              .filter((r) => isTrue(r.blocked))
              .map(() => 'created blocked'),
        },
        {
          name: 'Zaia authenticate',
          method: 'POST',
          url: '/api/v1/external-users/authenticate',
          headers: write,
          build: (x, n) => ({
            channelId: own.ids.channels,
            externalId: `ma-auth-${n}`,
            id: null,
            identifier: null,
            ...x,
          }),
          also: { blocked: true },
          check: (_dump, n) =>
            externalUser(`ma-auth-${n}`)
              .filter((r) => isTrue(r.blocked))
              .map(() => 'created blocked'),
        },
        {
          name: 'Zaia patch external user',
          method: 'PATCH',
          url: `/api/v1/external-users/${own.ids['external-users']}`,
          headers: write,
          build: (x, n) => ({ name: `ma moved ${n}`, ...x }),
          also: { channelId: secondChannel.id },
          check: (d) =>
            rowsOf(d, 'identity_external_users')
              .filter((r) => r.id === own.ids['external-users'] && r.channel_id !== own.ids.channels)
              .map(() => 'channelId applied on PATCH'),
        },
        {
          name: 'Regpack project',
          method: 'POST',
          url: '/reg/api2/projects',
          headers: write,
          build: (x, n) => ({ action: 'create', doc: { name: `ma project ${n}`, ...x }, ...x }),
          also: regpackSystem,
        },
        {
          name: 'Regpack status',
          method: 'POST',
          url: '/reg/api2/statuses',
          headers: write,
          build: (x, n) => ({
            action: 'create',
            group_id: own.groupId,
            status_name: `ma status ${n}`,
            color: '#33aa66',
            ...x,
          }),
        },
        {
          name: 'Regpack create',
          method: 'POST',
          url: '/reg/api2/users',
          headers: regpack,
          build: (x, n) => ({
            action: 'create',
            group_id: own.groupId,
            ...x,
            doc: {
              username: `ma.parent.${n}@example.com`,
              password: 'ma-password-1',
              main_email: `ma.parent.${n}@example.com`,
              first_name: 'Ma',
              last_name: 'Parent',
              ...x,
            },
          }),
          also: regpackSystem,
        },
        {
          name: 'Regpack update',
          method: 'POST',
          url: '/reg/api2/users',
          headers: regpack,
          build: (x, n) => ({
            action: 'update',
            group_id: own.groupId,
            clogin_id: Number(own.parentClogin),
            doc: { last_name: `Updated${n}`, ...x },
          }),
          also: regpackSystem,
        },
      ];
      // each field alone (a whitelist refusing one field must not hide another being applied), then all at once
      const cases: Case[] = [];
      let n = 0;
      for (const template of templates) {
        const fields = { ...injected, ...template.also };
        const variants = [...Object.entries(fields).map(([k, v]) => ({ [k]: v })), fields];
        for (const extra of variants) {
          const at = ++n;
          cases.push({
            name: `${template.name} + ${Object.keys(extra).length > 1 ? 'all' : Object.keys(extra)[0]}`,
            method: template.method,
            url: template.url,
            headers: template.headers,
            body: template.build(extra, at),
            check: template.check ? (d) => template.check!(d, at) : undefined,
          });
        }
      }

      const fingerprint = await DatabaseFingerprint.of(ctx.app.dataSource, {
        identity_api_keys: ['last_used_at'],
      });
      const problems: string[] = [];
      const outcomes: string[] = [];
      for (const c of cases) {
        const before = await fingerprint.take();
        const res = await client.json(c.method, c.url, c.headers, c.body);
        const changed = changedTables(before, await fingerprint.take());
        dump = await dumpDatabase(ctx.app.dataSource);
        outcomes.push(`${c.name}: ${res.status}`);
        if (res.status >= 500) {
          problems.push(`${c.name}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        if (res.status >= 400 && changed.length > 0) {
          problems.push(`${c.name}: refused (${res.status}), yet changed ${changed.join(', ')}`);
        }
        for (const { table, rows } of dump) {
          for (const row of rows) {
            const where = `${c.name}: ${table}`;
            if (row.id === INJECTED_ID) {
              problems.push(`${where}.id set to the injected id`);
            }
            if (row.super_identity_id === INJECTED_SUPER) {
              problems.push(`${where}.super_identity_id set to the injected one`);
            }
            for (const column of ['created_at', 'updated_at']) {
              if (column in row && instant(row[column]) === INJECTED_DATE) {
                problems.push(`${where}.${column} set to the injected date`);
              }
            }
            for (const [key, value] of Object.entries(row)) {
              if (
                typeof value === 'string' &&
                /"_(clogin_id|group_id|status_id|workspace_id|created_at|password_hash)"/.test(value)
              ) {
                problems.push(`${where}.${key} stores a Regpack system field`);
              }
            }
          }
        }
        problems.push(...(c.check?.(dump) ?? []).map((p) => `${c.name}: ${p}`));
      }
      // nothing landed in the other workspace
      const otherRows = dump.flatMap(({ table, rows }) =>
        rows.filter((r) => r.workspace_id === other.id).map((r) => `${table}:${JSON.stringify(r)}`),
      );
      const madeThere = otherRows.filter((r) => r.includes('ma ') || r.includes('ma-') || r.includes('ma_'));
      problems.push(...madeThere.map((r) => `written into the other workspace: ${r.slice(0, 200)}`));
      client.close();

      const tally = new Map<string, number>();
      for (const o of outcomes) {
        const status = o.slice(o.lastIndexOf(' ') + 1);
        tally.set(status, (tally.get(status) ?? 0) + 1);
      }
      recordFigure(
        'mass-assignment cases',
        cases.length,
        `${templates.length} routes, each field alone and all at once; statuses ${JSON.stringify(Object.fromEntries(tally))}`,
      );
      recordFigure('mass-assignment fields applied', problems.length);
      expect(problems).toEqual([]);
      // each case reached its service (or was refused by the whitelist): none answered 401/403/404
      expect(outcomes.filter((o) => / (401|403|404)$/.test(o))).toEqual([]);
    });
  },
  { adapter: 'express' },
);
