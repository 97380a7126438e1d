import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { AuditService } from '../audit/audit.service.js';
import { IdentityError } from '../common/errors/identity-error.js';
import {
  insertRows,
  instantOf,
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
import { mintToken } from '../common/tokens/token-format.js';
import { TokenHasher } from '../common/tokens/token-hasher.js';
import type { CentralLoginEntity } from './central-login.entity.js';
import { FamilySessionEntity } from './family-session.entity.js';
import { LoginTokenEntity } from './login-token.entity.js';
import type { ProjectEntity } from './project.entity.js';

/** Prefix of the single-use `user_token` a `login` answers with. */
export const FAMILY_LOGIN_TOKEN_PREFIX = 'fut';
/** Prefix of family session tokens. */
export const FAMILY_SESSION_TOKEN_PREFIX = 'fst';
/** How long a `user_token` can be exchanged: 10 minutes. */
export const FAMILY_LOGIN_TOKEN_TTL_MS = 10 * 60 * 1000;

/** What a family session token proves: who logged in, to which project. No token, no secrets. */
export interface FamilySessionPrincipal {
  workspaceId: string;
  sessionId: string;
  centralLoginId: string;
  cloginId: number;
  projectId: string;
  groupId: number;
}

/** A freshly started session: the token (shown once) and when it stops working. */
export interface StartedFamilySession {
  sessionToken: string;
  expiresAt: Date;
  principal: FamilySessionPrincipal;
}

interface CredentialRow {
  id: string;
  hash: string;
  expires_at: unknown;
  ended_at: unknown;
  workspace_id: string;
  central_login_id: string;
  project_id: string;
  clogin_id: number | string;
  group_id: number | string;
}

const lookup = (table: string, ended: string) => `SELECT t.id, t.hash, t.expires_at, t.${ended} AS ended_at,
  t.workspace_id, t.central_login_id, t.project_id, c.clogin_id, p.group_id
  FROM ${table} t
  JOIN identity_family_central_logins c ON c.id = t.central_login_id
  JOIN identity_family_projects p ON p.id = t.project_id
  WHERE t.hash IN`;
const LOGIN_TOKEN_LOOKUP = lookup('identity_family_login_tokens', 'used_at');
const SESSION_LOOKUP = lookup('identity_family_sessions', 'revoked_at');

const BAD_USER_TOKEN = 'user_token is invalid, expired or already used.';

/** Single-use login tokens and the family sessions they are exchanged for. */
@Injectable()
export class FamilySessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
    private readonly hasher: TokenHasher,
    private readonly verifier: CredentialVerifier,
    private readonly cache: TokenCache,
    private readonly audit: AuditService,
  ) {}

  /** Stores a new single-use login token for the person and project, inside the caller's transaction. */
  async issueLoginToken(
    manager: EntityManager,
    login: CentralLoginEntity,
    project: ProjectEntity,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = mintToken(FAMILY_LOGIN_TOKEN_PREFIX, 32);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + FAMILY_LOGIN_TOKEN_TTL_MS);
    await insertRows(manager, LoginTokenEntity, {
      id: newId(),
      workspaceId: login.workspaceId,
      centralLoginId: login.id,
      projectId: project.id,
      hash: this.hasher.hash(token),
      prefix: token.slice(0, 12),
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return { token, expiresAt };
  }

  /**
   * Exchanges a `user_token` for a family session token, once: a second exchange of the same token, an
   * expired or an unknown one is a 401. Of two simultaneous exchanges exactly one succeeds.
   */
  async exchange(
    userToken: string,
    options: Pick<VerifyOptions, 'client'> = {},
  ): Promise<StartedFamilySession> {
    const verdict = await this.verifier.verify(
      'family-login-token',
      userToken,
      FAMILY_LOGIN_TOKEN_PREFIX,
      this.loadLoginToken,
      { ...options, fresh: true }, // single use: the database decides, never a cached verdict
    );
    if (!verdict.valid) {
      throw IdentityError.unauthenticated(BAD_USER_TOKEN);
    }
    const login = verdict.principal;
    const sessionToken = mintToken(FAMILY_SESSION_TOKEN_PREFIX, 32);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.options.familyUsers.sessionTtlSeconds * 1000);
    const sessionId = newId();
    await runInTransaction(this.dataSource, async (manager) => {
      const used = await manager
        .createQueryBuilder()
        .update(LoginTokenEntity)
        .set({ usedAt: now })
        .where('id = :id AND used_at IS NULL', { id: login.sessionId })
        .execute();
      if (used.affected !== 1) {
        throw IdentityError.unauthenticated(BAD_USER_TOKEN); // exchanged meanwhile
      }
      await insertRows(manager, FamilySessionEntity, {
        id: sessionId,
        workspaceId: login.workspaceId,
        centralLoginId: login.centralLoginId,
        projectId: login.projectId,
        hash: this.hasher.hash(sessionToken),
        prefix: sessionToken.slice(0, 12),
        createdAt: now,
        expiresAt,
        revokedAt: null,
      });
      await this.audit.record(
        { type: 'family_user', id: String(login.cloginId) },
        {
          workspaceId: login.workspaceId,
          action: 'family-user.session-start',
          targetType: 'family_session',
          targetId: sessionId,
        },
        manager,
      );
    });
    return { sessionToken, expiresAt, principal: { ...login, sessionId } };
  }

  /** Checks a family session token (hash → cache → database); never throws for a bad token, only 429. */
  async verifySession(
    token: string,
    options: VerifyOptions = {},
  ): Promise<CredentialVerdict<FamilySessionPrincipal>> {
    return this.verifier.verify(
      'family-session',
      token,
      FAMILY_SESSION_TOKEN_PREFIX,
      this.loadSession,
      options,
    );
  }

  /** `verifySession` answered from the cache without waiting, or undefined when not cached. */
  cachedSession(token: string): CredentialVerdict<FamilySessionPrincipal> | undefined {
    return this.verifier.cached('family-session', token);
  }

  /** Ends every session of a person at once, on every instance (after a password change, for example). */
  async revokeSessions(manager: EntityManager, centralLoginId: string): Promise<void> {
    await manager.update(
      FamilySessionEntity,
      { centralLoginId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
  }

  /** Drops cached verdicts of a person's sessions everywhere; call it after the commit of `revokeSessions`. */
  async forgetSessions(centralLoginId: string): Promise<void> {
    await this.cache.invalidate([`family-login:${centralLoginId}`]);
  }

  /** A login token's row: its id travels as `sessionId` until the exchange makes the session. */
  private readonly loadLoginToken = async (
    hashes: readonly string[],
  ): Promise<StoredCredential<FamilySessionPrincipal> | undefined> => {
    const [row] = await queryRows<CredentialRow>(
      this.dataSource,
      `${LOGIN_TOKEN_LOOKUP} (${placeholders(hashes)})`,
      [...hashes],
    );
    return row ? this.credentialOf(row, 'used') : undefined;
  };

  private readonly loadSession = async (
    hashes: readonly string[],
  ): Promise<StoredCredential<FamilySessionPrincipal> | undefined> => {
    const [row] = await queryRows<CredentialRow>(
      this.dataSource,
      `${SESSION_LOOKUP} (${placeholders(hashes)})`,
      [...hashes],
    );
    return row ? this.credentialOf(row, 'revoked') : undefined;
  };

  private credentialOf(row: CredentialRow, refusal: string): StoredCredential<FamilySessionPrincipal> {
    return {
      principal: {
        workspaceId: row.workspace_id,
        sessionId: row.id,
        centralLoginId: row.central_login_id,
        cloginId: Number(row.clogin_id),
        projectId: row.project_id,
        groupId: Number(row.group_id),
      },
      hash: row.hash,
      tags: [`family-session:${row.id}`, `family-login:${row.central_login_id}`],
      expiresAt: instantOf(row.expires_at),
      refusal: row.ended_at === null || row.ended_at === undefined ? undefined : refusal,
    };
  }
}
