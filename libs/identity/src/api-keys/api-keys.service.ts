import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  isUniqueViolation,
  isUuid,
  newId,
  placeholders,
  queryRows,
  runInTransaction,
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
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { ApiKeyEntity, type ApiKeyScope } from './api-key.entity.js';
import { assertCallingKeyActive } from './calling-key.js';

/** Prefix of every workspace API key. */
export const API_KEY_PREFIX = 'idk';
const PUBLIC_ID_LENGTH = 8;
/** How often `lastUsedAt` is written at most, so a busy key does not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** An API key as shown to its owners: never the hash, never the secret. */
export interface ApiKeyView {
  id: string;
  workspaceId: string;
  name: string;
  scope: ApiKeyScope;
  /** The public id, sent by Regpack clients as `Api-id`. */
  prefix: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** The authenticated caller behind a request authorised by a workspace API key. */
export interface ApiKeyPrincipal {
  workspaceId: string;
  apiKeyId: string;
  scope: ApiKeyScope;
  /** Regpack's `Api-user` header, recorded in the audit log. */
  apiUser?: string;
}

/** What a verified key proves; cached by the credential verifier. */
interface VerifiedKey {
  id: string;
  workspaceId: string;
  scope: ApiKeyScope;
  prefix: string;
}

interface KeyRow {
  id: string;
  workspace_id: string;
  scope: ApiKeyScope;
  prefix: string;
  hash: string;
  revoked_at: unknown;
}

const KEY_LOOKUP =
  'SELECT id, workspace_id, scope, prefix, hash, revoked_at FROM identity_api_keys WHERE hash IN';

function toView(key: ApiKeyEntity): ApiKeyView {
  const { hash: _hash, ...view } = key;
  return view;
}

/** Issues, lists, revokes and verifies workspace API keys. */
@Injectable()
export class ApiKeysService implements OnModuleDestroy {
  private readonly logger = new Logger('IdentityApiKeys');
  private readonly lastTouched = new Map<string, number>();
  private readonly pendingTouches = new Set<Promise<unknown>>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly workspaces: WorkspacesService,
    private readonly hasher: TokenHasher,
    private readonly cache: TokenCache,
    private readonly verifier: CredentialVerifier,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /**
   * Creates a key; the returned `secret` is the only time the key is ever visible. `input.secret`
   * registers a key minted elsewhere (e.g. IDENTITY_BOOTSTRAP_KEY) instead of minting one. When an API
   * key calls, that key is checked against the database (not the cache) in the same transaction, so a
   * key revoked a moment ago can never mint a key that outlives it.
   */
  async create(
    callerLike: CallerLike,
    input: { name?: string; scope?: ApiKeyScope; secret?: string },
  ): Promise<{ apiKey: ApiKeyView; secret: string }> {
    const caller = toCaller(callerLike);
    const { workspaceId, actor } = caller;
    await this.workspaces.get(workspaceId);
    const scope = input.scope ?? 'write';
    if (scope !== 'read' && scope !== 'write') {
      throw IdentityError.validation("scope: must be 'read' or 'write'", ['scope']);
    }
    const name = (input.name ?? 'default').trim();
    if (name.length === 0 || name.length > 100) {
      throw IdentityError.validation('name: must be 1 to 100 characters', ['name']);
    }
    if (input.secret !== undefined && !isWellFormedToken(input.secret, API_KEY_PREFIX)) {
      throw IdentityError.validation('secret: not a well-formed idk_ key (mint one with `keys create`)', [
        'secret',
      ]);
    }
    // The 8-character public id is random too; on the rare clash with an existing key, mint again.
    for (let attempt = 1; ; attempt++) {
      const secret = input.secret ?? mintToken(API_KEY_PREFIX, 24);
      const key: ApiKeyEntity = {
        id: newId(),
        workspaceId,
        name,
        scope,
        prefix: secret.slice(API_KEY_PREFIX.length + 1, API_KEY_PREFIX.length + 1 + PUBLIC_ID_LENGTH),
        hash: this.hasher.hash(secret),
        lastUsedAt: null,
        revokedAt: null,
        createdAt: new Date(),
      };
      try {
        await runInTransaction(this.keys.manager.connection, async (manager) => {
          await assertCallingKeyActive(manager, caller);
          await manager.insert(ApiKeyEntity, key);
          await this.audit.record(
            actor,
            { workspaceId, action: 'api-key.create', targetType: 'api_key', targetId: key.id },
            manager,
          );
        });
      } catch (err) {
        if (isUniqueViolation(err) && input.secret === undefined && attempt < 3) {
          continue;
        }
        if (isUniqueViolation(err)) {
          throw IdentityError.conflict('This API key is already registered.');
        }
        throw err;
      }
      if (input.secret !== undefined) {
        this.verifier.forgetUnknown('api-key', secret);
      }
      this.events.emit(IdentityEvents.apiKeyCreated, { workspaceId, id: key.id });
      return { apiKey: toView(key), secret };
    }
  }

