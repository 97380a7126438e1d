import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import { type Caller, type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  isUniqueViolation,
  isUuid,
  newId,
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
import {
  type EffectiveTier,
  ExternalUserTokensService,
  externalUserTag,
} from './external-user-tokens.service.js';
import { ExternalUserEntity } from './external-user.entity.js';
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
    private readonly tokens: ExternalUserTokensService,
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
      return this.issueToken(caller, existing);
    }
    if (input.id && !input.externalId && !input.identifier) {
      throw IdentityError.notFound(MESSAGES.userNotFound);
    }
    try {
      return await this.insertUser(caller, {
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
      return this.issueToken(caller, winner);
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
      return await this.insertUser(caller, input);
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
        await this.lockReferences(manager, caller.workspaceId, patch);
        await updateRows(
          manager,
          ExternalUserEntity,
          { id, workspaceId: caller.workspaceId },
          {
            ...patch,
            updatedAt: updated.updatedAt,
          },
        );
        await this.audit.record(caller.actor, this.auditEntry(user, this.updateAction(user, patch)), manager);
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
      await this.audit.record(
        caller.actor,
        this.auditEntry(user, 'external-user.link-super-identity'),
        manager,
      );
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

  /** Mints an access token for a found user; a blocked user gets 403 and no token. */
  private async issueToken(caller: Caller, user: ExternalUserEntity): Promise<ExternalUserWithToken> {
    if (user.blocked) {
      throw IdentityError.forbidden(IdentityErrorReason.NotAllowed, MESSAGES.blocked);
    }
    const minted = await runInTransaction(this.dataSource, async (manager) => {
      const token = await this.tokens.mint(manager, user);
      await this.audit.record(caller.actor, this.auditEntry(user, 'external-user.authenticate'), manager);
      return token;
    });
    return { user, accessToken: minted.accessToken, accessTokenExpiresAt: minted.expiresAt, created: false };
  }

  /**
   * Inserts a user, its super identity (unless linked to an existing one) and its first access token in
   * one transaction, with the workspace's next ordinal. Throws the unique violation of a taken
   * externalId or identifier for the caller to handle.
   */
  private async insertUser(caller: Caller, input: CreateExternalUserInput): Promise<ExternalUserWithToken> {
    const { workspaceId } = caller;
    const now = new Date();
    const user: ExternalUserEntity = {
      id: newId(),
      workspaceId,
      ordinal: 0,
      channelId: input.channelId,
      externalId: input.externalId ?? null,
      identifier: input.identifier ?? null,
      name: input.name ?? null,
      blocked: false,
      tierId: input.tierId ?? null,
      externalUserGroupId: input.externalUserGroupId ?? null,
      superIdentityId: input.superIdentityId ?? newId(),
      createdAt: now,
      updatedAt: now,
    };
    const minted = await runInTransaction(this.dataSource, async (manager) => {
      await lockReference(
        manager,
        'identity_channels',
        user.channelId,
        workspaceId,
        MESSAGES.channelNotFound,
      );
      await this.lockReferences(manager, workspaceId, user);
      if (input.superIdentityId === undefined) {
        await manager.insert(SuperIdentityEntity, { id: user.superIdentityId, workspaceId, createdAt: now });
      } else {
        await lockReference(
          manager,
          'identity_super_identities',
          user.superIdentityId,
          workspaceId,
          MESSAGES.superIdentityNotFound,
        );
      }
      user.ordinal = await this.nextOrdinal(manager, workspaceId);
      await manager.insert(ExternalUserEntity, user);
      await this.audit.record(caller.actor, this.auditEntry(user, 'external-user.create'), manager);
      return this.tokens.mint(manager, user);
    });
    this.events.emit(IdentityEvents.externalUserCreated, { workspaceId, id: user.id });
    return { user, accessToken: minted.accessToken, accessTokenExpiresAt: minted.expiresAt, created: true };
  }

  /** Checks (and keeps until commit) the tier and group a write points at: 404 when not the workspace's. */
  private async lockReferences(
    manager: EntityManager,
    workspaceId: string,
    refs: Pick<Partial<ExternalUserEntity>, 'tierId' | 'externalUserGroupId'>,
  ): Promise<void> {
    if (refs.tierId) {
      if (!isUuid(refs.tierId)) {
        throw IdentityError.notFound(MESSAGES.tierNotFound);
      }
      await lockReference(manager, 'identity_tiers', refs.tierId, workspaceId, MESSAGES.tierNotFound);
    }
    if (refs.externalUserGroupId) {
      if (!isUuid(refs.externalUserGroupId)) {
        throw IdentityError.notFound(MESSAGES.groupNotFound);
      }
      await lockReference(
        manager,
        'identity_external_user_groups',
        refs.externalUserGroupId,
        workspaceId,
        MESSAGES.groupNotFound,
      );
    }
  }

  /**
   * The workspace's next ordinal. The upsert locks the workspace's counter row until the transaction
   * ends, so concurrent creations take turns and a rolled-back one leaves no gap.
   */
  private async nextOrdinal(manager: EntityManager, workspaceId: string): Promise<number> {
    const [row] = await queryRows<{ last_ordinal: number | string }>(
      manager,
      `INSERT INTO identity_external_user_sequences (workspace_id, last_ordinal) VALUES (?, 1)
        ON CONFLICT (workspace_id) DO UPDATE SET last_ordinal = identity_external_user_sequences.last_ordinal + 1
        RETURNING last_ordinal`,
      [workspaceId],
    );
    return Number(row.last_ordinal);
  }

  private updateAction(user: ExternalUserEntity, patch: Partial<ExternalUserEntity>): string {
    if (patch.blocked !== undefined && patch.blocked !== user.blocked) {
      return patch.blocked ? 'external-user.block' : 'external-user.unblock';
    }
    return 'external-user.update';
  }

  private auditEntry(user: Pick<ExternalUserEntity, 'id' | 'workspaceId'>, action: string) {
    return { workspaceId: user.workspaceId, action, targetType: 'external_user', targetId: user.id };
  }
}
