import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { callerOf } from '../api-keys/api-key.decorators.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Caller } from '../audit/caller.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { UserGroupsService } from './user-groups.service.js';

/**
 * A key revoked behind this instance's back (the CLI, another instance on the local bus) is still
 * accepted from the cache for up to `tokenCache.ttlMs`; what it may not do meanwhile is mint an embed
 * token that outlives it.
 */
describe('UserGroupsService with a calling key revoked since its check was cached', () => {
  let ctx: ServiceSetup<UserGroupsService>;
  let caller: Caller;
  let keyId: string;

  beforeEach(async () => {
    ctx = await setup(UserGroupsService);
    const keys = ctx.get(ApiKeysService);
    const { apiKey, secret } = await keys.create(ctx.workspaceId, { scope: 'write' });
    keyId = apiKey.id;
    caller = callerOf(await keys.authenticate(secret)); // cached: a later authenticate would still pass
  });

  afterEach(async () => {
    await ctx.close();
  });

  /** Revokes the key in the database only, as another process would: this instance's cache still says valid. */
  async function revokeBehindTheCache(): Promise<void> {
    await ctx
      .get(DataSource)
      .query('UPDATE identity_api_keys SET revoked_at = ? WHERE id = ?', [new Date().toISOString(), keyId]);
  }

  it('refuses to create a group (and its first token)', async () => {
    await revokeBehindTheCache();
    await expectIdentityError(
      ctx.sut.getOrCreate(caller, { providedId: 'g1', name: 'G' }),
      IdentityErrorCode.Unauthenticated,
    );
    expect(await ctx.get(DataSource).query('SELECT id FROM identity_user_groups')).toEqual([]);
  });

  it('refuses to rotate a token', async () => {
    const { userGroup } = await ctx.sut.getOrCreate(caller, { providedId: 'g1', name: 'G' });
    await revokeBehindTheCache();
    await expectIdentityError(
      ctx.sut.rotateToken(caller, userGroup.token),
      IdentityErrorCode.Unauthenticated,
    );
    await expect(ctx.sut.findByToken(userGroup.token)).resolves.toMatchObject({ id: userGroup.id });
  });

  it('refuses to mint a key', async () => {
    await revokeBehindTheCache();
    await expectIdentityError(ctx.get(ApiKeysService).create(caller, {}), IdentityErrorCode.Unauthenticated);
  });

  it('still lets host code (no API key) do all of it', async () => {
    await revokeBehindTheCache();
    const { userGroup } = await ctx.sut.getOrCreate(ctx.workspaceId, { providedId: 'g2', name: 'G' });
    await expect(ctx.sut.rotateToken(ctx.workspaceId, userGroup.token)).resolves.toMatchObject({
      id: userGroup.id,
    });
  });
});
