import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication, LoggerService } from '@nestjs/common';
import Database from 'better-sqlite3';
import request from 'supertest';
import { type ResolvedIdentityOptions, TokenHasher, TokenSealer } from '../libs/identity/src/index.js';
import { startDemoHost } from '../src/bootstrap.js';
import { runCli } from '../src/cli-commands.js';
import { configFromEnv, HostConfigError, tokenSecretFilePath } from '../src/config.js';
import { tokenAuth } from './utils/fixtures.js';

/** The constant the module used to fall back to when a host gave no tokenSecret: public, in the old source. */
const OLD_PUBLIC_DEV_SECRET = 'nestjs-identity-insecure-development-secret-do-not-use-in-production';

/** Everything the demo host and the CLI wrote, in one place, so a spec can search it for the secret. */
class Transcript implements LoggerService {
  readonly lines: string[] = [];
  log = (message: unknown, ...rest: unknown[]) => this.add('log', message, rest);
  warn = (message: unknown, ...rest: unknown[]) => this.add('warn', message, rest);
  error = (message: unknown, ...rest: unknown[]) => this.add('error', message, rest);
  debug = (message: unknown, ...rest: unknown[]) => this.add('debug', message, rest);
  verbose = (message: unknown, ...rest: unknown[]) => this.add('verbose', message, rest);
  fatal = (message: unknown, ...rest: unknown[]) => this.add('fatal', message, rest);

