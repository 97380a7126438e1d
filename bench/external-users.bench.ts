// External users in the harness (issue 11):
//  (group 1, the guard on a host route, is in host-routes.bench.ts with the other guards)
//  - for scale.bench.ts (groups 4, 5): seeding n users (with a super identity and an access token each)
//    fast, the list's first page against its deepest (`pageNumber`), and the lookups by externalId and of
//    an access token with the token cache off (one indexed query per check).
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ApiKeysService,
  ChannelsService,
  EXTERNAL_USER_TOKEN_PREFIX,
  ExternalUserEntity,
  ExternalUsersService,
  ExternalUserTokensService,
  mintToken,
  TokenHasher,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { sample, spread, timed } from './harness/measure.js';
import type { Seeder } from './harness/seed.js';

/** Zaia's default page size. */
const PAGE_SIZE = 10;

/** A workspace with two channels, for seedExternalUsers. */
export async function externalUserWorkspace(
  app: INestApplicationContext,
): Promise<{ workspaceId: string; channels: [string, string] }> {
  const workspace = await app.get(WorkspacesService).create('External users at scale');
  const channels = app.get(ChannelsService);
  const even = await channels.create(workspace.id, { name: 'Even' });
  const odd = await channels.create(workspace.id, { name: 'Odd' });
  // A key too, as a host would have: not used by the measurements.
  await app.get(ApiKeysService).create(workspace.id, { name: 'bench', scope: 'read' });
  return { workspaceId: workspace.id, channels: [even.id, odd.id] };
}

/**
 * Adds external users `from + 1 … to` (ordinals as the service numbers them, the counter row at `to`),
 * spread over the two channels, each with a super identity and an unexpired access token whose hash is
 * random: one INSERT … SELECT per table and 250,000 rows (generate_series on PostgreSQL, a recursive CTE
 * on SQLite), in the seeder's transaction. Ids are ordered (as UUIDv7 ids are); token hashes are random. User n has externalId `ext-<n>`.
 */
export async function seedExternalUsers(
  seeder: Seeder,
  workspaceId: string,
  channels: [string, string],
  from: number,
  to: number,
): Promise<void> {
  const { postgres } = seeder;
  for (let start = from; start < to; start += 250_000) {
    const end = Math.min(to, start + 250_000);
    if (postgres) {
      const series = `FROM generate_series($2::int + 1, $3::int) g`;
      await seeder.query(
        `INSERT INTO identity_super_identities (id, workspace_id) SELECT (lpad(to_hex(g), 8, '0') || '-0000-4000-8100-000000000000')::uuid, $1 ${series}`,
        [workspaceId, start, end],
      );
      await seeder.query(
        `INSERT INTO identity_external_users (id, workspace_id, ordinal, channel_id, channel_ordinal, external_id, name, super_identity_id)
         SELECT (lpad(to_hex(g), 8, '0') || '-0000-4000-8200-000000000000')::uuid, $1, g, CASE WHEN g % 2 = 0 THEN $4::uuid ELSE $5::uuid END,
           (g + 1) / 2, 'ext-' || g, 'User ' || g, (lpad(to_hex(g), 8, '0') || '-0000-4000-8100-000000000000')::uuid ${series}`,
        [workspaceId, start, end, channels[0], channels[1]],
      );
      await seeder.query(
        `INSERT INTO identity_external_user_tokens (id, workspace_id, channel_id, external_user_id, hash, prefix, expires_at)
         SELECT (lpad(to_hex(g), 8, '0') || '-0000-4000-8300-000000000000')::uuid, $1, CASE WHEN g % 2 = 0 THEN $4::uuid ELSE $5::uuid END, (lpad(to_hex(g), 8, '0') || '-0000-4000-8200-000000000000')::uuid,
           md5('h' || g) || md5('k' || g), 'eut_seeded', now() + interval '1 day' ${series}`,
        [workspaceId, start, end, channels[0], channels[1]],
      );
    } else {
      const series = `WITH RECURSIVE g(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM g WHERE n < ?)`;
      const uuid = (tag: string) => `printf('%08x-0000-4000-8${tag}00-%012x', n, n)`;
      await seeder.query(
        `${series} INSERT INTO identity_super_identities (id, workspace_id, created_at)
         SELECT ${uuid('1')}, ?, strftime('%Y-%m-%d %H:%M:%f', 'now') FROM g`,
        [start + 1, end, workspaceId],
      );
      await seeder.query(
        `${series} INSERT INTO identity_external_users
           (id, workspace_id, ordinal, channel_id, channel_ordinal, external_id, name, super_identity_id)
         SELECT ${uuid('2')}, ?, n, CASE WHEN n % 2 = 0 THEN ? ELSE ? END, (n + 1) / 2, 'ext-' || n, 'User ' || n, ${uuid('1')}
         FROM g`,
        [start + 1, end, workspaceId, channels[0], channels[1]],
      );
      await seeder.query(
        `${series} INSERT INTO identity_external_user_tokens
           (id, workspace_id, channel_id, external_user_id, hash, prefix, expires_at)
         SELECT ${uuid('3')}, ?, CASE WHEN n % 2 = 0 THEN ? ELSE ? END, ${uuid('2')}, lower(hex(randomblob(32))),
           'eut_seeded', strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 day')
         FROM g`,
        [start + 1, end, workspaceId, channels[0], channels[1]],
      );
    }
  }
  await seeder.query(
    postgres
      ? `INSERT INTO identity_external_user_sequences (workspace_id, last_ordinal) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET last_ordinal = EXCLUDED.last_ordinal`
      : `INSERT INTO identity_external_user_sequences (workspace_id, last_ordinal) VALUES (?, ?)
         ON CONFLICT (workspace_id) DO UPDATE SET last_ordinal = excluded.last_ordinal`,
    [workspaceId, to],
  );
}

