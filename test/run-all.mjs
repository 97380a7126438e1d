#!/usr/bin/env node
// `npm test`: unit specs once, then the same e2e specs on SQLite and on PostgreSQL.
// Without a reachable PostgreSQL the second leg is skipped loudly; under CI=true that is a failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const extraArgs = process.argv.slice(2);
const ci = process.env.CI === 'true' || process.env.CI === '1';

function reachable(url, defaultPort) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function banner(lines) {
  const bar = '#'.repeat(78);
  console.log(`\n${bar}\n${lines.map((l) => `#  ${l}`).join('\n')}\n${bar}\n`);
}

mkdirSync('.test-results', { recursive: true });
const legs = [];

function runJest(name, project, env) {
  const outputFile = `.test-results/${name}.json`;
  rmSync(outputFile, { force: true });
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      ...extraArgs, // test path patterns first: --selectProjects would swallow them as project names
      `--selectProjects=${project}`,
      '--json',
      `--outputFile=${outputFile}`,
    ],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  let summary = { passed: 0, failed: 0, skipped: 0, ok: result.status === 0 };
  try {
    const json = JSON.parse(readFileSync(outputFile, 'utf8'));
    summary = {
      passed: json.numPassedTests,
      failed: json.numFailedTests + json.numRuntimeErrorTestSuites,
      skipped: json.numPendingTests + json.numTodoTests,
      ok: result.status === 0 && json.success,
    };
  } catch {
    summary.failed += 1;
  }
  legs.push({ name, ...summary });
}

const hasPostgres = await reachable(DATABASE_URL, 5432);
const hasRedis = await reachable(REDIS_URL, 6379);
const redisEnv = hasRedis ? { REDIS_URL } : {};
if (!hasRedis) {
  banner([
    `Redis is not reachable at ${REDIS_URL}:`,
    'the specs for Redis-backed rate limits and invalidation are skipped.',
  ]);
}

runJest('unit', 'unit', {});
runJest('e2e-sqlite', 'e2e', { IDENTITY_DB: 'sqlite', ...redisEnv });
let postgresMissing = false;
if (hasPostgres) {
  runJest('e2e-postgres', 'e2e', { IDENTITY_DB: 'postgres', DATABASE_URL, ...redisEnv });
} else {
  postgresMissing = true;
  banner([
    `PostgreSQL LEG SKIPPED: nothing answers at ${DATABASE_URL}.`,
    'Only the SQLite leg ran. Start PostgreSQL (or set DATABASE_URL) to run the e2e specs on it.',
    ci ? 'CI=true: a missing PostgreSQL fails the run.' : '',
  ]);
}

console.log('\n=== summary ===');
for (const leg of legs) {
  console.log(`${leg.name.padEnd(14)} ${leg.passed} passed, ${leg.failed} failed, ${leg.skipped} skipped`);
}
if (postgresMissing) {
  console.log(`${'e2e-postgres'.padEnd(14)} SKIPPED (no PostgreSQL)`);
}
const total = legs.reduce(
  (t, l) => ({ passed: t.passed + l.passed, failed: t.failed + l.failed, skipped: t.skipped + l.skipped }),
  {
    passed: 0,
    failed: 0,
    skipped: 0,
  },
);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
const ok = legs.every((l) => l.ok) && !(ci && postgresMissing);
process.exit(ok ? 0 : 1);
