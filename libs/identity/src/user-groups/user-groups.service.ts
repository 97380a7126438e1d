import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import { IdentityEvents, IDENTITY_CLOCK, IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { assertCallingKeyActive } from '../api-keys/calling-key.js';
import { AuditService } from '../audit/audit.service.js';
import { type Caller, type CallerLike, toCaller } from '../audit/caller.js';
import type { IdentityClock } from '../common/clock.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  insertRows,
  instantOf,
  isUniqueViolation,
  type JsonObject,
  lockRow,
  newId,
  placeholders,
  queryRows,
  runInTransaction,
  updateRows,
} from '../common/persistence/persistence.js';
import {
  type CredentialVerdict,
  CredentialVerifier,
  type StoredCredential,
  type VerifyOptions,
} from '../common/tokens/credential-verifier.js';
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

/** One row of the lean token lookup (token joined to its group). */
interface TokenRow {
  token_id: string;
  hash: string;
  expires_at: unknown;
  revoked_at: unknown;
  id: string;
  workspace_id: string;
  provided_id: string;
  name: string;
  api_environment_tag: ApiEnvironmentTag;
  properties: string | null;
}

const TOKEN_LOOKUP = `SELECT t.id AS token_id, t.hash, t.expires_at, t.revoked_at, g.id, g.workspace_id,
  g.provided_id, g.name, g.api_environment_tag, g.properties
  FROM identity_user_group_tokens t JOIN identity_user_groups g ON g.id = t.user_group_id
  WHERE t.hash IN`;

