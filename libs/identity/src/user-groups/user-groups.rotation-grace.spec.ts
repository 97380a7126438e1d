import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { IdentityErrorCode, IdentityErrorReason } from '../common/errors/identity-error.js';
import { type ServiceSetup, setup } from '../../testing/service-setup.js';
import { TestClock } from '../../testing/test-clock.js';
import { UserGroupTokenEntity } from './user-group-token.entity.js';
import { UserGroupsService } from './user-groups.service.js';

const ACME = { providedId: 'acme', name: 'Acme' };
const GRACE_MS = 5_000;
/** Far from the wall clock, so a decision that reads `Date.now()` instead of the clock shows. */
const START = Date.UTC(2031, 0, 1, 12, 0, 0);

describe(`${UserGroupsService.name} rotation grace window, on an injected clock`, () => {
  let ctx: ServiceSetup<UserGroupsService>;
  let sut: UserGroupsService;
  let workspaceId: string;
  let clock: TestClock;

  beforeEach(async () => {
    clock = new TestClock(START);
    ctx = await setup(
      UserGroupsService,
      { userGroups: { rotationGraceSeconds: GRACE_MS / 1000 } },
      { clock },
    );
    ({ sut, workspaceId } = ctx);
  });

  afterEach(async () => {
    await ctx.close();
  });

  async function createAndRotate(): Promise<{ old: string; current: string }> {
    const old = (await sut.getOrCreate(workspaceId, ACME)).userGroup.token;
    await expect(sut.findByToken(old)).resolves.toBeDefined(); // cached before the rotation
    const current = (await sut.rotateToken(workspaceId, old)).token;
    return { old, current };
  }

  it('stores the grace end as the clock time of the rotation plus the grace', async () => {
    await createAndRotate();

    const rows = await ctx
      .get(DataSource)
      .getRepository(UserGroupTokenEntity)
      .find({ order: { generation: 'ASC' } });

    expect(rows.map((row) => row.expiresAt?.getTime() ?? null)).toEqual([START + GRACE_MS, null]);
  });

  it('accepts the old token up to the last millisecond of the window and refuses it from its end', async () => {
    const { old, current } = await createAndRotate();

    clock.advance(GRACE_MS - 1);
    await expect(sut.findByToken(old)).resolves.toMatchObject({ name: 'Acme' });

    clock.advance(1);
    await expect(sut.verifyToken(old)).resolves.toMatchObject({ valid: false, failure: 'expired' });
    await expect(sut.verifyToken(old, { fresh: true })).resolves.toMatchObject({
      valid: false,
      failure: 'expired',
    });
    await expect(sut.findByToken(current)).resolves.toMatchObject({ name: 'Acme' });
  });

  it('refuses the old token once the window has passed even though its verdict was cached inside it', async () => {
    const { old } = await createAndRotate();
    await expect(sut.findByToken(old)).resolves.toBeDefined(); // cached, with its grace end

    clock.advance(GRACE_MS + 60_000);

    await expect(sut.findByToken(old)).resolves.toBeUndefined();
  });

  it('says "not current" for a token in its window and "not found" once the window has ended', async () => {
    const { old } = await createAndRotate();

    const inWindow = sut.rotateToken(workspaceId, old);
    await expect(inWindow).rejects.toMatchObject({
      code: IdentityErrorCode.NotFound,
      reason: IdentityErrorReason.TokenNotCurrent,
    });

    clock.advance(GRACE_MS);

    const afterWindow = sut.rotateToken(workspaceId, old);
    await expect(afterWindow).rejects.toMatchObject({
      code: IdentityErrorCode.NotFound,
      reason: IdentityErrorReason.NotFound,
    });
  });
});
