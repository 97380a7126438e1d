// Host-route benchmark (issue 9; groups 1 and 2 of the harness): a host app importing the built library,
// one open route answering {ok:true}, the same route behind each of the module's guards, and behind a
// hand-written guard that HMACs a bearer token and runs one indexed SELECT per request (the user's
// alternative). Express and Fastify, SQLite and PostgreSQL, autocannon in a worker thread, 16
// connections, rate limit off, rounds interleaved. Group 1: warm cache, each route's throughput as a ratio
// to the open route of the same round. Group 2: cache off (one lookup per check), each guard's throughput
// as a ratio to the hand-written guard's, with p99 beside it. Run alone: `npm run bench:guards`.
import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  ApiKeyAuth,
  ApiKeysService,
  ChannelsService,
  ExternalUserAuth,
  ExternalUsersService,
  FamilyUserAuth,
  IdentityModule,
  type IdentityModuleOptions,
  UserGroupAuth,
  UserGroupsService,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { type DatabaseConfig, typeOrmOptions } from '../src/config.js';
import { type BenchDatabase, postgresDatabase, sqliteDatabase } from './harness/databases.js';
import { rowsTable } from './harness/report.js';
import type { BenchRow, Scenario } from './harness/types.js';
import { load, stopLoadGenerator } from './harness/load.js';
import type { LoadResult } from './harness/load.js';

const TOKEN_SECRET = 'bench-secret-'.padEnd(40, 'x');
const CONNECTIONS = 16;

type Adapter = 'express' | 'fastify';
type RouteName =
  'open' | 'nest-guard' | 'api-key' | 'user-group' | 'external-user' | 'family' | 'hand-written';

const GUARDS: { route: RouteName; label: string }[] = [
  { route: 'api-key', label: '@ApiKeyAuth()' },
  { route: 'user-group', label: '@UserGroupAuth()' },
  { route: 'external-user', label: '@ExternalUserAuth()' },
  { route: 'family', label: '@FamilyUserAuth()' },
];

/** Nest's own cost of a guard, whatever it checks: one that admits every request at once. */
@Injectable()
class AdmitAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** The user's alternative: hash the bearer token, one indexed SELECT per request, no cache. */
@Injectable()
class HandWrittenGuard implements CanActivate {
  private readonly sql: string;

  constructor(private readonly dataSource: DataSource) {
    const placeholder = dataSource.options.type === 'postgres' ? '$1' : '?';
    this.sql = `SELECT id, workspace_id, scope FROM identity_api_keys WHERE hash = ${placeholder} AND revoked_at IS NULL`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) {
      throw new UnauthorizedException();
    }
    const hash = createHmac('sha256', TOKEN_SECRET).update(header.slice(7)).digest('hex');
    const rows = (await this.dataSource.query(this.sql, [hash])) as unknown[];
    if (rows.length === 0) {
      throw new UnauthorizedException();
    }
    request.user = rows[0];
    return true;
  }
}

@Controller('host')
class HostController {
  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('nest-guard')
  @UseGuards(AdmitAllGuard)
  nestGuard() {
    return { ok: true };
  }

  @Get('api-key')
  @ApiKeyAuth()
  apiKey() {
    return { ok: true };
  }

  @Get('user-group')
  @UserGroupAuth()
  userGroup() {
    return { ok: true };
  }

  @Get('external-user')
  @ExternalUserAuth()
  externalUser() {
    return { ok: true };
  }

  @Get('family')
  @FamilyUserAuth()
  family() {
    return { ok: true };
  }

  @Get('hand-written')
  @UseGuards(HandWrittenGuard)
  handWritten() {
    return { ok: true };
  }
}

@Module({})
class HostModule {
  static register(database: DatabaseConfig, identity: Partial<IdentityModuleOptions>): DynamicModule {
    return {
      module: HostModule,
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(database, { logging: false })),
        IdentityModule.forRoot({
          tokenSecret: TOKEN_SECRET,
          rateLimit: false,
          invalidation: { driver: 'local' },
          ...identity,
        } as IdentityModuleOptions),
      ],
      controllers: [HostController],
      providers: [HandWrittenGuard, AdmitAllGuard],
    };
  }
}

interface Host {
  app: INestApplication;
  origin: string;
}

