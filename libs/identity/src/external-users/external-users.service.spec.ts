import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { ChannelsService } from './channels.service.js';
import { ExternalUserQuotasService, quotaPeriodOf } from './external-user-quotas.service.js';
import { ExternalUserTokensService } from './external-user-tokens.service.js';
import { ExternalUserTokenEntity } from './external-user-token.entity.js';
import { ExternalUsersService } from './external-users.service.js';
import { TiersService } from './tiers.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

describe(ExternalUsersService.name, () => {
  let ctx: ServiceSetup<ExternalUsersService>;
  let sut: ExternalUsersService;
  let workspaceId: string;
  let channelId: string;

  beforeEach(async () => {
    ctx = await setup(ExternalUsersService, { externalUsers: { accessTokenTtlSeconds: 120 } });
    ({ sut, workspaceId } = ctx);
    channelId = (await ctx.get(ChannelsService).create(workspaceId, { name: 'Web' })).id;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  describe('authenticate', () => {
    it('answers a first visit whose user another request created meanwhile as a find, not an error', async () => {
      const first = await sut.authenticate(workspaceId, { channelId, externalId: 'raced' });
      // The racing request looked before the winner committed: its lookup found nothing.
      const find = jest.spyOn(
        sut as unknown as { findForAuthentication: () => Promise<unknown> },
        'findForAuthentication',
      );
      find.mockResolvedValueOnce(null);
      const second = await sut.authenticate(workspaceId, { channelId, externalId: 'raced' });
      expect(second).toMatchObject({ created: false, user: { id: first.user.id } });
      expect(second.accessToken).not.toBe(first.accessToken);
    });

    it('creates an anonymous user when nothing identifies it, and finds it again by id', async () => {
      const anonymous = await sut.authenticate(workspaceId, { channelId });
      expect(anonymous.created).toBe(true);
      expect(anonymous.user).toMatchObject({ externalId: null, identifier: null });
      const back = await sut.authenticate(workspaceId, { channelId, id: anonymous.user.id });
      expect(back).toMatchObject({ created: false, user: { id: anonymous.user.id } });
    });

    it('answers 404 for an id that is not a user of the channel, when nothing else identifies one', async () => {
      const other = (await ctx.get(ChannelsService).create(workspaceId, { name: 'Other' })).id;
      const user = await sut.authenticate(workspaceId, { channelId: other, externalId: 'elsewhere' });
      await expectIdentityError(
        sut.authenticate(workspaceId, { channelId, id: user.user.id }),
        IdentityErrorCode.NotFound,
      );
    });

    it('issues tokens that live accessTokenTtlSeconds', async () => {
      const before = Date.now();
      const { user, accessTokenExpiresAt } = await sut.create(workspaceId, { channelId });
      const row = await ctx
        .get(DataSource)
        .manager.findOneByOrFail(ExternalUserTokenEntity, { externalUserId: user.id });
      expect(row.expiresAt.getTime()).toBe(accessTokenExpiresAt.getTime());
      expect(accessTokenExpiresAt.getTime() - before).toBeGreaterThanOrEqual(120_000);
      expect(accessTokenExpiresAt.getTime() - before).toBeLessThan(121_000 + (Date.now() - before));
    });
  });

  describe('super identities', () => {
    it('links a user to another person and deletes the super identity nobody uses any more', async () => {
      const web = await sut.create(workspaceId, { channelId, externalId: 'web-ana' });
      const phone = await sut.create(workspaceId, { channelId, externalId: 'phone-ana' });
      const orphan = phone.user.superIdentityId;
      const linked = await sut.linkSuperIdentity(workspaceId, phone.user.id, web.user.superIdentityId);
      expect(linked.superIdentityId).toBe(web.user.superIdentityId);
      const rows: unknown[] = await ctx
        .get(DataSource)
        .query('SELECT id FROM identity_super_identities WHERE id = ?', [orphan]);
      expect(rows).toEqual([]);
      const third = await sut.create(workspaceId, { channelId, superIdentityId: web.user.superIdentityId });
      expect(third.user.superIdentityId).toBe(web.user.superIdentityId);
    });

    it("refuses another workspace's super identity (404)", async () => {
      const other = await ctx.get(WorkspacesService).create('Other');
      const theirChannel = (await ctx.get(ChannelsService).create(other.id, { name: 'Theirs' })).id;
      const theirs = await sut.create(other.id, { channelId: theirChannel });
      const mine = await sut.create(workspaceId, { channelId });
      await expectIdentityError(
        sut.linkSuperIdentity(workspaceId, mine.user.id, theirs.user.superIdentityId),
        IdentityErrorCode.NotFound,
      );
      await expectIdentityError(
        sut.create(workspaceId, { channelId, superIdentityId: theirs.user.superIdentityId }),
        IdentityErrorCode.NotFound,
      );
    });
  });

  describe('list', () => {
    it('reads a deep page as the ordinal range under it', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        ids.push((await sut.create(workspaceId, { channelId })).user.id);
      }
      const page3 = await sut.list(workspaceId, { pageNumber: 3, pageSize: 10 });
      expect(page3.map((u) => u.id)).toEqual(ids.slice(20));
      expect(page3.map((u) => u.ordinal)).toEqual([21, 22, 23, 24, 25]);
      expect(await sut.list(workspaceId, { pageNumber: 4, pageSize: 10 })).toEqual([]);
    });

    it('pages a filter in creation order, page N following page N-1', async () => {
      const otherChannel = (await ctx.get(ChannelsService).create(workspaceId, { name: 'App' })).id;
      const inChannel: string[] = [];
      for (let i = 0; i < 24; i++) {
        const { user } = await sut.create(workspaceId, { channelId: i % 3 === 0 ? otherChannel : channelId });
        if (i % 3 !== 0) {
          inChannel.push(user.id);
        }
      }
      const pages = [];
      for (let pageNumber = 1; pageNumber <= 4; pageNumber++) {
        pages.push(await sut.list(workspaceId, { channelIds: [channelId], pageNumber, pageSize: 5 }));
      }
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 1]);
      expect(pages.flat().map((u) => u.id)).toEqual(inChannel);
      const both = await sut.list(workspaceId, { channelIds: [channelId, otherChannel], pageNumber: 2 });
      expect(both.map((u) => u.ordinal)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    });

    it("finds nothing through another workspace's filter ids", async () => {
      const other = await ctx.get(WorkspacesService).create('Other');
      const theirChannel = (await ctx.get(ChannelsService).create(other.id, { name: 'Theirs' })).id;
      await sut.create(other.id, { channelId: theirChannel });
      await sut.create(workspaceId, { channelId });
      expect(await sut.list(workspaceId, { channelIds: [theirChannel] })).toEqual([]);
      expect(await sut.list(other.id, { channelIds: [theirChannel] })).toHaveLength(1);
    });

    it("reads a deep page of one channel as a range of the channel's index, and skips other filters' rows in their index alone", async () => {
      const plans: string[] = [];
      const dataSource = ctx.get(DataSource);
      const { user } = await sut.create(workspaceId, { channelId });
      const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
      const watched = new WeakSet<object>(); // SQLite hands out one runner again and again
      jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((mode) => {
        const runner = createQueryRunner(mode);
        if (watched.has(runner)) {
          return runner;
        }
        watched.add(runner);
        const query = runner.query.bind(runner);
        runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
          if (sql.includes('FROM "identity_external_users" "u"')) {
            const plan: { detail: string }[] = await query(`EXPLAIN QUERY PLAN ${sql}`, parameters);
            plans.push(plan.map((row) => row.detail).join(' | '));
          }
          return query(sql, parameters, structured as true);
        }) as typeof runner.query;
        return runner;
      });
      for (const filter of [
        { channelIds: [channelId] },
        { superIdentityIds: [user.superIdentityId] },
        { tierIds: [user.id] },
        { externalUserGroupIds: [user.id] },
      ]) {
        await sut.list(workspaceId, { ...filter, pageNumber: 1000 });
      }
      expect(plans).toEqual([
        expect.stringMatching(
          /^SEARCH u USING INDEX idx_identity_external_users_channel \(channel_id=\? AND workspace_id=\? AND channel_ordinal>\?\)$/,
        ),
        ...['super_identity', 'tier', 'group'].map((index) =>
          expect.stringContaining(`SEARCH p USING COVERING INDEX idx_identity_external_users_${index} `),
        ),
      ]);
    });

    it("numbers each channel's users 1, 2, 3… in creation order", async () => {
      const otherChannel = (await ctx.get(ChannelsService).create(workspaceId, { name: 'App' })).id;
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          (await sut.create(workspaceId, { channelId: i % 2 === 0 ? channelId : otherChannel })).user,
        );
      }
      expect(made.map((u) => [u.ordinal, u.channelOrdinal])).toEqual([
        [1, 1],
        [2, 1],
        [3, 2],
        [4, 2],
        [5, 3],
      ]);
    });

    it('refuses page bounds from host code too', async () => {
      await expectIdentityError(sut.list(workspaceId, { pageSize: 101 }), IdentityErrorCode.Validation);
      await expectIdentityError(sut.list(workspaceId, { pageNumber: 0 }), IdentityErrorCode.Validation);
    });
  });

  describe('quotas', () => {
    const JAN_31_LATE = new Date('2030-01-31T23:59:59.999Z');
    const FEB_1 = new Date('2030-02-01T00:00:00.000Z');

    it('spends up to the limit of the effective tier, then refuses with the reset time, and starts again next month', async () => {
      const tier = await ctx.get(TiersService).create(workspaceId, {
        name: 'Two',
        description: 'Two a month',
        maxAssistantMessages: 2,
      });
      const { user } = await sut.create(workspaceId, { channelId, tierId: tier.id });
      const quotas = ctx.get(ExternalUserQuotasService);
      const subject = {
        id: user.id,
        workspaceId,
        tier: { id: tier.id, name: 'Two', maxAssistantMessages: 2 },
      };
      expect((await quotas.consume(subject, 'assistantMessages', JAN_31_LATE)).remaining).toBe(1);
      expect((await quotas.consume(subject, 'assistantMessages', JAN_31_LATE)).remaining).toBe(0);
      const refused = quotas.consume(subject, 'assistantMessages', JAN_31_LATE);
      await expectIdentityError(refused, IdentityErrorCode.RateLimited);
      await expect(refused).rejects.toMatchObject({
        message: expect.stringContaining('2030-02-01T00:00:00.000Z'),
        details: { retryAfterSeconds: 1 },
      });
      expect((await sut.usage(workspaceId, user.id, JAN_31_LATE)).assistantMessages).toMatchObject({
        period: '2030-01',
        used: 2,
        limit: 2,
        remaining: 0,
      });
      expect((await quotas.consume(subject, 'assistantMessages', FEB_1)).used).toBe(1);
      expect((await sut.usage(workspaceId, user.id, FEB_1)).assistantMessages.used).toBe(1);
    });

    it('labels UTC months and days, the next period starting at midnight UTC', () => {
      expect(quotaPeriodOf(new Date('2030-12-31T23:30:00-05:00'), 'month')).toEqual({
        label: '2031-01',
        resetsAt: new Date('2031-02-01T00:00:00Z'),
      });
      expect(quotaPeriodOf(new Date('2030-12-31T12:00:00Z'), 'month')).toEqual({
        label: '2030-12',
        resetsAt: new Date('2031-01-01T00:00:00Z'),
      });
      expect(quotaPeriodOf(new Date('2030-02-28T08:00:00Z'), 'day')).toEqual({
        label: '2030-02-28',
        resetsAt: new Date('2030-03-01T00:00:00Z'),
      });
    });
  });

  describe('access tokens', () => {
    it('refuses a blocked user with the refusal the guard turns into 403, and accepts it again after unblocking', async () => {
      const { user, accessToken } = await sut.create(workspaceId, { channelId });
      const tokens = ctx.get(ExternalUserTokensService);
      expect(await tokens.verify(accessToken)).toMatchObject({ valid: true, principal: { id: user.id } });
      await sut.block(workspaceId, user.id);
      expect(await tokens.verify(accessToken)).toMatchObject({
        valid: false,
        failure: 'refused',
        refusal: 'blocked',
      });
      await sut.unblock(workspaceId, user.id);
      expect(await tokens.verify(accessToken)).toMatchObject({ valid: true });
    });
  });
});
