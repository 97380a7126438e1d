import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { WorkspacesService } from './workspaces.service.js';

describe(WorkspacesService.name, () => {
  let ctx: ServiceSetup<WorkspacesService>;
  let sut: WorkspacesService;

  beforeEach(async () => {
    ctx = await setup(WorkspacesService);
    ({ sut } = ctx);
  });

  afterEach(async () => {
    await ctx.close();
  });

  describe('create', () => {
    it('keeps every workspace it reports as created, even while another write rolls back', async () => {
      const keys = ctx.get(ApiKeysService);
      const { secret } = await keys.create(ctx.workspaceId, {});
      const lost: number[] = [];
      // Start the create k microtasks into a key registration that fails (a conflict) and rolls back,
      // so that across the runs it lands at every point of that transaction.
      for (let k = 0; k < 60; k++) {
        const conflicting = keys.create(ctx.workspaceId, { secret }).catch(() => undefined);
        const delayed = async () => {
          for (let i = 0; i < k; i++) {
            await Promise.resolve();
          }
          return sut.create(`Workspace ${k}`);
        };
        const [, workspace] = await Promise.all([conflicting, delayed()]);
        if (!(await sut.get(workspace.id).catch(() => undefined))) {
          lost.push(k);
        }
      }
      expect(lost).toEqual([]);
    });

    it('trims the name and stores the trimmed name', async () => {
      const workspace = await sut.create('  Acme  ');

      expect(workspace.name).toBe('Acme');
      await expect(sut.get(workspace.id)).resolves.toMatchObject({ id: workspace.id, name: 'Acme' });
    });

    it('accepts a name of exactly 200 characters', async () => {
      await expect(sut.create('n'.repeat(200))).resolves.toMatchObject({ name: 'n'.repeat(200) });
    });

    it.each([
      ['an empty name', ''],
      ['a name of only spaces', '   '],
      ['a name over 200 characters', 'n'.repeat(201)],
    ])('refuses %s as a validation error, creating nothing', async (_case, name) => {
      await expectIdentityError(sut.create(name), IdentityErrorCode.Validation);
      await expect(sut.count()).resolves.toBe(1);
    });
  });

  describe('get', () => {
    it('does not find an id that is not a uuid', async () => {
      await expectIdentityError(sut.get('not-a-uuid'), IdentityErrorCode.NotFound);
      await expectIdentityError(sut.get("' OR 1=1 --"), IdentityErrorCode.NotFound);
    });

    it('does not find an unknown uuid', async () => {
      await expectIdentityError(sut.get(randomUUID()), IdentityErrorCode.NotFound);
    });

    it('finds the workspace created by setup', async () => {
      await expect(sut.get(ctx.workspaceId)).resolves.toMatchObject({ id: ctx.workspaceId });
    });
  });

  describe('list', () => {
    it('lists workspaces oldest first', async () => {
      const created: string[] = [];
      for (const name of ['Charlie', 'Alpha', 'Bravo']) {
        // A few ms apart: creation times have millisecond resolution.
        await sleep(5);
        created.push((await sut.create(name)).id);
      }

      const listed = await sut.list();

      expect(listed.map((workspace) => workspace.id)).toEqual([ctx.workspaceId, ...created]);
      expect(listed.map((workspace) => workspace.name)).toEqual([
        'Test workspace',
        'Charlie',
        'Alpha',
        'Bravo',
      ]);
    });
  });
});
