import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * Holds the key lookup of `authenticate` after the database answered and before the answer reaches the
 * service, through the entity manager's `query` (the path of the lean lookup; the writes of `revoke` go
 * through query runners and pass untouched).
 */
function holdKeyLookups(manager: Repository<ApiKeyEntity>['manager']) {
  const query = manager.query.bind(manager);
  let answered: () => void = () => undefined;
  const lookupAnswered = new Promise<void>((resolve) => (answered = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let lookups = 0;
  jest
    .spyOn(manager, 'query')
    .mockImplementation(async (sql: string, params?: Parameters<typeof query>[1]) => {
      const rows: unknown = await query(sql, params);
      if (/FROM identity_api_keys WHERE hash/.test(sql)) {
        lookups++;
        answered();
        await released;
      }
      return rows;
    });
  return { lookupAnswered, release, lookups: () => lookups };
}

describe(`${ApiKeysService.name} revoke racing an in-flight check`, () => {
  let ctx: ServiceSetup<ApiKeysService>;
  let sut: ApiKeysService;
  let workspaceId: string;

  beforeEach(async () => {
    ctx = await setup(ApiKeysService);
    ({ sut, workspaceId } = ctx);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  it('leaves no cached "valid" verdict when the revoke commits between the lookup and its return', async () => {
    const { apiKey, secret } = await sut.create(workspaceId, { scope: 'read' });
    const hold = holdKeyLookups(
      ctx.module.get<Repository<ApiKeyEntity>>(getRepositoryToken(ApiKeyEntity)).manager,
    );

    const check = sut.authenticate(secret);
    await hold.lookupAnswered; // the row was read while the key was live
    await sut.revoke(workspaceId, apiKey.id);
    hold.release();

    await expect(check).resolves.toMatchObject({ apiKeyId: apiKey.id }); // it read the key before the revoke
    await expectIdentityError(sut.authenticate(secret), IdentityErrorCode.Unauthenticated);
    expect(hold.lookups()).toBe(2); // the second check read the database, not a cached verdict
  });

  it('caches a verdict when nothing was invalidated meanwhile, so the seam itself holds nothing back', async () => {
    const { secret } = await sut.create(workspaceId, {});
    const hold = holdKeyLookups(
      ctx.module.get<Repository<ApiKeyEntity>>(getRepositoryToken(ApiKeyEntity)).manager,
    );
    hold.release();

    await sut.authenticate(secret);
    await sut.authenticate(secret);

    expect(hold.lookups()).toBe(1);
  });
});
