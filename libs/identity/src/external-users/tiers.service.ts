import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { isUuid, newId, runInTransaction } from '../common/persistence/persistence.js';
import { TokenCache } from '../common/tokens/token-cache.js';
import {
  checkMessageLimit,
  checkText,
  MESSAGES,
  type PageRequest,
  pageRange,
} from './external-users.rules.js';
import { TierEntity } from './tier.entity.js';

/** Input of `TiersService.create`. */
export interface CreateTierInput {
  /** 3 to 50 characters. */
  name: string;
  /** 3 to 250 characters. */
  description: string;
  /** Assistant messages per user and quota period; null or absent: unlimited. */
  maxAssistantMessages?: number | null;
  /** 3 to 500 characters, or null. */
  prompt?: string | null;
}

/** Changes `TiersService.update` may make; null clears `maxAssistantMessages` (unlimited) or `prompt`. */
export type UpdateTierInput = Partial<CreateTierInput>;

/** The cache tag of every access-token verdict whose effective tier is this one. */
export function tierTag(tierId: string): string {
  return `tier:${tierId}`;
}

/** Tiers of a workspace: what an external user may do (`@RequireTier`) and its message quota. */
@Injectable()
export class TiersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: TokenCache,
  ) {}

  /** The workspace's tiers, oldest first, one page at a time. */
  async list(callerLike: CallerLike, page: PageRequest = {}): Promise<TierEntity[]> {
    const { workspaceId } = toCaller(callerLike);
    const { offset, limit } = pageRange(page);
    return this.dataSource.manager.find(TierEntity, {
      where: { workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  /** Creates a tier. */
  async create(callerLike: CallerLike, input: CreateTierInput): Promise<TierEntity> {
    const caller = toCaller(callerLike);
    checkText({ name: input.name, description: input.description, prompt: input.prompt }, ['prompt']);
    checkMessageLimit(input.maxAssistantMessages);
    const now = new Date();
    const tier: TierEntity = {
      id: newId(),
      workspaceId: caller.workspaceId,
      name: input.name,
      description: input.description,
      maxAssistantMessages: input.maxAssistantMessages ?? null,
      prompt: input.prompt ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.insert(TierEntity, tier);
      await this.audit.record(caller.actor, this.auditEntry(tier, 'tier.create'), manager);
    });
    return tier;
  }

  /** One tier of the workspace; 404 "Tier not found." otherwise. */
  async get(callerLike: CallerLike, id: string): Promise<TierEntity> {
    const { workspaceId } = toCaller(callerLike);
    const tier = isUuid(id) ? await this.dataSource.manager.findOneBy(TierEntity, { id, workspaceId }) : null;
    if (!tier) {
      throw IdentityError.notFound(MESSAGES.tierNotFound);
    }
    return tier;
  }

  /** Changes a tier; its users' access tokens see the new limit and name on their next request. */
  async update(callerLike: CallerLike, id: string, changes: UpdateTierInput): Promise<TierEntity> {
    const caller = toCaller(callerLike);
    checkText({ name: changes.name, description: changes.description, prompt: changes.prompt }, ['prompt']);
    checkMessageLimit(changes.maxAssistantMessages);
    const tier = await this.get(caller, id);
    const patch: Partial<TierEntity> = {};
    for (const key of ['name', 'description', 'maxAssistantMessages', 'prompt'] as const) {
      if (changes[key] !== undefined) {
        Object.assign(patch, { [key]: changes[key] });
      }
    }
    if (Object.keys(patch).length === 0) {
      return tier;
    }
    const updated = { ...tier, ...patch, updatedAt: new Date() };
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.update(
        TierEntity,
        { id, workspaceId: caller.workspaceId },
        { ...patch, updatedAt: updated.updatedAt },
      );
      await this.audit.record(caller.actor, this.auditEntry(tier, 'tier.update'), manager);
    });
    await this.cache.invalidate([tierTag(id)]);
    return updated;
  }

  /** Deletes a tier; its users and groups are left without it (their tokens see that at once). */
  async delete(callerLike: CallerLike, id: string): Promise<TierEntity> {
    const caller = toCaller(callerLike);
    const tier = await this.get(caller, id);
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.delete(TierEntity, { id, workspaceId: caller.workspaceId });
      await this.audit.record(caller.actor, this.auditEntry(tier, 'tier.delete'), manager);
    });
    await this.cache.invalidate([tierTag(id)]);
    return tier;
  }

  private auditEntry(tier: TierEntity, action: string) {
    return { workspaceId: tier.workspaceId, action, targetType: 'tier', targetId: tier.id };
  }
}
