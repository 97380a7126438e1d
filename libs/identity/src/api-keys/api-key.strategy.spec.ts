import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { fakeRequest, httpContext } from '../../testing/index.js';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from '../identity.entities.js';
import { IdentityModule } from '../identity.module.js';
import { API_KEY_STRATEGY, ApiKeyStrategy } from '../passport.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import type { ApiKeyPrincipal } from './api-keys.service.js';
import { ApiKeysService } from './api-keys.service.js';

// nestjs-identity/passport: a host that composes passport strategies adds ApiKeyStrategy to its providers.
describe('ApiKeyStrategy (nestjs-identity/passport)', () => {
  let module: TestingModule;
  let secret: string;
  let workspaceId: string;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: IDENTITY_ENTITIES,
          migrations: IDENTITY_MIGRATIONS,
          migrationsRun: true,
          logging: false,
        }),
        IdentityModule.forRoot({ tokenSecret: 'x'.repeat(40), rateLimit: false, isGlobal: true }),
      ],
      providers: [ApiKeyStrategy],
    }).compile();
    await module.init();
    workspaceId = (await module.get(WorkspacesService).create('Passport')).id;
    secret = (await module.get(ApiKeysService).create(workspaceId, { name: 'passport', scope: 'read' }))
      .secret;
  });

  afterAll(async () => {
    await module.close();
  });

  const guard = () => new (AuthGuard(API_KEY_STRATEGY))();
  const check = (request: object) => guard().canActivate(httpContext({ request })) as Promise<boolean>;

  it('lets AuthGuard("identity-api-key") through with a valid key and attaches the principal', async () => {
    const request = fakeRequest({ headers: { Authorization: `Bearer ${secret}` } });
    await expect(check(request)).resolves.toBe(true);
    expect((request.user as ApiKeyPrincipal).workspaceId).toBe(workspaceId);
  });

  it('refuses an unknown key with 401', async () => {
    const request = fakeRequest({ headers: { Authorization: `Bearer ${secret.slice(0, -1)}x` } });
    const refusal = await check(request).then(
      () => undefined,
      (err: unknown) => err as HttpException,
    );
    expect(refusal).toBeInstanceOf(HttpException);
    expect(refusal?.getStatus()).toBe(401);
    expect(request.user).toBeUndefined();
  });
});
