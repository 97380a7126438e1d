import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { isWellFormedToken, mintToken } from '../common/tokens/token-format.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { ApiKeysService } from './api-keys.service.js';

describe(ApiKeysService.name, () => {
  let ctx: ServiceSetup<ApiKeysService>;
  let sut: ApiKeysService;
  let workspaceId: string;

  beforeEach(async () => {
    ctx = await setup(ApiKeysService);
    ({ sut, workspaceId } = ctx);
  });

  afterEach(async () => {
    await ctx.close();
  });

  async function otherWorkspaceId(): Promise<string> {
    return (await ctx.get(WorkspacesService).create('Other workspace')).id;
  }

  describe('create', () => {
    it('returns an idk_ secret that authenticate accepts for its workspace and scope', async () => {
      const { apiKey, secret } = await sut.create(workspaceId, { name: 'reader', scope: 'read' });

      expect(secret).toMatch(/^idk_/);
      expect(isWellFormedToken(secret, 'idk')).toBe(true);
      expect(apiKey).toMatchObject({ workspaceId, name: 'reader', scope: 'read', revokedAt: null });
      await expect(sut.authenticate(secret)).resolves.toEqual({
        workspaceId,
        apiKeyId: apiKey.id,
        scope: 'read',
        apiUser: undefined,
      });
      await expect(sut.authenticate(secret, { apiId: apiKey.prefix, apiUser: 'ops' })).resolves.toMatchObject(
        {
          apiKeyId: apiKey.id,
          apiUser: 'ops',
        },
      );
    });

    it('registers a given well-formed secret instead of minting one', async () => {
      const given = mintToken('idk', 24);

      const { apiKey, secret } = await sut.create(workspaceId, { secret: given });

      expect(secret).toBe(given);
      expect(given.startsWith(`idk_${apiKey.prefix}`)).toBe(true);
      await expect(sut.authenticate(given)).resolves.toMatchObject({ workspaceId, apiKeyId: apiKey.id });
    });

    it('refuses a malformed given secret as a validation error', async () => {
      const good = mintToken('idk', 24);
      const tampered = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');

      await expectIdentityError(sut.create(workspaceId, { secret: tampered }), IdentityErrorCode.Validation);
      await expectIdentityError(
        sut.create(workspaceId, { secret: mintToken('ugt', 24) }),
        IdentityErrorCode.Validation,
      );
      await expect(sut.list(workspaceId)).resolves.toEqual([]);
    });

    it('refuses registering the same secret twice as a conflict', async () => {
      const given = mintToken('idk', 24);
      await sut.create(workspaceId, { secret: given });

      await expectIdentityError(sut.create(workspaceId, { secret: given }), IdentityErrorCode.Conflict);
      await expect(sut.list(workspaceId)).resolves.toHaveLength(1);
    });

    it('refuses a workspace that does not exist', async () => {
      await expectIdentityError(sut.create(randomUUID(), {}), IdentityErrorCode.NotFound);
      await expectIdentityError(sut.create('not-a-uuid', {}), IdentityErrorCode.NotFound);
    });
  });

  describe('list', () => {
    it('never contains a hash or a secret', async () => {
      const first = await sut.create(workspaceId, { name: 'first' });
      const second = await sut.create(workspaceId, { name: 'second' });

      const keys = await sut.list(workspaceId);

      expect(keys.map((key) => key.id).sort()).toEqual([first.apiKey.id, second.apiKey.id].sort());
      for (const key of keys) {
        expect(key).not.toHaveProperty('hash');
        expect(key).not.toHaveProperty('secret');
      }
      const shown = JSON.stringify(keys);
      expect(shown).not.toContain(first.secret);
      expect(shown).not.toContain(second.secret);
    });
  });

  describe('get and revoke', () => {
    it("do not find another workspace's key", async () => {
      const { apiKey, secret } = await sut.create(workspaceId, {});
      const other = await otherWorkspaceId();

      await expectIdentityError(sut.get(other, apiKey.id), IdentityErrorCode.NotFound);
      await expectIdentityError(sut.revoke(other, apiKey.id), IdentityErrorCode.NotFound);
      await expect(sut.authenticate(secret)).resolves.toMatchObject({ apiKeyId: apiKey.id });
      await expect(sut.get(workspaceId, apiKey.id)).resolves.toMatchObject({ revokedAt: null });
    });

    it('revoke refuses the key on the next authenticate, even right after a cached success', async () => {
      const { apiKey, secret } = await sut.create(workspaceId, {});
      await sut.authenticate(secret);

      const revoked = await sut.revoke(workspaceId, apiKey.id);

      expect(revoked.revokedAt).toBeInstanceOf(Date);
      await expectIdentityError(sut.authenticate(secret), IdentityErrorCode.Unauthenticated);
    });
  });

  describe('authenticate', () => {
    it('refuses an Api-id that names a different key', async () => {
      const { secret } = await sut.create(workspaceId, {});
      const other = await sut.create(workspaceId, {});

      await expectIdentityError(
        sut.authenticate(secret, { apiId: other.apiKey.prefix }),
        IdentityErrorCode.Unauthenticated,
      );
    });
  });

  describe('audit', () => {
    it('records one row for the create and one for the revoke, however often it is revoked', async () => {
      const { apiKey } = await sut.create(workspaceId, {});
      await sut.revoke(workspaceId, apiKey.id);
      await sut.revoke(workspaceId, apiKey.id);

      const rows = await ctx.get(AuditService).list(workspaceId);

      expect(rows.map((row) => row.action).sort()).toEqual(['api-key.create', 'api-key.revoke']);
      for (const row of rows) {
        expect(row).toMatchObject({ targetType: 'api_key', targetId: apiKey.id, actorType: 'system' });
      }
    });

    it('records one revoke when two revokes of one key overlap, and both answer with the stored time', async () => {
      const { apiKey } = await sut.create(workspaceId, {});
      const [first, second] = await Promise.all([
        sut.revoke(workspaceId, apiKey.id),
        sut.revoke(workspaceId, apiKey.id),
      ]);

      const rows = await ctx.get(AuditService).list(workspaceId);

      expect(rows.filter((row) => row.action === 'api-key.revoke')).toHaveLength(1);
      expect(first.revokedAt).toEqual(second.revokedAt);
    });
  });
});