/**
 * Real access tokens for `count` of the first `among` users (stored as the module stores them: the
 * TokenHasher's HMAC), so a check finds them; the seeded ones have random hashes nobody holds.
 */
export async function realTokens(
  app: INestApplicationContext,
  workspaceId: string,
  among: number,
  count: number,
): Promise<string[]> {
  const dataSource = app.get(DataSource);
  const hasher = app.get(TokenHasher);
  const users = await Promise.all(
    spread(count, among, 7).map((ordinal) =>
      dataSource.manager.findOneByOrFail(ExternalUserEntity, { workspaceId, ordinal }),
    ),
  );
  const tokens: string[] = [];
  const expiresAt = new Date(Date.now() + 86_400_000);
  for (const [i, user] of users.entries()) {
    const token = mintToken(EXTERNAL_USER_TOKEN_PREFIX, 32);
    await dataSource.query(
      dataSource.options.type === 'postgres'
        ? `INSERT INTO identity_external_user_tokens (id, workspace_id, channel_id, external_user_id, hash, prefix, expires_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`
        : `INSERT INTO identity_external_user_tokens (id, workspace_id, channel_id, external_user_id, hash, prefix, expires_at)
           VALUES (printf('ffffffff-0000-4000-8400-%012x', ?), ?, ?, ?, ?, ?, ?)`,
      [
        ...(dataSource.options.type === 'postgres' ? [] : [i]),
        workspaceId,
        user.channelId,
        user.id,
        hasher.hash(token),
        token.slice(0, 12),
        dataSource.options.type === 'postgres'
          ? expiresAt
          : expiresAt.toISOString().replace('T', ' ').replace('Z', ''),
      ],
    );
    tokens.push(token);
  }
  return tokens;
}

/** `ExternalUsersService.list` (no filter: the ordinal range) at page 1 and at the last page; and a channel's. */
export async function externalUserPaging(
  app: INestApplicationContext,
  workspaceId: string,
  channel: string,
  count: number,
  samples: number,
): Promise<{
  first: number[];
  deepest: number[];
  channelFirst: number[];
  channelDeep: number[];
  channelPage: number;
}> {
  const users = app.get(ExternalUsersService);
  const lastPage = Math.floor(count / PAGE_SIZE);
  // Half the users are in the channel; page 1000 (10,000 rows in) as the original benchmark, if it has one.
  const channelPage = Math.min(1000, Math.floor(count / 2 / PAGE_SIZE));
  const last = await users.list(workspaceId, { pageNumber: lastPage, pageSize: PAGE_SIZE });
  if (last.length !== PAGE_SIZE) {
    throw new Error(`page ${lastPage} has ${last.length} users, not ${PAGE_SIZE}`);
  }
  const first: number[] = [];
  const deepest: number[] = [];
  const channelFirst: number[] = [];
  const channelDeep: number[] = [];
  const calls = [
    () => users.list(workspaceId, { pageNumber: 1, pageSize: PAGE_SIZE }),
    () => users.list(workspaceId, { pageNumber: lastPage, pageSize: PAGE_SIZE }),
    () => users.list(workspaceId, { channelIds: [channel], pageNumber: 1, pageSize: PAGE_SIZE }),
    () => users.list(workspaceId, { channelIds: [channel], pageNumber: channelPage, pageSize: PAGE_SIZE }),
  ];
  const series = [first, deepest, channelFirst, channelDeep];
  for (let i = 0; i < samples + 3; i++) {
    // The order rotates each time, so no call always runs first or after the same one.
    for (let k = 0; k < calls.length; k++) {
      const c = (k + i) % calls.length;
      const time = await timed(calls[c]);
      if (i >= 3) {
        series[c].push(time);
      }
    }
  }
  return { first, deepest, channelFirst, channelDeep, channelPage };
}

/**
 * Lookup times (ms) of users spread over 1…count by externalId (the query `authenticate` runs to find a
 * returning user: channel, externalId, workspace), and of access-token checks past the cache; each key
 * once before it is timed (see endUserLookups).
 */
export async function externalUserLookups(
  app: INestApplicationContext,
  workspaceId: string,
  channels: [string, string],
  count: number,
  tokens: string[],
  samples: number,
): Promise<{ byExternalId: number[]; tokenCheck: number[] }> {
  const manager = app.get(DataSource).manager;
  const picks = spread(samples + 5, count, count + 1);
  const byExternalId = await sample(
    samples,
    async (i) => {
      const n = picks[i];
      const user = await manager.findOneBy(ExternalUserEntity, {
        channelId: channels[n % 2 === 0 ? 0 : 1],
        externalId: `ext-${n}`,
        workspaceId,
      });
      if (!user) {
        throw new Error(`external user ext-${n} not found`);
      }
    },
    'each',
  );
  const verifier = app.get(ExternalUserTokensService);
  const tokenCheck = await sample(
    samples,
    async (i) => {
      // `fresh`: past the token cache, as a cold cache is: the hash, then one indexed query.
      const verdict = await verifier.verify(tokens[i % tokens.length], { fresh: true });
      if (!verdict.valid) {
        throw new Error(`a seeded access token did not verify: ${JSON.stringify(verdict)}`);
      }
    },
    'each',
  );
  return { byExternalId, tokenCheck };
}
