#!/usr/bin/env node
// `npm run test:reliability`: the reliability suite on SQLite, then on PostgreSQL, one spec file at a time
// (fault specs restart services), then the figures the specs recorded as one Markdown table.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const figuresFile = '.test-results/reliability/figures.jsonl';
mkdirSync('.test-results/reliability', { recursive: true });
rmSync(figuresFile, { force: true });

const legs = [
  ['sqlite', { IDENTITY_DB: 'sqlite', REDIS_URL }],
  ['postgres', { IDENTITY_DB: 'postgres', DATABASE_URL, REDIS_URL }],
];
let ok = true;
for (const [name, env] of legs) {
  console.log(`\n=== reliability on ${name} ===`);
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      ...process.argv.slice(2),
      '--selectProjects=reliability',
      '--runInBand',
    ],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  ok &&= result.status === 0;
}

const rows = existsSync(figuresFile)
  ? readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
const table = [
  '| figure | database | value | detail |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.db} | ${r.value} | ${r.detail} |`),
].join('\n');
writeFileSync('.test-results/reliability/figures.md', `${table}\n`);
console.log(`\n=== reliability figures ===\n${table}`);
process.exit(ok ? 0 : 1);
