// Groups 4 and 5 of the harness: what a workspace of 1,000,000 users costs.
//  4. the first vs the deepest page of 1M end users (keyset) and of 1M external users (`pageNumber`): ≤2×;
//  5. lookup p50 with 1M rows ÷ with 100k rows, of the same service calls (end user by email and by
//     externalId, external user by externalId, an access-token check past the cache): ≤1.5×.
// One workspace per surface grows from 100k to 1M rows on each database, seeded by INSERT … SELECT inside
// the engine (generate_series on PostgreSQL, a recursive CTE on SQLite), then ANALYZEd (and VACUUMed on
// PostgreSQL). Lookup keys are spread over all rows and each is looked up once before it is timed.
import { performance } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkspacesService } from '../libs/identity/src/index.js';
import { endUserLookups, endUserPaging, seedEndUsers } from './end-users.bench.js';
import {
  externalUserLookups,
  externalUserPaging,
  externalUserWorkspace,
  realTokens,
  seedExternalUsers,
} from './external-users.bench.js';
import { bootContext } from './harness/boot.js';
import { type BenchDatabase, onEachDatabase } from './harness/databases.js';
import { median, ms, row } from './harness/measure.js';
import { seeding } from './harness/seed.js';
import type { BenchRow, Scenario } from './harness/types.js';

interface Sizes {
  small: number;
  large: number;
  lookups: number;
  pages: number;
}

const FULL: Sizes = { small: 100_000, large: 1_000_000, lookups: 1000, pages: 200 };
const QUICK: Sizes = { small: 2_000, large: 20_000, lookups: 30, pages: 5 };

const count = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/**
 * Statistics for the planner; on PostgreSQL a VACUUM too, as autovacuum would soon do, so the first reads
 * of freshly loaded rows do not pay for setting their hint bits inside the measurement.
 */
async function analyze(dataSource: DataSource): Promise<void> {
  await dataSource.query(dataSource.options.type === 'postgres' ? 'VACUUM (ANALYZE)' : 'ANALYZE');
}

/** Seeds, times `work`, and says how long the seeding took. */
async function seeded(label: string, work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  console.log(`  ${label} in ${seconds.toFixed(1)} s`);
  return seconds;
}

async function scaleOn(database: BenchDatabase, sizes: Sizes): Promise<BenchRow[]> {
  const app: INestApplicationContext = await bootContext(database.config);
  try {
    const dataSource = app.get(DataSource);
    const db = database.kind;
    const endWorkspace = (await app.get(WorkspacesService).create('End users at scale')).id;
    const external = await externalUserWorkspace(app);
    const { small, large } = sizes;

    let seconds = await seeded(
      `${database.label}: ${count(small)} end users and ${count(small)} external users`,
      async () => {
        await seeding(dataSource, async (seeder) => {
          await seedEndUsers(seeder, endWorkspace, 0, small);
          await seedExternalUsers(seeder, external.workspaceId, external.channels, 0, small);
        });
        await analyze(dataSource);
      },
    );
    const tokens = await realTokens(app, external.workspaceId, small, 50);
    const endSmall = await endUserLookups(app, endWorkspace, small, sizes.lookups);
    const externalSmall = await externalUserLookups(
      app,
      external.workspaceId,
      external.channels,
      small,
      tokens,
      sizes.lookups,
    );

    seconds += await seeded(`${database.label}: grown to ${count(large)} each`, async () => {
      await seeding(dataSource, async (seeder) => {
        await seedEndUsers(seeder, endWorkspace, small, large);
        await seedExternalUsers(seeder, external.workspaceId, external.channels, small, large);
      });
      await analyze(dataSource);
    });
    const endLarge = await endUserLookups(app, endWorkspace, large, sizes.lookups);
    const externalLarge = await externalUserLookups(
      app,
      external.workspaceId,
      external.channels,
      large,
      tokens,
      sizes.lookups,
    );
    const endPages = await endUserPaging(app, endWorkspace, sizes.pages);
    const externalPages = await externalUserPaging(
      app,
      external.workspaceId,
      external.channels[1],
      large,
      sizes.pages,
    );

    const seededNote = `seeding ${(2 * large).toLocaleString('en')} users took ${seconds.toFixed(0)} s`;
    const pageRow = (name: string, baseline: string, first: number[], deepest: number[], info = false) =>
      row({
        group: 4,
        name,
        database: db,
        ratio: median(deepest) / median(first),
        baseline,
        target: info ? 'info' : { atMost: 2 },
        detail: `p50 ${ms(median(deepest))} vs ${ms(median(first))}; ${sizes.pages} samples`,
      });
    const lookupRow = (name: string, at: { small: number[]; large: number[] }) =>
      row({
        group: 5,
        name,
        database: db,
        ratio: median(at.large) / median(at.small),
        baseline: `the same with ${count(small)} rows`,
        target: { atMost: 1.5 },
        detail: `p50 ${ms(median(at.large))} vs ${ms(median(at.small))}; ${sizes.lookups} keys each, warmed once`,
      });
    return [
      pageRow(
        `end users, deepest page of ${count(large)} (keyset, pageLimit 100)`,
        'first page',
        endPages.first,
        endPages.deepest,
      ),
      {
        ...pageRow(
          `external users, last page of ${count(large)} (pageNumber ${large / 10}, pageSize 10)`,
          'page 1',
          externalPages.first,
          externalPages.deepest,
        ),
        detail: `${pageRow('', '', externalPages.first, externalPages.deepest).detail}; ${seededNote}`,
      },
      pageRow(
        `external users of one channel, page ${externalPages.channelPage} (a range of the channel's numbering)`,
        'page 1 of the channel',
        externalPages.channelFirst,
        externalPages.channelDeep,
      ),
      lookupRow(`end user by email, ${count(large)} rows`, {
        small: endSmall.byEmail,
        large: endLarge.byEmail,
      }),
      lookupRow(`end user by externalId, ${count(large)} rows`, {
        small: endSmall.byExternalId,
        large: endLarge.byExternalId,
      }),
      lookupRow(`external user by externalId, ${count(large)} rows`, {
        small: externalSmall.byExternalId,
        large: externalLarge.byExternalId,
      }),
      lookupRow(`external-user token check, cold (past the cache), ${count(large)} tokens`, {
        small: externalSmall.tokenCheck,
        large: externalLarge.tokenCheck,
      }),
    ];
  } finally {
    await app.close();
  }
}

/** Groups 4 and 5 on SQLite and PostgreSQL. */
export const scaleScenario: Scenario = ({ quick }) =>
  onEachDatabase((database) => scaleOn(database, quick ? QUICK : FULL));
