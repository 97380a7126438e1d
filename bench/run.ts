// `npm run bench`: every scenario of the performance harness (issue 14), one table of ratios, each against
// a baseline measured in the same run, on SQLite and PostgreSQL. Writes bench/results/results.{json,md}
// and ratios.svg (a quick run writes bench/results/quick/ instead, which git ignores).
//   npm run bench                   all groups, full size (under 10 minutes on 2 cores)
//   npm run bench -- --quick        small row counts and few rounds (CI runs this: it must run, not be fast)
//   npm run bench -- --only 3,5     some groups only
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { bulkCreateScenario } from './end-users.bench.js';
import { postgresReachable } from './harness/databases.js';
import { hostRouteScenarios } from './host-routes.bench.js';
import { markdownReport, rowsTable, svgChart, type RunInfo } from './harness/report.js';
import type { BenchRow, Scenario } from './harness/types.js';
import { passwordScenario } from './passwords.bench.js';
import { processesScenario } from './processes.bench.js';
import { scaleScenario } from './scale.bench.js';

interface Entry {
  name: string;
  groups: number[];
  scenario: () => Promise<Scenario | undefined>;
}

const SCENARIOS: Entry[] = [
  // Groups 1–2: a host route behind each guard vs the open route (cache hit) and each guard with the cache
  // off vs a hand-written one-lookup guard, Express and Fastify, SQLite and PostgreSQL.
  { name: 'host routes', groups: [1, 2], scenario: async () => hostRouteScenarios },
  { name: 'bulk create', groups: [3], scenario: async () => bulkCreateScenario },
  { name: 'paging and lookups at 1M rows', groups: [4, 5], scenario: async () => scaleScenario },
  { name: 'two processes vs one', groups: [6], scenario: async () => processesScenario },
  { name: 'argon2id and login timing', groups: [7], scenario: async () => passwordScenario },
];

function parseArgs(argv: string[]): { quick: boolean; only?: Set<number> } {
  const quick = argv.includes('--quick');
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at === -1) {
    return { quick };
  }
  const value = argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  const only = new Set((value ?? '').split(',').map(Number));
  if (only.size === 0 || [...only].some((g) => !Number.isInteger(g) || g < 1 || g > 7)) {
    throw new Error(`--only takes group numbers from 1 to 7, e.g. --only 3,5 (got '${value ?? ''}')`);
  }
  return { quick, only };
}

const { quick, only } = parseArgs(process.argv.slice(2));
const started = performance.now();
const rows: BenchRow[] = [];
const notes: string[] = [];
let failed = false;
for (const entry of SCENARIOS) {
  if (only && !entry.groups.some((g) => only.has(g))) {
    continue;
  }
  const scenario = await entry.scenario();
  if (!scenario) {
    notes.push(`groups ${entry.groups.join('–')} (${entry.name}): not in this checkout, skipped`);
    console.log(`\n== ${entry.name}: not in this checkout, skipped`);
    continue;
  }
  const t0 = performance.now();
  console.log(`\n== ${entry.name} (group ${entry.groups.join(', ')})${quick ? ', quick' : ''}`);
  try {
    const measured = (await scenario({ quick })).filter((r) => !only || only.has(r.group));
    rows.push(...measured);
    console.log(`${rowsTable(measured)}\n(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  } catch (err) {
    failed = true;
    notes.push(`${entry.name}: failed (${(err as Error).message})`);
    console.error(`${entry.name} failed:`, err);
  }
}

const postgres = await postgresReachable();
const info: RunInfo = {
  date: new Date().toISOString(),
  quick,
  node: process.version,
  cpus: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: availableParallelism(),
  databases: [
    'SQLite (temp file, WAL)',
    postgres ? `PostgreSQL ${postgres} (127.0.0.1)` : 'PostgreSQL unreachable',
  ],
  wallSeconds: (performance.now() - started) / 1000,
  notes,
};
const dir = new URL(quick ? '../../bench/results/quick/' : '../../bench/results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const report = markdownReport(info, rows);
writeFileSync(new URL('results.md', dir), report);
writeFileSync(new URL('results.json', dir), `${JSON.stringify({ ...info, rows }, null, 2)}\n`);
writeFileSync(new URL('ratios.svg', dir), svgChart(rows));
console.log(`\n${report}\nWrote ${dir.pathname}results.{md,json} and ratios.svg`);
if (failed) {
  process.exitCode = 1;
}