async function startHost(adapter: Adapter, database: BenchDatabase, cached: boolean): Promise<Host> {
  const module = HostModule.register(database.config, cached ? {} : { tokenCache: { ttlMs: 0 } });
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, new ExpressAdapter(), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

async function post(origin: string, path: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(new URL(path, origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`POST ${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** One credential of each kind in a new workspace: the headers that reach each route. */
async function credentials(host: Host): Promise<Record<RouteName, Record<string, string>>> {
  const { app, origin } = host;
  const workspace = await app.get(WorkspacesService).create('bench');
  const { secret } = await app.get(ApiKeysService).create(workspace.id, { name: 'bench' });
  const { userGroup } = await app
    .get(UserGroupsService)
    .getOrCreate(workspace.id, { providedId: 'bench-group', name: 'Bench group' });
  const channel = await app.get(ChannelsService).create(workspace.id, { name: 'web' });
  const { accessToken } = await app
    .get(ExternalUsersService)
    .authenticate(workspace.id, { channelId: channel.id, externalId: 'bench-user' });
  const apiKey = { Authorization: `Token ${secret}` };
  const project = await post(origin, '/reg/api2/projects/', apiKey, {
    action: 'create',
    doc: { name: 'Camp' },
  });
  const regpack = {
    'Api-id': secret.slice(4, 12),
    'Api-token': secret,
    Timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const users = (body: unknown) => post(origin, '/reg/api2/users/', regpack, body);
  const person = { username: 'parent@example.com', password: 'parent-password-1' };
  const doc = { ...person, main_email: 'parent@example.com', first_name: 'Pat', last_name: 'Parent' };
  await users({ action: 'create', group_id: project.group_id, doc });
  const login = await users({ action: 'login', group_id: project.group_id, doc: person });
  const session = await post(origin, '/reg/api2/session', {}, { user_token: login.user_token });
  return {
    open: {},
    'nest-guard': {},
    'api-key': apiKey,
    'user-group': { Authorization: `Token ${userGroup.token}` },
    'external-user': { Authorization: `Bearer ${accessToken}` },
    family: { Authorization: `Bearer ${String(session.session_token)}` },
    'hand-written': { Authorization: `Bearer ${secret}` },
  };
}

/** Every route `rounds` times, interleaved, the starting route rotating; results by route in round order. */
async function measure(
  host: Host,
  headers: Record<RouteName, Record<string, string>>,
  routes: RouteName[],
  rounds: number,
  seconds: number,
): Promise<Map<RouteName, LoadResult[]>> {
  const results = new Map<RouteName, LoadResult[]>(routes.map((r) => [r, []]));
  for (const route of routes) {
    // warm: JIT, connection pools, the token cache
    await load({
      url: `${host.origin}/host/${route}`,
      headers: headers[route],
      connections: CONNECTIONS,
      seconds: 1,
    });
  }
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < routes.length; i++) {
      const route = routes[(i + round) % routes.length];
      const cpu = process.cpuUsage();
      const result = await load({
        url: `${host.origin}/host/${route}`,
        headers: headers[route],
        connections: CONNECTIONS,
        seconds,
      });
      const used = process.cpuUsage(cpu);
      result.serverCpuUs = (used.user + used.system) / Math.max(1, result.requests);
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`/host/${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      }
      results.get(route)!.push(result);
    }
  }
  return results;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The median over rounds of `route ÷ baseline` measured in the same round. */
function ratioOf(results: Map<RouteName, LoadResult[]>, route: RouteName, baseline: RouteName): number {
  const mine = results.get(route)!;
  const base = results.get(baseline)!;
  return median(mine.map((r, i) => r.requestsPerSecond / base[i].requestsPerSecond));
}

/** The median over rounds of `baseline CPU per request ÷ route CPU per request`: capacity, less noisy. */
function cpuRatioOf(results: Map<RouteName, LoadResult[]>, route: RouteName, baseline: RouteName): number {
  const mine = results.get(route)!;
  const base = results.get(baseline)!;
  return median(mine.map((r, i) => base[i].serverCpuUs! / r.serverCpuUs!));
}

const cpuUs = (results: LoadResult[]) => median(results.map((r) => r.serverCpuUs!)).toFixed(0);
const rps = (results: LoadResult[]) => Math.round(median(results.map((r) => r.requestsPerSecond)));
const p99 = (results: LoadResult[]) => median(results.map((r) => r.p99Ms));

function warmRows(
  adapter: Adapter,
  database: BenchDatabase['kind'],
  results: Map<RouteName, LoadResult[]>,
): BenchRow[] {
  const target = adapter === 'express' ? 0.9 : 0.75;
  const hand = ratioOf(results, 'hand-written', 'open');
  const rows: BenchRow[] = GUARDS.map(({ route, label }) => {
    const ratio = ratioOf(results, route, 'open');
    const ahead = ratioOf(results, route, 'hand-written');
    return {
      group: 1,
      name: `${label}, cache hit`,
      database,
      adapter,
      ratio,
      baseline: 'open route',
      target: `≥${target.toFixed(2)}× and ahead of hand-written`,
      met: ratio >= target && ahead > 1,
      detail:
        `${rps(results.get(route)!)} vs ${rps(results.get('open')!)} req/s; ${ahead.toFixed(2)}× the hand-written guard; ` +
        `server CPU ${cpuUs(results.get(route)!)} vs ${cpuUs(results.get('open')!)} µs/request (${cpuRatioOf(results, route, 'open').toFixed(2)}×)`,
    };
  });
  rows.push({
    group: 1,
    name: "a guard that admits everyone (Nest's own cost of any guard)",
    database,
    adapter,
    ratio: ratioOf(results, 'nest-guard', 'open'),
    baseline: 'open route',
    target: '(the floor)',
    met: true,
    detail: `${rps(results.get('nest-guard')!)} req/s; server CPU ${cpuUs(results.get('nest-guard')!)} µs/request (${cpuRatioOf(results, 'nest-guard', 'open').toFixed(2)}×)`,
  });
  rows.push({
    group: 1,
    name: 'hand-written guard, one lookup per request',
    database,
    adapter,
    ratio: hand,
    baseline: 'open route',
    target: '(the alternative)',
    met: true,
    detail: `${rps(results.get('hand-written')!)} req/s; server CPU ${cpuUs(results.get('hand-written')!)} µs/request (${cpuRatioOf(results, 'hand-written', 'open').toFixed(2)}×)`,
  });
  return rows;
}

function coldRows(
  adapter: Adapter,
  database: BenchDatabase['kind'],
  results: Map<RouteName, LoadResult[]>,
): BenchRow[] {
  const hand = results.get('hand-written')!;
  return GUARDS.map(({ route, label }) => {
    const ratio = ratioOf(results, route, 'hand-written');
    const mine = results.get(route)!;
    return {
      group: 2,
      name: `${label}, cache off`,
      database,
      adapter,
      ratio,
      baseline: 'hand-written guard',
      target: database === 'postgres' ? '≥1.00×, p99 no worse' : '(PostgreSQL is the target)',
      met: database !== 'postgres' || (ratio >= 1 && p99(mine) <= p99(hand)),
      detail: `${rps(mine)} vs ${rps(hand)} req/s; server CPU ${cpuUs(mine)} vs ${cpuUs(hand)} µs/request; p50 ${median(mine.map((r) => r.p50Ms))} vs ${median(hand.map((r) => r.p50Ms))} ms; p99 ${p99(mine)} vs ${p99(hand)} ms`,
    };
  });
}

async function onHost<T>(
  adapter: Adapter,
  database: BenchDatabase,
  cached: boolean,
  run: (host: Host) => Promise<T>,
) {
  const host = await startHost(adapter, database, cached);
  try {
    return await run(host);
  } finally {
    // autocannon stops on time with requests still in flight; let the server answer them before its
    // pool closes, or each logs a "Connection terminated" 500.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await host.app.close();
  }
}

/** Groups 1 and 2 of `npm run bench`. */
export const hostRouteScenarios: Scenario = async ({ quick }) => {
  const rounds = quick ? 1 : 3;
  const seconds = quick ? 1 : 2;
  const rows: BenchRow[] = [];
  const databases = [sqliteDatabase(), await postgresDatabase()].filter((d): d is BenchDatabase => !!d);
  try {
    for (const database of databases) {
      let headers: Record<RouteName, Record<string, string>> | undefined;
      for (const adapter of ['express', 'fastify'] as const) {
        rows.push(
          ...(await onHost(adapter, database, true, async (host) => {
            headers ??= await credentials(host);
            const routes: RouteName[] = ['open', 'nest-guard', ...GUARDS.map((g) => g.route), 'hand-written'];
            return warmRows(adapter, database.kind, await measure(host, headers, routes, rounds, seconds));
          })),
        );
      }
      for (const adapter of ['express', 'fastify'] as const) {
        if (quick && database.kind === 'sqlite') {
          continue;
        }
        rows.push(
          ...(await onHost(adapter, database, false, async (host) => {
            const routes: RouteName[] = [...GUARDS.map((g) => g.route), 'hand-written'];
            return coldRows(adapter, database.kind, await measure(host, headers!, routes, rounds, seconds));
          })),
        );
      }
    }
  } finally {
    stopLoadGenerator();
    for (const database of databases) {
      await database.drop();
    }
  }
  return rows;
};

/**
 * `node --cpu-prof dist/bench/host-routes.bench.js --profile express api-key [--cold] [--postgres]`: one
 * route under load for 8 s (SQLite unless --postgres; warm cache unless --cold), for a CPU profile of the
 * server (the load runs in another process).
 */
async function profile(adapter: Adapter, route: RouteName, cold: boolean, postgres: boolean): Promise<void> {
  const database = (postgres && (await postgresDatabase())) || sqliteDatabase();
  try {
    const headers = await onHost(adapter, database, true, credentials);
    await onHost(adapter, database, !cold, async (host) => {
      const result = await load({
        url: `${host.origin}/host/${route}`,
        headers: headers[route],
        connections: CONNECTIONS,
        seconds: 8,
      });
      console.log(`${adapter} /host/${route}: ${Math.round(result.requestsPerSecond)} req/s`);
    });
  } finally {
    stopLoadGenerator();
    await database.drop();
  }
}

if (
  process.argv[1] &&
  import.meta.url === pathToFileURL(process.argv[1]).href &&
  process.argv[2] === '--profile'
) {
  const flags = process.argv.slice(5);
  await profile(
    process.argv[3] as Adapter,
    process.argv[4] as RouteName,
    flags.includes('--cold'),
    flags.includes('--postgres'),
  );
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const rows = await hostRouteScenarios({ quick });
  console.log(rowsTable(rows));
}