  private add(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(`${level} ${String(message)} ${rest.map(String).join(' ')}`);
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

describe('the demo host without IDENTITY_TOKEN_SECRET', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let transcript: Transcript;
  const apps: INestApplication[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'identity-secret-'));
    env = {
      IDENTITY_DB: 'sqlite',
      SQLITE_PATH: join(dir, 'data', 'identity.sqlite'),
      PORT: '0',
      IDENTITY_RATE_LIMIT_PER_SECOND: '0',
    };
    transcript = new Transcript();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** `npm start` with `env`, everything it writes kept in the transcript. */
  async function start(): Promise<{ app: INestApplication; bootstrapKey?: string }> {
    const printed: string[] = [];
    const app = await startDemoHost(env, {
      print: (text) => {
        printed.push(text);
        transcript.lines.push(text);
      },
      logger: transcript,
    });
    apps.push(app);
    return { app, bootstrapKey: printed.join('\n').match(/idk_\w+/)?.[0] };
  }

  /** `npm run identity -- …` with `env`; returns what it printed. */
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, env, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    });
    transcript.lines.push(...out, ...err);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const secretFile = () => tokenSecretFilePath(env.SQLITE_PATH!);
  const whoami = (app: INestApplication, key: string) =>
    request(app.getHttpServer()).get('/whoami').set(tokenAuth(key));

  it('generates a secret beside the database, mode 0600, that the server and the CLI share', async () => {
    const { app, bootstrapKey } = await start();
    expect(secretFile()).toBe(join(dir, 'data', 'identity-token-secret'));
    expect(statSync(secretFile()).mode & 0o777).toBe(0o600);
    expect((await whoami(app, bootstrapKey!)).status).toBe(200);

    const workspaceId = (await cli('workspaces', 'list')).out.split(/\s+/)[0];
    const minted = await cli('keys', 'create', '--workspace', workspaceId, '--scope', 'read');
    expect(minted.code).toBe(0);
    const key = minted.out.match(/idk_\w+/)![0];

    const answer = await whoami(app, key);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ workspaceId, scope: 'read' });
    // no temporary file left behind
    expect(readdirSync(join(dir, 'data')).filter((name) => name.includes('token-secret'))).toEqual([
      'identity-token-secret',
    ]);
  });

  it('never writes the generated secret to any log or output', async () => {
    const { app } = await start();
    const workspaceId = (await cli('workspaces', 'list')).out.split(/\s+/)[0];
    await cli('keys', 'create', '--workspace', workspaceId);
    await app.close();
    apps.splice(0);
    await start();

    const secret = readFileSync(secretFile(), 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(transcript.text).toContain(`Generated the token secret in ${secretFile()}`);
    expect(transcript.text).toContain(`Token secret from ${secretFile()}`);
    expect(transcript.text).not.toContain(secret);
    expect(transcript.text).not.toContain(secret.slice(0, 16));
  });

  it('reads the same secret on the next start, so keys made before still authenticate', async () => {
    const first = await start();
    const secret = readFileSync(secretFile(), 'utf8');
    await first.app.close();
    apps.splice(0);

    const second = await start();
    expect(second.bootstrapKey).toBeUndefined(); // not an empty database any more
    expect(readFileSync(secretFile(), 'utf8')).toBe(secret);
    expect((await whoami(second.app, first.bootstrapKey!)).status).toBe(200);
  });

  it('lets the CLI create the file first; the server then starts on it', async () => {
    const created = await cli('workspaces', 'create', '--name', 'Acme');
    expect(created.err).toContain(`Generated the token secret in ${secretFile()}`);
    const workspaceId = /Created workspace (\S+)/.exec(created.out)![1];
    const key = (await cli('keys', 'create', '--workspace', workspaceId)).out.match(/idk_\w+/)![0];
    const { app } = await start();
    expect((await whoami(app, key)).status).toBe(200);
  });

  it('seals embed tokens under the generated secret: the old public constant opens nothing in the database', async () => {
    const { app, bootstrapKey } = await start();
    const created = await request(app.getHttpServer())
      .get('/api/user')
      .set(tokenAuth(bootstrapKey!))
      .send({ name: 'Acme', user_group_id: 'acme' });
    expect(created.status).toBe(200);
    const token: string = created.body.user_group.token;
    await app.close();
    apps.splice(0);

    // The attacker of the issue: a copy of the SQLite file and the constant from the library's old source.
    const copy = new Database(env.SQLITE_PATH!, { readonly: true });
    const row = copy.prepare('SELECT hash, sealed FROM identity_user_group_tokens').get() as {
      hash: string;
      sealed: string;
    };
    copy.close();
    const withOldConstant = { tokenSecrets: [OLD_PUBLIC_DEV_SECRET] } as ResolvedIdentityOptions;
    expect(new TokenSealer(withOldConstant).open(row.sealed)).toBeUndefined();
    expect(new TokenHasher(withOldConstant).matches(token, row.hash)).toBe(false);
    expect(row.hash).not.toBe(createHmac('sha256', OLD_PUBLIC_DEV_SECRET).update(token).digest('hex'));

    // The probe itself works: with the secret from the file beside the database it opens.
    const withFile = { tokenSecrets: [readFileSync(secretFile(), 'utf8').trim()] } as ResolvedIdentityOptions;
    expect(new TokenSealer(withFile).open(row.sealed)).toBe(token);
  });

  it('warns when it had to generate a secret for a database that already holds keys', async () => {
    const { app } = await start();
    await app.close();
    apps.splice(0);
    rmSync(secretFile());

    await start();
    expect(transcript.lines.filter((line) => line.startsWith('warn'))).toEqual([
      expect.stringContaining('no longer authenticate'),
    ]);
  });

  it('refuses a secret file that holds no usable secret, naming the file', async () => {
    await start();
    await Promise.all(apps.splice(0).map((app) => app.close()));
    writeFileSync(secretFile(), 'too short\n');
    expect(() => configFromEnv(env)).toThrow(HostConfigError);
    expect(() => configFromEnv(env)).toThrow(
      `${secretFile()} holds no token secret of at least 32 characters`,
    );
    const run = await cli('workspaces', 'list');
    expect(run.code).toBe(1);
    expect(run.err).toContain(secretFile());
  });

  it('writes no file when IDENTITY_TOKEN_SECRET is set, and reads a comma-separated list for rotation', () => {
    const current = 'c'.repeat(40);
    const old = 'o'.repeat(40);
    expect(configFromEnv({ ...env, IDENTITY_TOKEN_SECRET: current }).identity.tokenSecret).toBe(current);
    expect(
      configFromEnv({ ...env, IDENTITY_TOKEN_SECRET: ` ${current} , ${old},` }).identity.tokenSecret,
    ).toEqual([current, old]);
    expect(existsSync(secretFile())).toBe(false);
  });

  it('keeps the secret of an in-memory database in memory', () => {
    const config = configFromEnv({ ...env, SQLITE_PATH: ':memory:' });
    expect(config.tokenSecretSource).toEqual({ kind: 'in-memory' });
    expect(String(config.identity.tokenSecret).length).toBeGreaterThanOrEqual(32);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the demo host on PostgreSQL without IDENTITY_TOKEN_SECRET', () => {
  const env = { IDENTITY_DB: 'postgres', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', PORT: '0' };
  const message = /IDENTITY_DB=postgres needs IDENTITY_TOKEN_SECRET.*at least 32 random characters/s;

  it('refuses to start, saying what to set', async () => {
    expect(() => configFromEnv(env)).toThrow(HostConfigError);
    expect(() => configFromEnv(env)).toThrow(message);
    await expect(startDemoHost(env, { print: () => undefined, logger: [] })).rejects.toThrow(message);
  });

  it('makes the CLI refuse too, with the same message and exit code 1', async () => {
    const err: string[] = [];
    const code = await runCli(['workspaces', 'list'], env, { out: () => undefined, err: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(message);
  });

  it('starts when IDENTITY_TOKEN_SECRET is set', () => {
    const config = configFromEnv({ ...env, IDENTITY_TOKEN_SECRET: 's'.repeat(32) });
    expect(config.identity.tokenSecret).toBe('s'.repeat(32));
    expect(config.tokenSecretSource).toEqual({ kind: 'environment' });
  });
});

describe('rotating IDENTITY_TOKEN_SECRET', () => {
  const OLD = 'old-secret-'.padEnd(40, 'o');
  const NEW = 'new-secret-'.padEnd(40, 'n');
  let dir: string;
  const apps: INestApplication[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'identity-rotation-'));
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const envWith = (secret: string): NodeJS.ProcessEnv => ({
    IDENTITY_DB: 'sqlite',
    SQLITE_PATH: join(dir, 'identity.sqlite'),
    PORT: '0',
    IDENTITY_RATE_LIMIT_PER_SECOND: '0',
    IDENTITY_TOKEN_SECRET: secret,
  });

  async function start(secret: string): Promise<{ app: INestApplication; bootstrapKey?: string }> {
    let printed = '';
    const app = await startDemoHost(envWith(secret), { print: (text) => (printed += text), logger: [] });
    apps.push(app);
    return { app, bootstrapKey: printed.match(/idk_\w+/)?.[0] };
  }

  async function mintKey(secret: string, workspaceId: string): Promise<string> {
    let out = '';
    await runCli(['keys', 'create', '--workspace', workspaceId], envWith(secret), {
      out: (text) => (out += text),
      err: () => undefined,
    });
    return out.match(/idk_\w+/)![0];
  }

  const whoami = (app: INestApplication, key: string) =>
    request(app.getHttpServer()).get('/whoami').set(tokenAuth(key));

  const getOrCreate = (app: INestApplication, key: string) =>
    request(app.getHttpServer())
      .get('/api/user')
      .set(tokenAuth(key))
      .send({ name: 'Acme', user_group_id: 'acme' });

  it('still hands out an embed token sealed before the rotation, and forgets it once the old secret goes', async () => {
    const before = await start(OLD);
    const workspaceId: string = (await whoami(before.app, before.bootstrapKey!)).body.workspaceId;
    const token: string = (await getOrCreate(before.app, before.bootstrapKey!)).body.user_group.token;
    await before.app.close();
    apps.splice(0);

    const rotated = await start(`${NEW},${OLD}`);
    const key = await mintKey(`${NEW},${OLD}`, workspaceId); // hashed under the new secret
    const again = await getOrCreate(rotated.app, key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ new_user_group: false, user_group: { token } });
    await rotated.app.close();
    apps.splice(0);

    const retired = await start(NEW);
    const reissued = await getOrCreate(retired.app, key);
    expect(reissued.status).toBe(200);
    expect(reissued.body.user_group.token).not.toBe(token);
  });

  // Enable once ApiKeysService and UserGroupsService look credentials up through the CredentialVerifier,
  // which tries every hash of TokenHasher.hashes(); today their lookups use the current hash only.
  it('still accepts an API key made before the rotation while the old secret is listed', async () => {
    const before = await start(OLD);
    await before.app.close();
    apps.splice(0);

    const rotated = await start(`${NEW},${OLD}`);
    expect((await whoami(rotated.app, before.bootstrapKey!)).status).toBe(200);
    await rotated.app.close();
    apps.splice(0);

    const retired = await start(NEW);
    expect((await whoami(retired.app, before.bootstrapKey!)).status).toBe(401);
  });
});
