import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, LessThanOrEqual } from 'typeorm';
import { IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { instantOf, newId, placeholders, queryRows } from '../common/persistence/persistence.js';
import {
  type CredentialVerdict,
  CredentialVerifier,
  type StoredCredential,
  type VerifyOptions,
} from '../common/tokens/credential-verifier.js';
import { mintToken } from '../common/tokens/token-format.js';
import { TokenHasher } from '../common/tokens/token-hasher.js';
import { externalUserGroupTag } from './external-user-groups.service.js';
import { ExternalUserTokenEntity } from './external-user-token.entity.js';
import type { ExternalUserEntity } from './external-user.entity.js';
import { tierTag } from './tiers.service.js';

/** Prefix of every external-user access token. */
export const EXTERNAL_USER_TOKEN_PREFIX = 'eut';
/** The credential kind of access tokens in the verifier's cache and failure counts. */
const TOKEN_KIND = 'external-user-token';
/** Why the verifier refuses the token of a blocked user. */
export const BLOCKED_REFUSAL = 'blocked';

/** The tier that applies to an external user: its own, else its group's. */
export interface EffectiveTier {
  id: string;
  name: string;
  /** Per quota period; null: unlimited. */
  maxAssistantMessages: number | null;
}

/** What a valid access token proves: which external user is calling, in which channel, with which tier. */
export interface ExternalUserPrincipal {
  id: string;
  workspaceId: string;
  channelId: string;
  externalId: string | null;
  identifier: string | null;
  name: string | null;
  externalUserGroupId: string | null;
  superIdentityId: string;
  /** The effective tier (the user's own, else its group's), or null. */
  tier: EffectiveTier | null;
  /** Id of the access token that authenticated the request. */
  tokenId: string;
}

/** The cache tag of every access-token verdict of this external user (blocking drops them). */
export function externalUserTag(userId: string): string {
  return `external-user:${userId}`;
}

interface TokenRow {
  token_id: string;
  hash: string;
  expires_at: unknown;
  id: string;
  workspace_id: string;
  channel_id: string;
  external_id: string | null;
  identifier: string | null;
  name: string | null;
  blocked: boolean | number;
  external_user_group_id: string | null;
  super_identity_id: string;
  tier_id: string | null;
  tier_name: string | null;
  max_assistant_messages: number | null;
}

// One indexed lookup by hash; the token is bound to its user's workspace and channel.
const TOKEN_LOOKUP = `SELECT t.id AS token_id, t.hash, t.expires_at, u.id, u.workspace_id, u.channel_id,
  u.external_id, u.identifier, u.name, u.blocked, u.external_user_group_id, u.super_identity_id,
  tr.id AS tier_id, tr.name AS tier_name, tr.max_assistant_messages
  FROM identity_external_user_tokens t
  JOIN identity_external_users u ON u.id = t.external_user_id
    AND u.workspace_id = t.workspace_id AND u.channel_id = t.channel_id
  LEFT JOIN identity_external_user_groups g ON g.id = u.external_user_group_id
  LEFT JOIN identity_tiers tr ON tr.id = COALESCE(u.tier_id, g.tier_id)
  WHERE t.hash IN`;

/**
 * Access tokens of external users (`eut_…`): minted at authenticate and create, stored only as HMAC
 * hashes, and checked only through the shared `CredentialVerifier`, with the cache tags of the user,
 * its group and its tier, so blocking, unblocking and tier changes reach every instance at once.
 */
@Injectable()
export class ExternalUserTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
    private readonly hasher: TokenHasher,
    private readonly verifier: CredentialVerifier,
  ) {}

  /**
   * Mints an access token for the user inside the caller's transaction, and drops the user's expired
   * ones. Returns the token (shown once) and when it expires.
   */
  async mint(
    manager: EntityManager,
    user: Pick<ExternalUserEntity, 'id' | 'workspaceId' | 'channelId'>,
  ): Promise<{ accessToken: string; expiresAt: Date }> {
    const now = new Date();
    const accessToken = mintToken(EXTERNAL_USER_TOKEN_PREFIX, 32);
    const expiresAt = new Date(now.getTime() + this.options.externalUsers.accessTokenTtlSeconds * 1000);
    await manager.delete(ExternalUserTokenEntity, {
      externalUserId: user.id,
      expiresAt: LessThanOrEqual(now),
    });
    await manager.insert(ExternalUserTokenEntity, {
      id: newId(),
      workspaceId: user.workspaceId,
      channelId: user.channelId,
      externalUserId: user.id,
      hash: this.hasher.hash(accessToken),
      prefix: accessToken.slice(0, 12),
      createdAt: now,
      expiresAt,
    });
    return { accessToken, expiresAt };
  }

  /**
   * Checks an access token: valid now, or why not (`refusal: 'blocked'` for a blocked user). A cache hit
   * costs no query; blocking drops cached verdicts on every instance.
   */
  async verify(
    token: string,
    options: VerifyOptions = {},
  ): Promise<CredentialVerdict<ExternalUserPrincipal>> {
    return this.verifier.verify(TOKEN_KIND, token, EXTERNAL_USER_TOKEN_PREFIX, this.load, options);
  }

  /** `verify` answered from the cache without waiting, or undefined when not cached. */
  cached(token: string): CredentialVerdict<ExternalUserPrincipal> | undefined {
    return this.verifier.cached(TOKEN_KIND, token);
  }

  private readonly load = async (
    hashes: readonly string[],
  ): Promise<StoredCredential<ExternalUserPrincipal> | undefined> => {
    const [row] = await queryRows<TokenRow>(this.dataSource, `${TOKEN_LOOKUP} (${placeholders(hashes)})`, [
      ...hashes,
    ]);
    if (!row) {
      return undefined;
    }
    const tags = [externalUserTag(row.id)];
    if (row.external_user_group_id) {
      tags.push(externalUserGroupTag(row.external_user_group_id));
    }
    if (row.tier_id) {
      tags.push(tierTag(row.tier_id));
    }
    return {
      principal: {
        id: row.id,
        workspaceId: row.workspace_id,
        channelId: row.channel_id,
        externalId: row.external_id,
        identifier: row.identifier,
        name: row.name,
        externalUserGroupId: row.external_user_group_id,
        superIdentityId: row.super_identity_id,
        tier:
          row.tier_id === null
            ? null
            : {
                id: row.tier_id,
                name: row.tier_name ?? '',
                maxAssistantMessages:
                  row.max_assistant_messages === null ? null : Number(row.max_assistant_messages),
              },
        tokenId: row.token_id,
      },
      hash: row.hash,
      tags,
      expiresAt: instantOf(row.expires_at),
      refusal: row.blocked === true || row.blocked === 1 ? BLOCKED_REFUSAL : undefined,
    };
  };
}
