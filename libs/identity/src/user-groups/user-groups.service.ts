import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import { IdentityEvents, IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { type AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  insertRows,
  isUniqueViolation,
  type JsonObject,
  lockRow,
  newId,
  runInTransaction,
  updateRows,
} from '../common/persistence/persistence.js';
import { TokenCache } from '../common/tokens/token-cache.js';
import { isWellFormedToken, mintToken } from '../common/tokens/token-format.js';
import { TokenHasher } from '../common/tokens/token-hasher.js';
import { TokenSealer } from '../common/tokens/token-sealer.js';
import { UserGroupTokenEntity } from './user-group-token.entity.js';
import { type ApiEnvironmentTag, UserGroupEntity } from './user-group.entity.js';

/** Prefix of every user-group embed token. */
export const USER_GROUP_TOKEN_PREFIX = 'ugt';
const MAX_JSON_LENGTH = 16_384;

/** A user group as the host sees it, with its current embed token. */
export type UserGroupView = Omit<UserGroupEntity, 'workspace'> & {
  /** The current embed token; give it to the dashboard that renders for this group. */
  token: string;
};

/** What a valid embed token proves: which group is viewing. No token, no secrets. */
export type UserGroupPrincipal = Pick<
  UserGroupEntity,
  'id' | 'workspaceId' | 'providedId' | 'name' | 'apiEnvironmentTag' | 'properties'
> & {
  /** Id of the token that authenticated the request. */
  tokenId: string;
};

/** Input of `getOrCreate`. */
export interface GetOrCreateUserGroupInput {
  providedId: string;
  name: string;
  apiEnvironmentTag?: ApiEnvironmentTag;
  properties?: JsonObject | null;
  mapping?: JsonObject | null;
  isDemoGroup?: boolean;
}

/** Changes `update` may make. */
export interface UpdateUserGroupInput {
  name?: string;
  properties?: JsonObject | null;
  mapping?: JsonObject | null;
}

interface CachedPrincipal {
  principal: UserGroupPrincipal;
  /** End of the rotation grace window, in epoch ms; undefined while current. */
  expiresAt?: number;
}

function checkJsonSize(field: string, value: unknown): void {
  if (value !== undefined && value !== null && JSON.stringify(value).length > MAX_JSON_LENGTH) {
    throw IdentityError.validation(`${field}: must be at most ${MAX_JSON_LENGTH} characters of JSON`, [
      field,
    ]);
  }
}

/** Explo's end user groups: get-or-create, embed-token rotation with a grace window, update, delete. */
@Injectable()
export class UserGroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
    private readonly hasher: TokenHasher,
    private readonly sealer: TokenSealer,
    private readonly cache: TokenCache,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /**
   * Returns the group `(workspace, environment, providedId)` with its current token, creating it on the
   * first call. Safe under concurrency: of many simultaneous first calls exactly one creates the group.
   * With `mayWrite: false` (a read-only key) it only gets: creating or re-issuing is then refused (403).
   */
  async getOrCreate(
    workspaceId: string,
    input: GetOrCreateUserGroupInput,
    actor: AuditActor = SYSTEM_ACTOR,
    options: { mayWrite?: boolean } = {},
  ): Promise<{ userGroup: UserGroupView; created: boolean }> {
    const mayWrite = options.mayWrite ?? true;
    const environment = input.apiEnvironmentTag ?? 'Customer';
    checkJsonSize('properties', input.properties);
    checkJsonSize('mapping', input.mapping);
    const existing = await this.findGroup(workspaceId, environment, input.providedId);
    if (existing) {
      return { userGroup: await this.withCurrentToken(existing, actor, mayWrite), created: false };
    }
    if (!mayWrite) {
      throw IdentityError.forbidden(
        'This API key is read-only; creating a user group needs a read-write key.',
      );
    }
    const now = new Date();
    const group: UserGroupEntity = {
      id: newId(),
      workspaceId,
      providedId: input.providedId,
      name: input.name,
      apiEnvironmentTag: environment,
      properties: input.properties ?? null,
      mapping: input.mapping ?? null,
      isDemoGroup: input.isDemoGroup ?? false,
      createdAt: now,
      updatedAt: now,
    };
    let token: string;
    try {
      token = await runInTransaction(this.dataSource, async (manager) => {
        await insertRows(manager, UserGroupEntity, group);
        const minted = await this.insertToken(manager, group, 1);
        await this.audit.record(actor, this.auditEntry(group, 'user-group.create'), manager);
        return minted;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) {
        throw err;
      }
      // Another request created it first: answer as a get.
      const winner = await this.findGroup(workspaceId, environment, input.providedId);
      if (!winner) {
        throw err;
      }
      return { userGroup: await this.withCurrentToken(winner, actor, mayWrite), created: false };
    }
    this.events.emit(IdentityEvents.userGroupCreated, { workspaceId, id: group.id });
    return { userGroup: { ...group, token }, created: true };
  }

  /**
   * Replaces the group's current token with a new one. The old token keeps working for the configured
   * grace window (default 0 s); a token two rotations old stops at once. Needs the current token.
   */
  async rotateToken(
    workspaceId: string,
    currentToken: string,
    actor: AuditActor = SYSTEM_ACTOR,
  ): Promise<UserGroupView> {
    const { group, token } = await this.findByCurrentToken(workspaceId, currentToken);
    const next = await runInTransaction(this.dataSource, async (manager) => {
      const minted = await this.retireAndMint(manager, group, token);
      await this.audit.record(actor, this.auditEntry(group, 'user-group.rotate-token'), manager);
      return minted;
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    this.events.emit(IdentityEvents.userGroupTokenRotated, {
      workspaceId,
      id: group.id,
      generation: token.generation + 1,
    });
    return { ...group, token: next };
  }

  /** Changes name, properties or mapping; `null` clears properties or mapping. Needs the current token. */
  async update(
    workspaceId: string,
    currentToken: string,
    changes: UpdateUserGroupInput,
    actor: AuditActor = SYSTEM_ACTOR,
  ): Promise<UserGroupView> {
    checkJsonSize('properties', changes.properties);
    checkJsonSize('mapping', changes.mapping);
    const { group } = await this.findByCurrentToken(workspaceId, currentToken);
    const patch: Partial<UserGroupEntity> = {};
    if (changes.name !== undefined) {
      patch.name = changes.name;
    }
    if (changes.properties !== undefined) {
      patch.properties = changes.properties;
    }
    if (changes.mapping !== undefined) {
      patch.mapping = changes.mapping;
    }
    const updated = { ...group, ...patch, updatedAt: new Date() };
    await runInTransaction(this.dataSource, async (manager) => {
      await updateRows(
        manager,
        UserGroupEntity,
        { id: group.id, workspaceId },
        { ...patch, updatedAt: updated.updatedAt },
      );
      await this.audit.record(actor, this.auditEntry(group, 'user-group.update'), manager);
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    this.events.emit(IdentityEvents.userGroupUpdated, { workspaceId, id: group.id });
    return { ...updated, token: currentToken };
  }

  /** Deletes the group; every one of its tokens stops working at once, on every instance. */
  async delete(workspaceId: string, currentToken: string, actor: AuditActor = SYSTEM_ACTOR): Promise<void> {
    const { group } = await this.findByCurrentToken(workspaceId, currentToken);
    await runInTransaction(this.dataSource, async (manager) => {
      await lockRow(manager, 'identity_user_groups', group.id);
      await manager.delete(UserGroupTokenEntity, { userGroupId: group.id });
      await manager.delete(UserGroupEntity, { id: group.id, workspaceId });
      await this.audit.record(actor, this.auditEntry(group, 'user-group.delete'), manager);
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    this.events.emit(IdentityEvents.userGroupDeleted, { workspaceId, id: group.id });
  }

  /**
   * The group an embed token belongs to, if the token is valid now (current, or rotated but still
   * inside its grace window). A cache hit costs no database query.
   */
  async findByToken(token: string): Promise<UserGroupPrincipal | undefined> {
    if (!isWellFormedToken(token, USER_GROUP_TOKEN_PREFIX)) {
      return undefined;
    }
    const hash = this.hasher.hash(token);
    const cached = this.cache.get<CachedPrincipal>('user-group-token', hash);
    if (cached) {
      return cached.expiresAt === undefined || cached.expiresAt > Date.now() ? cached.principal : undefined;
    }
    const ticket = this.cache.ticket();
    const row = await this.tokenWithGroup(hash);
    if (!row?.userGroup || !this.isLive(row) || !this.hasher.matches(token, row.hash)) {
      return undefined;
    }
    const group = row.userGroup;
    const principal: UserGroupPrincipal = {
      id: group.id,
      workspaceId: group.workspaceId,
      providedId: group.providedId,
      name: group.name,
      apiEnvironmentTag: group.apiEnvironmentTag,
      properties: group.properties,
      tokenId: row.id,
    };
    this.cache.set(
      'user-group-token',
      hash,
      { principal, expiresAt: row.expiresAt?.getTime() },
      [`user-group:${group.id}`],
      ticket,
    );
    return principal;
  }

  /** One indexed lookup by hash, joined to its group (and limited to a workspace when given). */
  private async tokenWithGroup(hash: string, workspaceId?: string): Promise<UserGroupTokenEntity | null> {
    const query = this.dataSource.manager
      .createQueryBuilder(UserGroupTokenEntity, 'token')
      .innerJoinAndSelect('token.userGroup', 'userGroup')
      .where('token.hash = :hash', { hash });
    if (workspaceId !== undefined) {
      query.andWhere('token.workspace_id = :workspaceId', { workspaceId });
    }
    return query.getOne();
  }

  private isLive(token: UserGroupTokenEntity): boolean {
    return !token.revokedAt && (!token.expiresAt || token.expiresAt.getTime() > Date.now());
  }

  private async findGroup(
    workspaceId: string,
    apiEnvironmentTag: ApiEnvironmentTag,
    providedId: string,
  ): Promise<UserGroupEntity | null> {
    return this.dataSource.manager.findOneBy(UserGroupEntity, { workspaceId, apiEnvironmentTag, providedId });
  }

  /** The group whose *current* token this is, within the workspace; anything else is not found. */
  private async findByCurrentToken(
    workspaceId: string,
    presented: string,
  ): Promise<{ group: UserGroupEntity; token: UserGroupTokenEntity }> {
    const row = isWellFormedToken(presented, USER_GROUP_TOKEN_PREFIX)
      ? await this.tokenWithGroup(this.hasher.hash(presented), workspaceId)
      : null;
    if (!row?.userGroup || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) {
      throw IdentityError.notFound('User group token not found.');
    }
    if (row.expiresAt) {
      throw IdentityError.notFound('User group token is no longer current; use the newest token.');
    }
    const { userGroup, ...token } = row;
    return { group: userGroup, token: token as UserGroupTokenEntity };
  }

  /**
   * The group with its current token, unsealed; mints a new one (a write) if it cannot be unsealed,
   * e.g. after the module secret changed.
   */
  private async withCurrentToken(
    group: UserGroupEntity,
    actor: AuditActor,
    mayWrite: boolean,
  ): Promise<UserGroupView> {
    const current = await this.dataSource.manager.findOne(UserGroupTokenEntity, {
      where: { userGroupId: group.id, revokedAt: IsNull(), expiresAt: IsNull() },
      order: { generation: 'DESC' },
    });
    const token = current?.sealed ? this.sealer.open(current.sealed) : undefined;
    if (current && token) {
      return { ...group, token };
    }
    if (!mayWrite) {
      throw IdentityError.forbidden(
        'This API key is read-only; issuing a new user group token needs a read-write key.',
      );
    }
    const minted = await runInTransaction(this.dataSource, async (manager) => {
      const next = current
        ? await this.retireAndMint(manager, group, current, true)
        : await this.insertToken(manager, group, 1);
      await this.audit.record(actor, this.auditEntry(group, 'user-group.reissue-token'), manager);
      return next;
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    return { ...group, token: minted };
  }

  /** Ends `current` (grace window or at once), revokes anything older, and mints the next generation. */
  private async retireAndMint(
    manager: EntityManager,
    group: UserGroupEntity,
    current: UserGroupTokenEntity,
    immediately = false,
  ): Promise<string> {
    if (!(await lockRow(manager, 'identity_user_groups', group.id))) {
      throw IdentityError.notFound('User group token not found.'); // deleted meanwhile
    }
    const now = new Date();
    const graceMs = immediately ? 0 : this.options.userGroups.rotationGraceSeconds * 1000;
    const retired = await manager
      .createQueryBuilder()
      .update(UserGroupTokenEntity)
      .set(
        graceMs > 0
          ? { expiresAt: new Date(now.getTime() + graceMs), sealed: null }
          : { revokedAt: now, sealed: null },
      )
      .where('id = :id AND revoked_at IS NULL AND expires_at IS NULL', { id: current.id })
      .execute();
    if (retired.affected !== 1) {
      // A concurrent rotation retired it first.
      throw IdentityError.notFound('User group token is no longer current; use the newest token.');
    }
    // Anything older dies now. Rows that were already dead are dropped, so a group keeps at most three
    // token rows however often it rotates (a dead token and a missing one are refused alike).
    await manager.delete(UserGroupTokenEntity, {
      userGroupId: group.id,
      id: Not(current.id),
      revokedAt: Not(IsNull()),
    });
    await manager.update(
      UserGroupTokenEntity,
      { userGroupId: group.id, revokedAt: IsNull(), id: Not(current.id) },
      { revokedAt: now, sealed: null },
    );
    return this.insertToken(manager, group, current.generation + 1);
  }

  private async insertToken(
    manager: EntityManager,
    group: UserGroupEntity,
    generation: number,
  ): Promise<string> {
    const token = mintToken(USER_GROUP_TOKEN_PREFIX, 32);
    await manager.insert(UserGroupTokenEntity, {
      id: newId(),
      workspaceId: group.workspaceId,
      userGroupId: group.id,
      hash: this.hasher.hash(token),
      prefix: token.slice(0, 12),
      sealed: this.sealer.seal(token),
      generation,
      createdAt: new Date(),
      expiresAt: null,
      revokedAt: null,
    });
    return token;
  }

  private auditEntry(group: UserGroupEntity, action: string) {
    return { workspaceId: group.workspaceId, action, targetType: 'user_group', targetId: group.id };
  }
}
