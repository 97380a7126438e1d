import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import { assertCallingKeyActive } from '../api-keys/calling-key.js';
import type { Caller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import { isUuid, newId, queryRows, runInTransaction } from '../common/persistence/persistence.js';
import { ExternalUserTokensService } from './external-user-tokens.service.js';
import { ExternalUserEntity } from './external-user.entity.js';
import { lockReference, MESSAGES } from './external-users.rules.js';
import type { CreateExternalUserInput, ExternalUserWithToken } from './external-users.service.js';
import { SuperIdentityEntity } from './super-identity.entity.js';

/** The audit entry of a write to an external user. */
export function auditEntry(user: Pick<ExternalUserEntity, 'id' | 'workspaceId'>, action: string) {
  return { workspaceId: user.workspaceId, action, targetType: 'external_user', targetId: user.id };
}

/**
 * The transactions that create external users and issue their access tokens, for `ExternalUsersService`:
 * a user, its super identity, its ordinal and its first token commit together or not at all.
 */
@Injectable()
export class ExternalUserWriter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: ExternalUserTokensService,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /** Mints an access token for a found user; a blocked user gets 403 and no token. */
  async issueToken(caller: Caller, user: ExternalUserEntity): Promise<ExternalUserWithToken> {
    if (user.blocked) {
      throw IdentityError.forbidden(IdentityErrorReason.NotAllowed, MESSAGES.blocked);
    }
    const minted = await runInTransaction(this.dataSource, async (manager) => {
      await assertCallingKeyActive(manager, caller); // minting an access token: check the key afresh
      const token = await this.tokens.mint(manager, user);
      await this.audit.record(caller.actor, auditEntry(user, 'external-user.authenticate'), manager);
      return token;
    });
    return { user, accessToken: minted.accessToken, accessTokenExpiresAt: minted.expiresAt, created: false };
  }

  /**
   * Inserts a user, its super identity (unless linked to an existing one) and its first access token in
   * one transaction, with the workspace's next ordinal. Throws the unique violation of a taken
   * externalId or identifier for the caller to handle.
   */
  async insert(caller: Caller, input: CreateExternalUserInput): Promise<ExternalUserWithToken> {
    const { workspaceId } = caller;
    const now = new Date();
    const user: ExternalUserEntity = {
      id: newId(),
      workspaceId,
      ordinal: 0,
      channelId: input.channelId,
      channelOrdinal: 0,
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
      await assertCallingKeyActive(manager, caller); // minting an access token: check the key afresh
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
      user.channelOrdinal = await this.nextChannelOrdinal(manager, workspaceId, user.channelId);
      await manager.insert(ExternalUserEntity, user);
      await this.audit.record(caller.actor, auditEntry(user, 'external-user.create'), manager);
      return this.tokens.mint(manager, user);
    });
    this.events.emit(IdentityEvents.externalUserCreated, { workspaceId, id: user.id });
    return { user, accessToken: minted.accessToken, accessTokenExpiresAt: minted.expiresAt, created: true };
  }

  /** Checks (and keeps until commit) the tier and group a write points at: 404 when not the workspace's. */
  async lockReferences(
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

  /**
   * The channel's next ordinal. Read after `nextOrdinal`: the workspace's counter row is locked until
   * this transaction ends, so no other creation in the workspace (hence in the channel) is in flight,
   * and the last one has committed before this statement reads.
   */
  private async nextChannelOrdinal(
    manager: EntityManager,
    workspaceId: string,
    channelId: string,
  ): Promise<number> {
    // Both leading columns of the channel index, so MAX is its last entry (one index read).
    const [row] = await queryRows<{ last: number | string | null }>(
      manager,
      `SELECT MAX(channel_ordinal) AS last FROM identity_external_users
        WHERE channel_id = ? AND workspace_id = ?`,
      [channelId, workspaceId],
    );
    return Number(row.last ?? 0) + 1;
  }
}
