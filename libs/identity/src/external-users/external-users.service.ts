import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, QueryFailedError } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  isUniqueViolation,
  isUuid,
  queryRows,
  runInTransaction,
  updateRows,
} from '../common/persistence/persistence.js';
import { TokenCache } from '../common/tokens/token-cache.js';
import {
  ExternalUserQuotasService,
  type QuotaName,
  type QuotaUsage,
} from './external-user-quotas.service.js';
import { type EffectiveTier, externalUserTag } from './external-user-tokens.service.js';
import { ExternalUserEntity } from './external-user.entity.js';
import { auditEntry, ExternalUserWriter } from './external-user.writer.js';
import { type ListExternalUsersQuery, listExternalUsers } from './external-users.list.js';
import { checkText, lockReference, MESSAGES } from './external-users.rules.js';
import { SuperIdentityEntity } from './super-identity.entity.js';
import { TierEntity } from './tier.entity.js';

/** Input of `authenticate`: a channel and whatever identifies the user in it. */
export interface AuthenticateExternalUserInput {
  channelId: string;
  /** The user's id, when the client remembers it (an anonymous visitor coming back). */
  id?: string | null;
  /** External reference in the integrated system (3 to 250 characters). */
  externalId?: string | null;
  /** Username, email, phone number… (1 to 250 characters). */
  identifier?: string | null;
}

/** Input of `create`. */
export interface CreateExternalUserInput {
  channelId: string;
  externalId?: string | null;
  identifier?: string | null;
  name?: string | null;
  externalUserGroupId?: string | null;
  tierId?: string | null;
  /** Link the new user to this person's existing super identity instead of a new one (host code only). */
  superIdentityId?: string;
}

/** Changes `update` may make (Zaia's PATCH fields); the channel and the super identity are not among them. */
export interface UpdateExternalUserInput {
  blocked?: boolean;
  externalId?: string | null;
  externalUserGroupId?: string | null;
  identifier?: string | null;
  name?: string | null;
  tierId?: string | null;
}

/** An external user with a freshly minted access token (shown once). */
export interface ExternalUserWithToken {
  user: ExternalUserEntity;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** True when this call created the user (a first visit). */
  created: boolean;
}

const UPDATABLE = ['blocked', 'externalId', 'externalUserGroupId', 'identifier', 'name', 'tierId'] as const;

/** The 409 for a unique index of the users table, told apart by the index's columns. */
function conflictOf(err: unknown): IdentityError | undefined {
  if (!isUniqueViolation(err)) {
    return undefined;
  }
  const driverError = (err as QueryFailedError).driverError as { constraint?: string; message?: string };
  const text = `${driverError.constraint ?? ''} ${driverError.message ?? ''}`;
  return IdentityError.conflict(
    text.includes('identifier') ? MESSAGES.userIdentifierTaken : MESSAGES.userExternalIdTaken,
  );
}

/**
 * Zaia's external users: authenticate (find or create, then an access token), create, get, update
 * (blocking takes effect on the next request, on every instance), list, super identities, tiers and quotas.
 */
