import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';

/*
 * The package as a user gets it: `npm run pack`'s tarball, its file list, and the README's quick-start
 * installed in a fresh app outside the repository, booted on Express and on Fastify. The package does
 * not depend on the database, so this runs once per `npm test` (on the SQLite leg).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN_ONCE = (process.env.IDENTITY_DB ?? 'sqlite') === 'sqlite';
const TOKEN_SECRET = 'quick-start-secret-0123456789abcdef0123456789';

/** The code block that follows `<!-- quick-start: <file> ... -->` in README.md. */
export function readmeQuickStart(file: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf(`<!-- quick-start: ${file}`);
  if (marker < 0) {
    throw new Error(`README.md has no quick-start block for ${file}`);
  }
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!block) {
    throw new Error(`README.md's quick-start marker for ${file} is not followed by a ts block`);
  }
  return block[1];
}

const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** What the fresh host asks for itself: Nest 12 on both platforms, TypeORM on SQLite, config. */
const HOST_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/typeorm',
  '@nestjs/config',
  'typeorm',
  'better-sqlite3',
  'class-validator',
  'class-transformer',
  'reflect-metadata',
  'rxjs',
];

/** Packages the module must never bring into a host by itself. */
const NEVER_PULLED_IN = [
  'pg',
  'better-sqlite3',
  'ioredis',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/swagger',
  '@nestjs/throttler',
  '@nestjs/event-emitter',
  '@nestjs/passport',
  'passport',
  'express',
];

const HARNESS = `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiKeysService, WorkspacesService } from 'nestjs-identity';
import { AppModule } from './app.module.js';

// Boots the quick-start's AppModule on the platform named by argv[2] and prints its port and a write key.
const app =
  process.argv[2] === 'fastify'
    ? await NestFactory.create(AppModule, new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } }), {
        logger: ['error'],
      })
    : await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const workspace = await app.get(WorkspacesService).create('Quick start');
const { secret } = await app.get(ApiKeysService).create(workspace.id, { name: 'backend', scope: 'write' });
const address = app.getHttpServer().address() as { port: number };
console.log(JSON.stringify({ port: address.port, key: secret, workspaceId: workspace.id }));
`;

interface DependencyNode {
  version?: string;
  dependencies?: Record<string, DependencyNode>;
}

/** Every package name under `node` in `npm ls --all --json`. */
function namesUnder(node: DependencyNode, into = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    into.add(name);
    namesUnder(child, into);
  }
  return into;
}

const describeOnce = RUN_ONCE ? describe : describe.skip;

