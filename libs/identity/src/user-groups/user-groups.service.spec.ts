import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../audit/caller.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { TokenSealer } from '../common/tokens/token-sealer.js';
import { resolveIdentityOptions } from '../identity.module-definition.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { UserGroupTokenEntity } from './user-group-token.entity.js';
import { UserGroupsService } from './user-groups.service.js';

const ACME = { providedId: 'acme', name: 'Acme' };

describe(UserGroupsService.name, () => {
  let ctx: ServiceSetup<UserGroupsService>;
  let sut: UserGroupsService;
  let workspaceId: string;

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  /** A read-only API key calling. */
  function readCaller(): Caller {
    return { workspaceId, actor: { type: 'api_key', id: 'reader' }, scope: 'read' };
  }

  async function createAcme(): Promise<string> {
    return (await sut.getOrCreate(workspaceId, ACME)).userGroup.token;
  }

  describe('with no rotation grace window', () => {
    beforeEach(async () => {
      ctx = await setup(UserGroupsService);
      ({ sut, workspaceId } = ctx);
    });

    describe('rotateToken, many times', () => {
      it('keeps at most three token rows per group, and only the newest token works', async () => {
        const tokens = [await createAcme()];
        for (let i = 0; i < 10; i++) {
          tokens.push((await sut.rotateToken(workspaceId, tokens[tokens.length - 1])).token);
        }

        const rows = await ctx.get(DataSource).getRepository(UserGroupTokenEntity).count();
        expect(rows).toBeLessThanOrEqual(3);
        const found = await Promise.all(tokens.map((token) => sut.findByToken(token)));
        expect(found.slice(0, -1).every((principal) => principal === undefined)).toBe(true);
        expect(found[found.length - 1]).toBeDefined();
      });
    });

    describe('getOrCreate', () => {
      it('creates exactly one group when 20 first calls overlap in one process', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => sut.getOrCreate(workspaceId, ACME)),
        );

        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.userGroup.token)).size).toBe(1);
      });

      it('creates every group when calls for different ids overlap', async () => {
        const results = await Promise.all(
          ['a', 'b', 'c', 'd'].map((id) => sut.getOrCreate(workspaceId, { providedId: id, name: id })),
        );

        expect(results.every((r) => r.created)).toBe(true);
        expect(await Promise.all(results.map((r) => sut.findByToken(r.userGroup.token)))).not.toContain(
          undefined,
        );
      });

      it('creates the group once, then returns it with the same token', async () => {
        const first = await sut.getOrCreate(workspaceId, ACME);
        const second = await sut.getOrCreate(workspaceId, { ...ACME, name: 'Ignored' });

        expect(first.created).toBe(true);
        expect(first.userGroup.token).toMatch(/^ugt_/);
        expect(second.created).toBe(false);
        expect(second.userGroup).toMatchObject({ id: first.userGroup.id, name: 'Acme' });
        expect(second.userGroup.token).toBe(first.userGroup.token);
      });

      it('keeps the Customer and Testing environments apart', async () => {
        const customer = await sut.getOrCreate(workspaceId, ACME);
        const testing = await sut.getOrCreate(workspaceId, { ...ACME, apiEnvironmentTag: 'Testing' });

        expect(customer.userGroup.apiEnvironmentTag).toBe('Customer');
        expect(testing).toMatchObject({ created: true, userGroup: { apiEnvironmentTag: 'Testing' } });
        expect(testing.userGroup.id).not.toBe(customer.userGroup.id);
        expect(testing.userGroup.token).not.toBe(customer.userGroup.token);
        await expect(sut.findByToken(testing.userGroup.token)).resolves.toMatchObject({
          id: testing.userGroup.id,
          apiEnvironmentTag: 'Testing',
        });
      });

      it('refuses properties of more than 16 KiB of JSON as a validation error', async () => {
        const properties = { blob: 'x'.repeat(16 * 1024) };

        await expectIdentityError(
          sut.getOrCreate(workspaceId, { ...ACME, properties }),
          IdentityErrorCode.Validation,
        );
        const token = await createAcme();
        await expectIdentityError(
          sut.update(workspaceId, token, { properties }),
          IdentityErrorCode.Validation,
        );
      });

      it('reissues the token when the sealed copy cannot be opened (module secret changed)', async () => {
        const old = await createAcme();
        const otherSealer = new TokenSealer(resolveIdentityOptions({ tokenSecret: 'y'.repeat(40) }, {}));
        await ctx
          .get(DataSource)
          .getRepository(UserGroupTokenEntity)
          .update({ workspaceId }, { sealed: otherSealer.seal(old) });

        // a read-only caller may not re-issue: that is a write
        await expectIdentityError(sut.getOrCreate(readCaller(), ACME), IdentityErrorCode.Forbidden);
        await expectIdentityError(
          sut.getOrCreate(readCaller(), { providedId: 'new', name: 'New' }),
          IdentityErrorCode.Forbidden,
        );

        const { userGroup, created } = await sut.getOrCreate(workspaceId, ACME);

        expect(created).toBe(false);
        expect(userGroup.token).toMatch(/^ugt_/);
        expect(userGroup.token).not.toBe(old);
        await expect(sut.findByToken(userGroup.token)).resolves.toMatchObject({ id: userGroup.id });
        await expect(sut.findByToken(old)).resolves.toBeUndefined();
        const actions = (await ctx.get(AuditService).list(workspaceId)).map((row) => row.action);
        expect(actions).toContain('user-group.reissue-token');
      });
    });

    describe('rotateToken', () => {
      it('returns a new token; the old one stops working at once', async () => {
        const old = await createAcme();
        await expect(sut.findByToken(old)).resolves.toBeDefined();

        const rotated = await sut.rotateToken(workspaceId, old);

        expect(rotated.token).toMatch(/^ugt_/);
        expect(rotated.token).not.toBe(old);
        await expect(sut.findByToken(old)).resolves.toBeUndefined();
        await expect(sut.findByToken(rotated.token)).resolves.toMatchObject({
          id: rotated.id,
          workspaceId,
          providedId: 'acme',
          name: 'Acme',
        });
        await expect(sut.getOrCreate(workspaceId, ACME)).resolves.toMatchObject({
          userGroup: { token: rotated.token },
        });
      });
    });

    describe('update', () => {
      it('changes the name, and null clears the properties', async () => {
        const { userGroup } = await sut.getOrCreate(workspaceId, { ...ACME, properties: { plan: 'gold' } });
        await expect(sut.findByToken(userGroup.token)).resolves.toMatchObject({
          properties: { plan: 'gold' },
        });

        const updated = await sut.update(workspaceId, userGroup.token, {
          name: 'Acme Corp',
          properties: null,
        });

        expect(updated).toMatchObject({ name: 'Acme Corp', properties: null, token: userGroup.token });
        await expect(sut.findByToken(userGroup.token)).resolves.toMatchObject({
          name: 'Acme Corp',
          properties: null,
        });
        await expect(sut.getOrCreate(workspaceId, ACME)).resolves.toMatchObject({
          userGroup: { name: 'Acme Corp', properties: null },
        });
      });
    });

    describe('delete', () => {
      it('stops the token at once and leaves nothing to rotate', async () => {
        const token = await createAcme();
        await expect(sut.findByToken(token)).resolves.toBeDefined();

        await sut.delete(workspaceId, token);

        await expect(sut.findByToken(token)).resolves.toBeUndefined();
        await expectIdentityError(sut.rotateToken(workspaceId, token), IdentityErrorCode.NotFound);
      });
    });

    describe('in another workspace', () => {
      it('rotate, update and delete do not find the group', async () => {
        const token = await createAcme();
        const other = (await ctx.get(WorkspacesService).create('Other workspace')).id;

        await expectIdentityError(sut.rotateToken(other, token), IdentityErrorCode.NotFound);
        await expectIdentityError(sut.update(other, token, { name: 'Hijacked' }), IdentityErrorCode.NotFound);
        await expectIdentityError(sut.delete(other, token), IdentityErrorCode.NotFound);
        await expect(sut.findByToken(token)).resolves.toMatchObject({ workspaceId, name: 'Acme' });
      });
    });
  });

  describe('with a 5 s rotation grace window', () => {
    beforeEach(async () => {
      ctx = await setup(UserGroupsService, { userGroups: { rotationGraceSeconds: 5 } });
      ({ sut, workspaceId } = ctx);
    });

    it('keeps the old token working until the window ends', async () => {
      const old = await createAcme();
      await expect(sut.findByToken(old)).resolves.toBeDefined();

      const rotated = await sut.rotateToken(workspaceId, old);

      await expect(sut.findByToken(old)).resolves.toMatchObject({ id: rotated.id });
      await expect(sut.findByToken(rotated.token)).resolves.toMatchObject({ id: rotated.id });
      const sixSecondsLater = Date.now() + 6_000;
      jest.spyOn(Date, 'now').mockReturnValue(sixSecondsLater);
      await expect(sut.findByToken(old)).resolves.toBeUndefined();
      await expect(sut.findByToken(rotated.token)).resolves.toMatchObject({ id: rotated.id });
    });

    it('stops a token two rotations old at once', async () => {
      const first = await createAcme();
      const second = await sut.rotateToken(workspaceId, first);
      await expect(sut.findByToken(first)).resolves.toBeDefined();

      const third = await sut.rotateToken(workspaceId, second.token);

      await expect(sut.findByToken(first)).resolves.toBeUndefined();
      await expect(sut.findByToken(second.token)).resolves.toBeDefined();
      await expect(sut.findByToken(third.token)).resolves.toBeDefined();
    });

    it('refuses to rotate with a token that is only in its grace window', async () => {
      const old = await createAcme();
      await sut.rotateToken(workspaceId, old);

      await expectIdentityError(sut.rotateToken(workspaceId, old), IdentityErrorCode.NotFound);
    });
  });
});