const NOT_FOUND = 'User group token not found.';
const NOT_CURRENT = 'User group token is no longer current; use the newest token.';

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
    private readonly verifier: CredentialVerifier,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
    @Inject(IDENTITY_CLOCK) private readonly clock: IdentityClock,
  ) {}

  /**
   * Returns the group `(workspace, environment, providedId)` with its current token, creating it on the
   * first call. Safe under concurrency: of many simultaneous first calls exactly one creates the group.
   * A read-scoped caller only gets: creating or re-issuing a token is then refused (403).
   */
  async getOrCreate(
    callerLike: CallerLike,
    input: GetOrCreateUserGroupInput,
  ): Promise<{ userGroup: UserGroupView; created: boolean }> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    const environment = input.apiEnvironmentTag ?? 'Customer';
    checkJsonSize('properties', input.properties);
    checkJsonSize('mapping', input.mapping);
    const existing = await this.findGroup(workspaceId, environment, input.providedId);
    if (existing) {
      return { userGroup: await this.withCurrentToken(existing, caller), created: false };
    }
    if (caller.scope !== 'write') {
      throw IdentityError.forbidden(
        IdentityErrorReason.ReadOnlyKey,
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
        await assertCallingKeyActive(manager, caller);
        await insertRows(manager, UserGroupEntity, group);
        const minted = await this.insertToken(manager, group, 1);
        await this.audit.record(caller.actor, this.auditEntry(group, 'user-group.create'), manager);
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
      return { userGroup: await this.withCurrentToken(winner, caller), created: false };
    }
    this.events.emit(IdentityEvents.userGroupCreated, { workspaceId, id: group.id });
    return { userGroup: { ...group, token }, created: true };
  }

  /**
   * Replaces the group's current token with a new one. The old token keeps working for the configured
   * grace window (default 0 s); a token two rotations old stops at once. Needs the current token.
   */
  async rotateToken(callerLike: CallerLike, currentToken: string): Promise<UserGroupView> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    const { group, token } = await this.findByCurrentToken(workspaceId, currentToken);
    const next = await runInTransaction(this.dataSource, async (manager) => {
      await assertCallingKeyActive(manager, caller);
      const minted = await this.retireAndMint(manager, group, token);
      await this.audit.record(caller.actor, this.auditEntry(group, 'user-group.rotate-token'), manager);
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
    callerLike: CallerLike,
    currentToken: string,
    changes: UpdateUserGroupInput,
  ): Promise<UserGroupView> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
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
      await this.audit.record(caller.actor, this.auditEntry(group, 'user-group.update'), manager);
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    this.events.emit(IdentityEvents.userGroupUpdated, { workspaceId, id: group.id });
    return { ...updated, token: currentToken };
  }

  /** Deletes the group; every one of its tokens stops working at once, on every instance. */
  async delete(callerLike: CallerLike, currentToken: string): Promise<void> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    const { group } = await this.findByCurrentToken(workspaceId, currentToken);
    await runInTransaction(this.dataSource, async (manager) => {
      await lockRow(manager, 'identity_user_groups', group.id);
      await manager.delete(UserGroupTokenEntity, { userGroupId: group.id });
      await manager.delete(UserGroupEntity, { id: group.id, workspaceId });
      await this.audit.record(caller.actor, this.auditEntry(group, 'user-group.delete'), manager);
    });
    await this.cache.invalidate([`user-group:${group.id}`]);
    this.events.emit(IdentityEvents.userGroupDeleted, { workspaceId, id: group.id });
  }

  /**
   * Checks an embed token: valid now (current, or rotated but inside its grace window), or why not.
   * A cache hit costs no database query; rotation, update and deletion drop cached verdicts everywhere.
   */
  async verifyToken(
    token: string,
    options: VerifyOptions = {},
  ): Promise<CredentialVerdict<UserGroupPrincipal>> {
    return this.verifier.verify('user-group-token', token, USER_GROUP_TOKEN_PREFIX, this.loadToken, options);
  }

  /** `verifyToken` answered from the cache without waiting, or undefined when not cached. */
  cachedToken(token: string): CredentialVerdict<UserGroupPrincipal> | undefined {
    return this.verifier.cached('user-group-token', token);
  }

  /** The group a valid embed token belongs to, or undefined; for host code. */
  async findByToken(token: string): Promise<UserGroupPrincipal | undefined> {
    const verdict = await this.verifyToken(token);
    return verdict.valid ? verdict.principal : undefined;
  }

  /** One indexed lookup by hash (under every configured secret), joined to its group, without hydration. */
  private readonly loadToken = async (
    hashes: readonly string[],
  ): Promise<StoredCredential<UserGroupPrincipal> | undefined> => {
    const [row] = await queryRows<TokenRow>(this.dataSource, `${TOKEN_LOOKUP} (${placeholders(hashes)})`, [
      ...hashes,
    ]);
    if (!row) {
      return undefined;
    }
    return {
      principal: {
        id: row.id,
        workspaceId: row.workspace_id,
        providedId: row.provided_id,
        name: row.name,
        apiEnvironmentTag: row.api_environment_tag,
        properties: row.properties === null ? null : (JSON.parse(row.properties) as JsonObject),
        tokenId: row.token_id,
      },
      hash: row.hash,
      tags: [`user-group:${row.id}`],
      expiresAt: instantOf(row.expires_at),
      refusal: row.revoked_at === null ? undefined : 'revoked',
    };
  };

  /** The token row by hash, joined to its group, within a workspace (the management calls). */
  private async tokenWithGroup(hash: string, workspaceId: string): Promise<UserGroupTokenEntity | null> {
    return this.dataSource.manager
      .createQueryBuilder(UserGroupTokenEntity, 'token')
      .innerJoinAndSelect('token.userGroup', 'userGroup')
      .where('token.hash = :hash', { hash })
      .andWhere('token.workspace_id = :workspaceId', { workspaceId })
      .getOne();
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
    let row: UserGroupTokenEntity | null = null;
    if (isWellFormedToken(presented, USER_GROUP_TOKEN_PREFIX)) {
      for (const hash of this.hasher.hashes(presented)) {
        row ??= await this.tokenWithGroup(hash, workspaceId);
      }
    }
    if (!row?.userGroup || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= this.clock.now())) {
      throw IdentityError.notFound(NOT_FOUND);
    }
    if (row.expiresAt) {
      throw IdentityError.notFound(NOT_CURRENT, IdentityErrorReason.TokenNotCurrent);
    }
    const { userGroup, ...token } = row;
    return { group: userGroup, token: token as UserGroupTokenEntity };
  }

  /**
   * The group with its current token, unsealed; mints a new one (a write) if it cannot be unsealed,
   * e.g. after the module secret changed.
   */
  private async withCurrentToken(group: UserGroupEntity, caller: Caller): Promise<UserGroupView> {
    const current = await this.dataSource.manager.findOne(UserGroupTokenEntity, {
      where: { userGroupId: group.id, revokedAt: IsNull(), expiresAt: IsNull() },
      order: { generation: 'DESC' },
    });
    const token = current?.sealed ? this.sealer.open(current.sealed) : undefined;
    if (current && token) {
      return { ...group, token };
    }
    if (caller.scope !== 'write') {
      throw IdentityError.forbidden(
        IdentityErrorReason.ReadOnlyKey,
        'This API key is read-only; issuing a new user group token needs a read-write key.',
      );
    }
    const minted = await runInTransaction(this.dataSource, async (manager) => {
      await assertCallingKeyActive(manager, caller);
      const next = current
        ? await this.retireAndMint(manager, group, current, true)
        : await this.insertToken(manager, group, 1);
      await this.audit.record(caller.actor, this.auditEntry(group, 'user-group.reissue-token'), manager);
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
      throw IdentityError.notFound(NOT_FOUND); // deleted meanwhile
    }
    const now = new Date(this.clock.now());
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
      throw IdentityError.notFound(NOT_CURRENT, IdentityErrorReason.TokenNotCurrent);
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