describeOnce('the packed module', () => {
  let work: string;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nestjs-identity-package-'));
    const out = execFileSync(process.execPath, ['scripts/pack.mjs', '--destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    tarball = out.trim().split('\n').at(-1)!;
  }, 180_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('packs the library, its typings and the host entry points, and no specs, demo host or test code', () => {
    const [listing] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json'], {
        cwd: join(ROOT, 'libs/identity'),
        encoding: 'utf8',
      }),
    ) as [{ name: string; version: string; files: { path: string }[] }];
    const files = listing.files.map((file) => file.path);
    expect(listing).toMatchObject({ name: 'nestjs-identity', version: '0.1.0' });
    const manifest = JSON.parse(readFileSync(join(ROOT, 'libs/identity/package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; default: string }>;
      bin: Record<string, string>;
    };
    const entryPoints = [
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : [target.types, target.default],
      ),
      ...Object.values(manifest.bin),
    ].map((path) => path.replace(/^\.\//, ''));
    expect(entryPoints).toEqual(expect.arrayContaining(['dist/src/index.js', 'dist/src/index.d.ts']));
    for (const entry of entryPoints) {
      expect(files).toContain(entry);
    }
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']));
    const misplaced = files.filter(
      (path) =>
        /\.spec\.|e2e-spec|\.map$|tsbuildinfo|\.ts$/.test(path.replace(/\.d\.ts$/, '')) ||
        !/^(dist\/(src|testing)\/|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(path) ||
        /^dist\/testing\/(service-setup|filter-specs|refusal)/.test(path),
    );
    expect(misplaced).toEqual([]);
    // nothing of the demo host (src/), the e2e specs (test/) or the benchmarks (bench/)
    const demoFiles = [
      'main.js',
      'bootstrap.js',
      'app.module.js',
      'cli-commands.js',
      'embed-dashboard.page.js',
    ];
    expect(files.filter((path) => demoFiles.some((demo) => path === `dist/src/${demo}`))).toEqual([]);
    expect(files.filter((path) => /dashboards\.controller|health\.controller|\.bench\./.test(path))).toEqual(
      [],
    );
  });

  describe('in a fresh host app outside the repository', () => {
    let host: string;

    beforeAll(() => {
      host = join(work, 'host');
      mkdirSync(join(host, 'src'), { recursive: true });
      const dependencies = Object.fromEntries(HOST_DEPENDENCIES.map((name) => [name, `^${versionOf(name)}`]));
      writeFileSync(
        join(host, 'package.json'),
        JSON.stringify(
          {
            name: 'fresh-host',
            private: true,
            type: 'module',
            dependencies: { ...dependencies, 'nestjs-identity': `file:${tarball}` },
            devDependencies: { '@types/node': `^${versionOf('@types/node')}` },
          },
          null,
          2,
        ),
      );
      // The module itself needs no install script; better-sqlite3 (the host's choice) is native: its
      // binary is taken from this repository's install of the same version instead of a two-minute build.
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: host,
        stdio: 'pipe',
      });
      const binary = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
      const hostSqlite = JSON.parse(
        readFileSync(join(host, 'node_modules/better-sqlite3/package.json'), 'utf8'),
      ) as { version: string };
      if (hostSqlite.version === versionOf('better-sqlite3')) {
        mkdirSync(join(host, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
        copyFileSync(join(ROOT, binary), join(host, binary));
      } else {
        execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: host, stdio: 'pipe' });
      }
      writeFileSync(join(host, 'src/app.module.ts'), readmeQuickStart('app.module.ts'));
      writeFileSync(join(host, 'src/main.ts'), HARNESS);
      writeFileSync(
        join(host, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2023',
            lib: ['es2023'],
            types: ['node'],
            strict: true,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            isolatedModules: true,
            skipLibCheck: true,
            rootDir: 'src',
            outDir: 'dist',
          },
          include: ['src'],
        }),
      );
      // Type-checks the quick-start against the package's published typings, then compiles it.
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', host], {
        cwd: host,
        stdio: 'pipe',
      });
    }, 170_000);

    it("installs without pulling in a database driver, Redis, an HTTP platform or Swagger of the module's own", () => {
      const installed = JSON.parse(
        readFileSync(join(host, 'node_modules/nestjs-identity/package.json'), 'utf8'),
      ) as { dependencies: Record<string, string> };
      expect(Object.keys(installed.dependencies).sort()).toEqual([
        '@node-rs/argon2',
        'libphonenumber-js',
        'lru-cache',
        'passport-custom',
      ]);
      const tree = JSON.parse(
        execFileSync('npm', ['ls', '--all', '--json', 'nestjs-identity'], { cwd: host, encoding: 'utf8' }),
      ) as DependencyNode;
      const underModule = namesUnder(tree.dependencies!['nestjs-identity']);
      expect(NEVER_PULLED_IN.filter((name) => underModule.has(name))).toEqual([]);
      // what the host did not ask for is not installed at all
      for (const absent of [
        'pg',
        'ioredis',
        '@nestjs/swagger',
        '@nestjs/throttler',
        '@nestjs/event-emitter',
      ]) {
        expect([absent, existsSync(join(host, 'node_modules', absent))]).toEqual([absent, false]);
      }
      // one copy of Nest: the host's
      expect(existsSync(join(host, 'node_modules/nestjs-identity/node_modules/@nestjs'))).toBe(false);
    });

    describe.each(['express', 'fastify'])('booted on %s', (adapter) => {
      let child: ChildProcess;
      let http: ReturnType<typeof request>;
      let key: string;
      let workspaceId: string;

      beforeAll(async () => {
        child = spawn(process.execPath, ['dist/main.js', adapter], {
          cwd: host,
          env: {
            PATH: process.env.PATH,
            IDENTITY_TOKEN_SECRET: TOKEN_SECRET,
            SQLITE_PATH: join(host, `identity-${adapter}.sqlite`),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const line = await new Promise<string>((resolve, reject) => {
          let stdout = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            const newline = stdout.indexOf('\n');
            if (newline >= 0) {
              resolve(stdout.slice(0, newline));
            }
          });
          child.once('exit', (code) => reject(new Error(`the host exited with ${code}: ${stderr}`)));
        });
        const started = JSON.parse(line) as { port: number; key: string; workspaceId: string };
        key = started.key;
        workspaceId = started.workspaceId;
        http = request(`http://127.0.0.1:${started.port}`);
      }, 60_000);

      afterAll(async () => {
        if (child && child.exitCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
      });

      it('answers the management API and a host route behind @ApiKeyAuth()', async () => {
        const keys = await http.get('/identity/api-keys').set('Authorization', `Bearer ${key}`);
        expect(keys.status).toBe(200);
        expect(JSON.stringify(keys.body)).toContain('backend');
        const mine = await http.get('/reports').set('Authorization', `Bearer ${key}`);
        expect([mine.status, mine.body]).toEqual([200, { workspaceId }]);
        expect((await http.get('/reports')).status).toBe(401);
      });

      it("creates a workspace and a key with the package's CLI (npx nestjs-identity) that the running host accepts", async () => {
        const cli = (...args: string[]) =>
          execFileSync(join(host, 'node_modules/.bin/nestjs-identity'), args, {
            cwd: host,
            encoding: 'utf8',
            env: {
              PATH: process.env.PATH,
              DATABASE_URL: `sqlite:${join(host, `identity-${adapter}.sqlite`)}`,
              IDENTITY_TOKEN_SECRET: TOKEN_SECRET,
            },
          });
        expect(cli('--help')).toContain('keys create --workspace');
        const workspace = /Created workspace (\S+)/.exec(cli('workspaces', 'create', '--name', 'Acme'))?.[1];
        expect(workspace).toBeDefined();
        const cliKey = /\b(idk_\w+)/.exec(
          cli('keys', 'create', '--workspace', workspace!, '--scope', 'read'),
        )?.[1];
        expect(cliKey).toBeDefined();
        const res = await http.get('/reports').set('Authorization', `Bearer ${cliKey!}`);
        expect([res.status, res.body]).toEqual([200, { workspaceId: workspace }]);
      });

      it('gets or creates a user group (Explo) whose embed token opens the @UserGroupAuth() route', async () => {
        const group = await http
          .get('/api/user')
          .query({ name: 'Acme', user_group_id: 'acme-1', api_environment_tag: 'Customer' })
          .set('Authorization', `Token ${key}`);
        expect(group.status).toBe(200);
        expect(group.body).toMatchObject({ success: 1, user_group: { provided_id: 'acme-1' } });
        const embedded = await http
          .get('/reports/embedded')
          .set('Authorization', `Token ${group.body.user_group.token as string}`);
        expect([embedded.status, embedded.body]).toEqual([200, { customer: 'acme-1' }]);
        expect((await http.get('/reports/embedded').set('Authorization', `Token ${key}`)).status).toBe(401);
      });

      it('creates an end user (Dixa)', async () => {
        const created = await http
          .post('/beta/endusers')
          .set('Authorization', key)
          .send({ displayName: 'Ana', email: 'ana@example.com' });
        expect(created.status).toBe(201);
        expect(created.body.data).toMatchObject({ displayName: 'Ana', email: 'ana@example.com' });
      });

      it('authenticates an external user (Zaia) whose access token opens the @ExternalUserAuth() route', async () => {
        const channel = await http
          .post('/api/v1/channels')
          .set('Authorization', key)
          .send({ name: 'Website chat' });
        expect(channel.status).toBe(200);
        const user = await http
          .post('/api/v1/external-users/authenticate')
          .set('Authorization', key)
          .send({ channelId: channel.body.id, externalId: 'crm-1', id: null, identifier: null });
        expect(user.status).toBe(200);
        const assistant = await http
          .get('/reports/assistant')
          .set('Authorization', `Bearer ${user.body.accessToken as string}`);
        expect([assistant.status, assistant.body]).toEqual([200, { externalUserId: user.body.id }]);
      });

      it('logs a family user in (Regpack) whose session opens the @FamilyUserAuth() route', async () => {
        const regpack = {
          'Api-id': key.slice(4, 12),
          'Api-token': key,
          'Api-user': 'quick-start@example.com',
          Timestamp: String(Math.floor(Date.now() / 1000)),
        };
        const project = await http
          .post('/reg/api2/projects/')
          .set(regpack)
          .send({ action: 'create', doc: { name: 'Summer camp' } });
        expect(project.status).toBe(200);
        const groupId = Number(project.body.group_id);
        const doc = { username: 'pat@example.com', password: 'parent-password-1' };
        const parent = await http
          .post('/reg/api2/users/')
          .set(regpack)
          .send({
            action: 'create',
            group_id: groupId,
            doc: { ...doc, main_email: 'pat@example.com', first_name: 'Pat', last_name: 'Parent' },
          });
        expect(parent.status).toBe(200);
        const login = await http
          .post('/reg/api2/users/')
          .set(regpack)
          .send({ action: 'login', group_id: groupId, doc });
        expect(login.status).toBe(200);
        const session = await http.post('/reg/api2/session').send({ user_token: login.body.user_token });
        expect(session.status).toBe(200);
        const family = await http
          .get('/reports/family')
          .set('Authorization', `Bearer ${session.body.session_token as string}`);
        expect(family.status).toBe(200);
        expect(String(family.body.cloginId)).toBe(String(parent.body.user_info.clogin_id));
      });
    });
  });
});
