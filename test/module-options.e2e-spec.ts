import { afterEach, describe, expect, it } from '@jest/globals';
import { type INestApplication, Injectable, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import {
  ApiKeysService,
  IdentityEvents,
  IdentityModule,
  IdentityOptionsError,
  type IdentityModuleExtras,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { typeOrmOptions } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from './utils/database.js';
import { tokenAuth } from './utils/fixtures.js';
import { TEST_TOKEN_SECRET } from './utils/test-app.js';

/** Stands in for a host's own configuration service, read through forRootAsync. */
@Injectable()
class HostSettings {
  readonly identitySecret = TEST_TOKEN_SECRET;
}

@Module({ providers: [HostSettings], exports: [HostSettings] })
class HostSettingsModule {}

describe('IdentityModule options in a host of its own', () => {
  let app: INestApplication | undefined;
  let database: TestDatabase | undefined;

  afterEach(async () => {
    await app?.close();
    await database?.drop();
    app = undefined;
    database = undefined;
  });

  async function boot(extras: IdentityModuleExtras, secret?: () => string, inMemory = false) {
    // A boot that fails leaves its connection open (Nest never returns the app to close); an
    // in-memory SQLite database has no pool or socket to leak.
    database = inMemory ? undefined : await createTestDatabase();
    @Module({
      imports: [
        TypeOrmModule.forRoot(
          typeOrmOptions(database?.config ?? { type: 'sqlite', path: ':memory:' }, { logging: false }),
        ),
        EventEmitterModule.forRoot(),
        IdentityModule.forRootAsync({
          ...extras,
          imports: [HostSettingsModule],
          inject: [HostSettings],
          useFactory: (settings: HostSettings) => ({
            tokenSecret: secret ? secret() : settings.identitySecret,
            rateLimit: false,
          }),
        }),
      ],
    })
    class HostModule {}
    app = await NestFactory.create(HostModule, { logger: false, abortOnError: false });
    await app.init();
    const workspace = await app.get(WorkspacesService).create('Host');
    const { secret: key } = await app.get(ApiKeysService).create(workspace.id, { scope: 'write' });
    return { http: request(app.getHttpServer()), key, workspaceId: workspace.id };
  }

  it('mounts only the chosen features, at the chosen paths, with options from forRootAsync', async () => {
    const { http, key } = await boot({ features: ['user-groups'], paths: { userGroups: '/explo' } });
    const moved = await http.get('/explo/user').set(tokenAuth(key)).send({ name: 'A', user_group_id: 'a' });
    expect(moved.status).toBe(200);
    expect(moved.body.success).toBe(1);
    expect((await http.get('/api/user').set(tokenAuth(key))).status).toBe(404);
  });

  it('leaves the user-group routes out when that feature is not chosen', async () => {
    const { http, key } = await boot({ features: ['end-users'] });
    expect((await http.get('/api/user').set(tokenAuth(key))).status).toBe(404);
    expect((await http.get('/identity/api-keys').set(tokenAuth(key))).status).toBe(200);
  });

  it('emits events with ids and never a token', async () => {
    const { http, key, workspaceId } = await boot({});
    const seen: { name: string; payload: Record<string, unknown> }[] = [];
    app!.get(EventEmitter2).onAny((name: string | string[], payload: Record<string, unknown>) => {
      seen.push({ name: String(name), payload });
    });
    const created = await http.get('/api/user').set(tokenAuth(key)).send({ name: 'E', user_group_id: 'e' });
    const token: string = created.body.user_group.token;
    const rotated = await http.post('/api/user').set(tokenAuth(key)).send({ current_token: token });
    expect(seen.map((e) => e.name)).toEqual([
      IdentityEvents.userGroupCreated,
      IdentityEvents.userGroupTokenRotated,
    ]);
    expect(seen[1].payload).toMatchObject({ workspaceId, generation: 2 });
    const dump = JSON.stringify(seen);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(rotated.body.user_group.token);
  });

  it('refuses an unknown feature and a bad path at once, saying what to fix', () => {
    expect(() => IdentityModule.forRoot({ features: ['bogus' as never] })).toThrow(IdentityOptionsError);
    expect(() => IdentityModule.forRoot({ features: ['bogus' as never] })).toThrow(/bogus.*user-groups/s);
    expect(() => IdentityModule.forRoot({ paths: { userGroups: 'no slash' } })).toThrow(/paths\.userGroups/);
  });

  it('refuses to start without a tokenSecret in any environment, naming the option and the opt-in', async () => {
    for (const nodeEnv of ['production', 'development']) {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = nodeEnv;
      try {
        const refused = boot({}, () => '', true);
        await expect(refused).rejects.toThrow(IdentityOptionsError);
        await expect(refused).rejects.toThrow(/tokenSecret is missing.*insecureDevelopmentSecret: true/s);
      } finally {
        process.env.NODE_ENV = previous;
      }
    }
  });

  it('starts on the public development secret only when asked, warning at every start', async () => {
    const warnings: { message: string; context: unknown }[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: string, context?: unknown) => warnings.push({ message, context }),
    };
    for (let start = 0; start < 2; start++) {
      @Module({
        imports: [
          TypeOrmModule.forRoot(typeOrmOptions({ type: 'sqlite', path: ':memory:' }, { logging: false })),
          IdentityModule.forRoot({ insecureDevelopmentSecret: true, rateLimit: false }),
        ],
      })
      class DevelopmentHost {}
      const started = await NestFactory.create(DevelopmentHost, { logger });
      await started.init();
      const workspace = await started.get(WorkspacesService).create('Dev');
      const { secret: key } = await started.get(ApiKeysService).create(workspace.id, { scope: 'read' });
      expect(
        (await request(started.getHttpServer()).get('/identity/api-keys').set(tokenAuth(key))).status,
      ).toBe(200);
      await started.close();
    }
    expect(warnings).toEqual([
      { message: expect.stringContaining('insecureDevelopmentSecret is on'), context: 'IdentityModule' },
      { message: expect.stringContaining('insecureDevelopmentSecret is on'), context: 'IdentityModule' },
    ]);
  });
});
