import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { isUniqueViolation, isUuid, newId, runInTransaction } from '../common/persistence/persistence.js';
import { TokenCache } from '../common/tokens/token-cache.js';
import { ExternalUserGroupEntity } from './external-user-group.entity.js';
import { checkText, lockReference, MESSAGES, type PageRequest, pageRange } from './external-users.rules.js';

/** Input of `ExternalUserGroupsService.create`. */
export interface CreateExternalUserGroupInput {
  /** The host's own reference: 3 to 250 characters, unique in the workspace. */
  externalId: string;
  /** 3 to 50 characters. */
  name: string;
  /** The group's tier (members without a tier of their own get it); null or absent: none. */
  tierId?: string | null;
}

/** Changes `ExternalUserGroupsService.update` may make; `tierId: null` removes the tier. */
export type UpdateExternalUserGroupInput = Partial<CreateExternalUserGroupInput>;

/** The cache tag of every access-token verdict of a member of this group. */
export function externalUserGroupTag(groupId: string): string {
  return `external-user-group:${groupId}`;
}

/** External user groups: a tier for many users at once, and a filter of the user list. */
@Injectable()
export class ExternalUserGroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: TokenCache,
  ) {}

  /** The workspace's groups, oldest first, one page at a time. */
  async list(callerLike: CallerLike, page: PageRequest = {}): Promise<ExternalUserGroupEntity[]> {
    const { workspaceId } = toCaller(callerLike);
    const { offset, limit } = pageRange(page);
    return this.dataSource.manager.find(ExternalUserGroupEntity, {
      where: { workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  /** Creates a group; 409 when its external id is taken in the workspace, 404 for an unknown tier. */
  async create(
    callerLike: CallerLike,
    input: CreateExternalUserGroupInput,
  ): Promise<ExternalUserGroupEntity> {
    const caller = toCaller(callerLike);
    checkText({ externalId: input.externalId, name: input.name });
    const now = new Date();
    const group: ExternalUserGroupEntity = {
      id: newId(),
      workspaceId: caller.workspaceId,
      externalId: input.externalId,
      name: input.name,
      tierId: input.tierId ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.writeUnique(() =>
      runInTransaction(this.dataSource, async (manager) => {
        if (group.tierId !== null) {
          await this.lockTier(manager, group.tierId, caller.workspaceId);
        }
        await manager.insert(ExternalUserGroupEntity, group);
        await this.audit.record(caller.actor, this.auditEntry(group, 'external-user-group.create'), manager);
      }),
    );
    return group;
  }

  /** One group of the workspace; 404 "External user group not found." otherwise. */
  async get(callerLike: CallerLike, id: string): Promise<ExternalUserGroupEntity> {
    const { workspaceId } = toCaller(callerLike);
    const group = isUuid(id)
      ? await this.dataSource.manager.findOneBy(ExternalUserGroupEntity, { id, workspaceId })
      : null;
    if (!group) {
      throw IdentityError.notFound(MESSAGES.groupNotFound);
    }
    return group;
  }

  /** Changes a group; its members' access tokens see a new tier on their next request. */
  async update(
    callerLike: CallerLike,
    id: string,
    changes: UpdateExternalUserGroupInput,
  ): Promise<ExternalUserGroupEntity> {
    const caller = toCaller(callerLike);
    checkText({ externalId: changes.externalId, name: changes.name });
    const group = await this.get(caller, id);
    const patch: Partial<ExternalUserGroupEntity> = {};
    for (const key of ['externalId', 'name', 'tierId'] as const) {
      if (changes[key] !== undefined) {
        Object.assign(patch, { [key]: changes[key] });
      }
    }
    if (Object.keys(patch).length === 0) {
      return group;
    }
    const updated = { ...group, ...patch, updatedAt: new Date() };
    await this.writeUnique(() =>
      runInTransaction(this.dataSource, async (manager) => {
        if (patch.tierId) {
          await this.lockTier(manager, patch.tierId, caller.workspaceId);
        }
        await manager.update(
          ExternalUserGroupEntity,
          { id, workspaceId: caller.workspaceId },
          { ...patch, updatedAt: updated.updatedAt },
        );
        await this.audit.record(caller.actor, this.auditEntry(group, 'external-user-group.update'), manager);
      }),
    );
    await this.cache.invalidate([externalUserGroupTag(id)]);
    return updated;
  }

  /** Deletes a group; its members stay, without the group (and without its tier). */
  async delete(callerLike: CallerLike, id: string): Promise<ExternalUserGroupEntity> {
    const caller = toCaller(callerLike);
    const group = await this.get(caller, id);
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.delete(ExternalUserGroupEntity, { id, workspaceId: caller.workspaceId });
      await this.audit.record(caller.actor, this.auditEntry(group, 'external-user-group.delete'), manager);
    });
    await this.cache.invalidate([externalUserGroupTag(id)]);
    return group;
  }

  private async lockTier(manager: Parameters<typeof lockReference>[0], tierId: string, workspaceId: string) {
    if (!isUuid(tierId)) {
      throw IdentityError.notFound(MESSAGES.tierNotFound);
    }
    await lockReference(manager, 'identity_tiers', tierId, workspaceId, MESSAGES.tierNotFound);
  }

  /** Runs a write; a taken external id becomes Zaia's 409. */
  private async writeUnique(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw IdentityError.conflict(MESSAGES.groupExternalIdTaken);
      }
      throw err;
    }
  }

  private auditEntry(group: ExternalUserGroupEntity, action: string) {
    return { workspaceId: group.workspaceId, action, targetType: 'external_user_group', targetId: group.id };
  }
}