@Injectable()
export class ExternalUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly writer: ExternalUserWriter,
    private readonly quotas: ExternalUserQuotasService,
    private readonly cache: TokenCache,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /**
   * Finds the user of the channel by id, else by externalId, else by identifier, creating it when none
   * matches (a first visit; with neither externalId nor identifier, an anonymous user), and mints an
   * access token. Of many simultaneous first visits with one externalId, exactly one creates the user.
   * 404 "Channel not found." for a channel of no workspace of the caller's; 403 for a blocked user.
   */
  async authenticate(
    callerLike: CallerLike,
    input: AuthenticateExternalUserInput,
  ): Promise<ExternalUserWithToken> {
    const caller = toCaller(callerLike);
    checkText({ externalId: input.externalId, identifier: input.identifier }, ['externalId', 'identifier']);
    await this.requireChannel(caller.workspaceId, input.channelId);
    const existing = await this.findForAuthentication(caller.workspaceId, input);
    if (existing) {
      return this.writer.issueToken(caller, existing);
    }
    if (input.id && !input.externalId && !input.identifier) {
      throw IdentityError.notFound(MESSAGES.userNotFound);
    }
    try {
      return await this.writer.insert(caller, {
        channelId: input.channelId,
        externalId: input.externalId ?? null,
        identifier: input.identifier ?? null,
      });
    } catch (err) {
      if (!isUniqueViolation(err)) {
        throw err;
      }
      // Another request created it first: answer as a find.
      const winner = await this.findForAuthentication(caller.workspaceId, { ...input, id: null });
      if (!winner) {
        throw err;
      }
      return this.writer.issueToken(caller, winner);
    }
  }

  /** Creates a user with a new super identity (or `superIdentityId`'s) and mints its access token. */
  async create(callerLike: CallerLike, input: CreateExternalUserInput): Promise<ExternalUserWithToken> {
    const caller = toCaller(callerLike);
    checkText({ externalId: input.externalId, identifier: input.identifier, name: input.name }, [
      'externalId',
      'identifier',
      'name',
    ]);
    await this.requireChannel(caller.workspaceId, input.channelId);
    try {
      return await this.writer.insert(caller, input);
    } catch (err) {
      throw conflictOf(err) ?? err;
    }
  }

  /** One user of the workspace; 404 "External user not found." otherwise. */
  async get(callerLike: CallerLike, id: string): Promise<ExternalUserEntity> {
    const { workspaceId } = toCaller(callerLike);
    const user = isUuid(id)
      ? await this.dataSource.manager.findOneBy(ExternalUserEntity, { id, workspaceId })
      : null;
    if (!user) {
      throw IdentityError.notFound(MESSAGES.userNotFound);
    }
    return user;
  }

  /** A page of the workspace's users, in creation order (see `listExternalUsers` for the cost). */
  async list(callerLike: CallerLike, query: ListExternalUsersQuery = {}): Promise<ExternalUserEntity[]> {
    return listExternalUsers(this.dataSource, toCaller(callerLike).workspaceId, query);
  }

  /**
   * Changes a user. `blocked: true` makes its access tokens fail on the very next request, here at once
   * and on other instances through the invalidation bus; `blocked: false` makes the same tokens work again.
   */
  async update(
    callerLike: CallerLike,
    id: string,
    changes: UpdateExternalUserInput,
  ): Promise<ExternalUserEntity> {
    const caller = toCaller(callerLike);
    checkText({ externalId: changes.externalId, identifier: changes.identifier, name: changes.name }, [
      'externalId',
      'identifier',
      'name',
    ]);
    const user = await this.get(caller, id);
    const patch: Partial<ExternalUserEntity> = {};
    for (const key of UPDATABLE) {
      if (changes[key] !== undefined) {
        Object.assign(patch, { [key]: changes[key] });
      }
    }
    if (Object.keys(patch).length === 0) {
      return user;
    }
    const updated: ExternalUserEntity = { ...user, ...patch, updatedAt: new Date() };
    try {
      await runInTransaction(this.dataSource, async (manager) => {
        await this.writer.lockReferences(manager, caller.workspaceId, patch);
        await updateRows(
          manager,
          ExternalUserEntity,
          { id, workspaceId: caller.workspaceId },
          {
            ...patch,
            updatedAt: updated.updatedAt,
          },
        );
        await this.audit.record(caller.actor, auditEntry(user, this.updateAction(user, patch)), manager);
      });
    } catch (err) {
      throw conflictOf(err) ?? err;
    }
    await this.cache.invalidate([externalUserTag(id)]);
    const payload = { workspaceId: caller.workspaceId, id };
    this.events.emit(IdentityEvents.externalUserUpdated, payload);
    if (patch.blocked !== undefined && patch.blocked !== user.blocked) {
      this.events.emit(
        patch.blocked ? IdentityEvents.externalUserBlocked : IdentityEvents.externalUserUnblocked,
        payload,
      );
    }
    return updated;
  }

  /** Blocks a user: no new access tokens, and its existing ones are refused (403) from the next request. */
  async block(callerLike: CallerLike, id: string): Promise<ExternalUserEntity> {
    return this.update(callerLike, id, { blocked: true });
  }

  /** Unblocks a user: its unexpired access tokens work again. */
  async unblock(callerLike: CallerLike, id: string): Promise<ExternalUserEntity> {
    return this.update(callerLike, id, { blocked: false });
  }

  /**
   * Links a user to another user's person (super identity) of the same workspace; the user's former
   * super identity is deleted when no user is left on it.
   */
  async linkSuperIdentity(
    callerLike: CallerLike,
    id: string,
    superIdentityId: string,
  ): Promise<ExternalUserEntity> {
    const caller = toCaller(callerLike);
    const user = await this.get(caller, id);
    if (!isUuid(superIdentityId)) {
      throw IdentityError.notFound(MESSAGES.superIdentityNotFound);
    }
    if (user.superIdentityId === superIdentityId) {
      return user;
    }
    const updated = { ...user, superIdentityId, updatedAt: new Date() };
    await runInTransaction(this.dataSource, async (manager) => {
      await lockReference(
        manager,
        'identity_super_identities',
        superIdentityId,
        caller.workspaceId,
        MESSAGES.superIdentityNotFound,
      );
      await updateRows(
        manager,
        ExternalUserEntity,
        { id, workspaceId: caller.workspaceId },
        {
          superIdentityId,
          updatedAt: updated.updatedAt,
        },
      );
      const left = await queryRows(
        manager,
        'SELECT id FROM identity_external_users WHERE super_identity_id = ? LIMIT 1',
        [user.superIdentityId],
      );
      if (left.length === 0) {
        await manager.delete(SuperIdentityEntity, {
          id: user.superIdentityId,
          workspaceId: caller.workspaceId,
        });
      }
      await this.audit.record(caller.actor, auditEntry(user, 'external-user.link-super-identity'), manager);
    });
    await this.cache.invalidate([externalUserTag(id)]);
    this.events.emit(IdentityEvents.externalUserUpdated, { workspaceId: caller.workspaceId, id });
    return updated;
  }

  /** The tier that applies to the user: its own, else its group's, else null. */
  async effectiveTier(callerLike: CallerLike, id: string): Promise<TierEntity | null> {
    const user = await this.get(callerLike, id);
    const [row] = await queryRows<{ tier_id: string | null }>(
      this.dataSource,
      `SELECT COALESCE(u.tier_id, g.tier_id) AS tier_id FROM identity_external_users u
        LEFT JOIN identity_external_user_groups g ON g.id = u.external_user_group_id WHERE u.id = ?`,
      [user.id],
    );
    const tierId = row?.tier_id ?? null;
    return tierId === null ? null : this.dataSource.manager.findOneBy(TierEntity, { id: tierId });
  }

  /** The user's use of every quota in the current period, against its effective tier's limits. */
  async usage(callerLike: CallerLike, id: string, now = new Date()): Promise<Record<QuotaName, QuotaUsage>> {
    const caller = toCaller(callerLike);
    const tier = await this.effectiveTier(caller, id);
    const effective: EffectiveTier | null = tier
      ? { id: tier.id, name: tier.name, maxAssistantMessages: tier.maxAssistantMessages }
      : null;
    return this.quotas.usage({ id, workspaceId: caller.workspaceId, tier: effective }, now);
  }

  private async requireChannel(workspaceId: string, channelId: string): Promise<void> {
    const rows = isUuid(channelId)
      ? await queryRows(
          this.dataSource,
          'SELECT id FROM identity_channels WHERE id = ? AND workspace_id = ?',
          [channelId, workspaceId],
        )
      : [];
    if (rows.length === 0) {
      throw IdentityError.notFound(MESSAGES.channelNotFound);
    }
  }

  /** By id, else externalId, else identifier, within the channel and the workspace. */
  private async findForAuthentication(
    workspaceId: string,
    input: AuthenticateExternalUserInput,
  ): Promise<ExternalUserEntity | null> {
    const { channelId } = input;
    const manager = this.dataSource.manager;
    if (input.id && isUuid(input.id)) {
      const byId = await manager.findOneBy(ExternalUserEntity, { id: input.id, channelId, workspaceId });
      if (byId) {
        return byId;
      }
    }
    if (input.externalId) {
      const byExternalId = await manager.findOneBy(ExternalUserEntity, {
        channelId,
        externalId: input.externalId,
        workspaceId,
      });
      if (byExternalId) {
        return byExternalId;
      }
    }
    if (input.identifier) {
      return manager.findOneBy(ExternalUserEntity, { channelId, identifier: input.identifier, workspaceId });
    }
    return null;
  }

  private updateAction(user: ExternalUserEntity, patch: Partial<ExternalUserEntity>): string {
    if (patch.blocked !== undefined && patch.blocked !== user.blocked) {
      return patch.blocked ? 'external-user.block' : 'external-user.unblock';
    }
    return 'external-user.update';
  }
}
