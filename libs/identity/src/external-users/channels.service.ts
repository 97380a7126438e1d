import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { isUuid, lockRow, newId, queryRows, runInTransaction } from '../common/persistence/persistence.js';
import { ChannelEntity } from './channel.entity.js';
import { checkText, MESSAGES, type PageRequest, pageRange } from './external-users.rules.js';

/** Input of `ChannelsService.create`. */
export interface CreateChannelInput {
  /** 3 to 50 characters. */
  name: string;
}

/** Changes `ChannelsService.update` may make. */
export interface UpdateChannelInput {
  name?: string;
}

/**
 * Channels of a workspace. Zaia's API assumes they exist (every external user belongs to one); the
 * module lets a host create, rename and delete them, here and at `/api/v1/channels`.
 */
@Injectable()
export class ChannelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The workspace's channels, oldest first, one page at a time. */
  async list(callerLike: CallerLike, page: PageRequest = {}): Promise<ChannelEntity[]> {
    const { workspaceId } = toCaller(callerLike);
    const { offset, limit } = pageRange(page);
    return this.dataSource.manager.find(ChannelEntity, {
      where: { workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  /** Creates a channel. */
  async create(callerLike: CallerLike, input: CreateChannelInput): Promise<ChannelEntity> {
    const caller = toCaller(callerLike);
    checkText({ name: input.name });
    const now = new Date();
    const channel: ChannelEntity = {
      id: newId(),
      workspaceId: caller.workspaceId,
      name: input.name,
      createdAt: now,
      updatedAt: now,
    };
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.insert(ChannelEntity, channel);
      await this.audit.record(caller.actor, this.auditEntry(channel, 'channel.create'), manager);
    });
    return channel;
  }

  /** One channel of the workspace; 404 "Channel not found." otherwise. */
  async get(callerLike: CallerLike, id: string): Promise<ChannelEntity> {
    const { workspaceId } = toCaller(callerLike);
    const channel = isUuid(id)
      ? await this.dataSource.manager.findOneBy(ChannelEntity, { id, workspaceId })
      : null;
    if (!channel) {
      throw IdentityError.notFound(MESSAGES.channelNotFound);
    }
    return channel;
  }

  /** Renames a channel. */
  async update(callerLike: CallerLike, id: string, changes: UpdateChannelInput): Promise<ChannelEntity> {
    const caller = toCaller(callerLike);
    checkText({ name: changes.name });
    const channel = await this.get(caller, id);
    if (changes.name === undefined) {
      return channel;
    }
    const updated = { ...channel, name: changes.name, updatedAt: new Date() };
    await runInTransaction(this.dataSource, async (manager) => {
      await manager.update(
        ChannelEntity,
        { id, workspaceId: caller.workspaceId },
        { name: updated.name, updatedAt: updated.updatedAt },
      );
      await this.audit.record(caller.actor, this.auditEntry(channel, 'channel.update'), manager);
    });
    return updated;
  }

  /**
   * Deletes a channel that has no external users (409 otherwise: deleting a channel must not silently
   * delete its users and their history).
   */
  async delete(callerLike: CallerLike, id: string): Promise<ChannelEntity> {
    const caller = toCaller(callerLike);
    const channel = await this.get(caller, id);
    await runInTransaction(this.dataSource, async (manager) => {
      if (!(await lockRow(manager, 'identity_channels', id))) {
        throw IdentityError.notFound(MESSAGES.channelNotFound);
      }
      const users = await queryRows(
        manager,
        'SELECT id FROM identity_external_users WHERE channel_id = ? LIMIT 1',
        [id],
      );
      if (users.length > 0) {
        throw IdentityError.conflict(MESSAGES.channelInUse);
      }
      await manager.delete(ChannelEntity, { id, workspaceId: caller.workspaceId });
      await this.audit.record(caller.actor, this.auditEntry(channel, 'channel.delete'), manager);
    });
    return channel;
  }

  private auditEntry(channel: ChannelEntity, action: string) {
    return { workspaceId: channel.workspaceId, action, targetType: 'channel', targetId: channel.id };
  }
}