  async list(workspaceId: string): Promise<ApiKeyView[]> {
    const keys = await this.keys.find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return keys.map(toView);
  }

  /** One key of the workspace; another workspace's key is not found. */
  async get(workspaceId: string, keyId: string): Promise<ApiKeyView> {
    const key = isUuid(keyId) ? await this.keys.findOneBy({ id: keyId, workspaceId }) : null;
    if (!key) {
      throw IdentityError.notFound('API key not found.');
    }
    return toView(key);
  }

  /** Revokes a key at once, on every instance; revoking twice is harmless. */
  async revoke(callerLike: CallerLike, keyId: string): Promise<ApiKeyView> {
    const { workspaceId, actor } = toCaller(callerLike);
    const key = await this.get(workspaceId, keyId);
    if (!key.revokedAt) {
      const revokedAt = new Date();
      const revokedNow = await runInTransaction(this.keys.manager.connection, async (manager) => {
        const result = await manager.update(
          ApiKeyEntity,
          { id: key.id, workspaceId, revokedAt: IsNull() },
          { revokedAt },
        );
        if (result.affected !== 1) {
          return false; // a concurrent revoke got there first and wrote the audit entry
        }
        await this.audit.record(
          actor,
          { workspaceId, action: 'api-key.revoke', targetType: 'api_key', targetId: key.id },
          manager,
        );
        return true;
      });
      if (revokedNow) {
        this.events.emit(IdentityEvents.apiKeyRevoked, { workspaceId, id: key.id });
      }
    }
    await this.cache.invalidate([`api-key:${key.id}`]);
    return this.get(workspaceId, keyId);
  }

  /**
   * Verifies a presented key. `apiId` (Regpack's `Api-id`) must then name the same key. Throws
   * `IdentityError` (401) for a malformed, unknown, revoked or mismatched key, and 429 when the client
   * (`options.client`) failed too often. A cache hit costs no query.
   */
  async authenticate(
    secret: string,
    options: { apiId?: string; apiUser?: string } & VerifyOptions = {},
  ): Promise<ApiKeyPrincipal> {
    const verdict = await this.verifier.verify('api-key', secret, API_KEY_PREFIX, this.loadKey, options);
    return this.principalOf(verdict, options);
  }

  /**
   * `authenticate` answered from the cache without waiting, or undefined when the key is not cached
   * (then call `authenticate`). Throws as `authenticate` does for a cached refusal.
   */
  authenticateCached(
    secret: string,
    options: { apiId?: string; apiUser?: string } = {},
  ): ApiKeyPrincipal | undefined {
    const verdict = this.verifier.cached<VerifiedKey>('api-key', secret);
    return verdict && this.principalOf(verdict, options);
  }

  private principalOf(
    verdict: CredentialVerdict<VerifiedKey>,
    options: { apiId?: string; apiUser?: string },
  ): ApiKeyPrincipal {
    if (!verdict.valid) {
      throw verdict.failure === 'refused'
        ? IdentityError.unauthenticated(
            'This API key has been revoked.',
            IdentityErrorReason.RevokedCredential,
          )
        : IdentityError.unauthenticated('Invalid API key.');
    }
    const key = verdict.principal;
    if (options.apiId !== undefined && options.apiId !== key.prefix) {
      throw IdentityError.unauthenticated('Api-id does not match Api-token.');
    }
    return { workspaceId: key.workspaceId, apiKeyId: key.id, scope: key.scope, apiUser: options.apiUser };
  }

  /** One indexed lookup by hash (under every configured secret); records the key's use (this runs on cache misses only). */
  private readonly loadKey = async (
    hashes: readonly string[],
  ): Promise<StoredCredential<VerifiedKey> | undefined> => {
    const [row] = await queryRows<KeyRow>(this.keys.manager, `${KEY_LOOKUP} (${placeholders(hashes)})`, [
      ...hashes,
    ]);
    if (!row) {
      return undefined;
    }
    const revoked = row.revoked_at !== null;
    if (!revoked) {
      this.touch(row.id);
    }
    return {
      principal: { id: row.id, workspaceId: row.workspace_id, scope: row.scope, prefix: row.prefix },
      hash: row.hash,
      tags: [`api-key:${row.id}`],
      refusal: revoked ? 'revoked' : undefined,
    };
  };

  /** Records use at most once a minute per key per instance, without holding up the request. */
  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) {
      return;
    }
    this.lastTouched.set(keyId, now);
    const write = runInTransaction(this.keys.manager.connection, (manager) =>
      manager.update(ApiKeyEntity, { id: keyId }, { lastUsedAt: new Date(now) }),
    )
      .catch((err: unknown) => {
        this.logger.warn(`Could not record the use of API key ${keyId}: ${(err as Error).message}`);
      })
      .finally(() => this.pendingTouches.delete(write));
    this.pendingTouches.add(write);
  }

  /** Lets the last `lastUsedAt` writes finish before the database connection closes. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.pendingTouches]);
  }
}
