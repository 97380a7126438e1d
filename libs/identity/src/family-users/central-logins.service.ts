import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { insertRows, newId, queryRows } from '../common/persistence/persistence.js';
import { CentralLoginEntity } from './central-login.entity.js';
import { nextNumber } from './family-numbers.js';
import { LoginFailureLimiter } from './login-failure-limiter.js';
import { PasswordHasher } from './password-hasher.js';

/** Credentials of a new central login (children may have none). */
export interface NewCentralLogin {
  username?: string | null;
  /** Already hashed with `PasswordHasher` (hash before the transaction: it is slow on purpose). */
  passwordHash?: string | null;
  mainEmail?: string | null;
}

/** What a successful password check proves. */
export interface AuthenticatedLogin {
  centralLogin: CentralLoginEntity;
  /** The person's registration in the project they logged in to. */
  familyUserId: string;
}

/** The username as stored in `username_key`: trimmed and lower-cased. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

interface LoginRow {
  id: string;
  password_hash: string | null;
  registration_id: string | null;
}

const LOGIN_LOOKUP = `SELECT c.id, c.password_hash, fu.id AS registration_id
  FROM identity_family_central_logins c
  LEFT JOIN identity_family_users fu ON fu.central_login_id = c.id AND fu.project_id = ?
  WHERE c.workspace_id = ? AND c.username_key = ?`;

const WRONG_CREDENTIALS = 'Wrong username or password.';

/** Central logins (one per person per workspace): lookup, creation, passwords. */
@Injectable()
export class CentralLoginsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordHasher,
    private readonly failures: LoginFailureLimiter,
  ) {}

  async findByUsername(
    workspaceId: string,
    username: string,
    manager?: EntityManager,
  ): Promise<CentralLoginEntity | null> {
    return (manager ?? this.dataSource.manager).findOneBy(CentralLoginEntity, {
      workspaceId,
      usernameKey: usernameKey(username),
    });
  }

  async findByCloginId(
    workspaceId: string,
    cloginId: number,
    manager?: EntityManager,
  ): Promise<CentralLoginEntity | null> {
    return (manager ?? this.dataSource.manager).findOneBy(CentralLoginEntity, { workspaceId, cloginId });
  }

  /** Inserts a central login with the workspace's next `clogin_id`; call it under `lockWorkspace`. */
  async insert(
    manager: EntityManager,
    workspaceId: string,
    input: NewCentralLogin,
  ): Promise<CentralLoginEntity> {
    const now = new Date();
    const login: CentralLoginEntity = {
      id: newId(),
      workspaceId,
      cloginId: await nextNumber(manager, 'identity_family_central_logins', 'clogin_id', workspaceId),
      username: input.username?.trim() ?? null,
      usernameKey: input.username ? usernameKey(input.username) : null,
      passwordHash: input.passwordHash ?? null,
      mainEmail: input.mainEmail ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await insertRows(manager, CentralLoginEntity, login);
    return login;
  }

  /**
   * Checks a username and password for a login to one project. An unknown username, a wrong password
   * and a person not registered in the project answer alike (401) and cost the same: a password hash
   * is checked every time (a dummy one for an unknown username). Too many failures for one username
   * answer 429 before any check.
   */
  async authenticate(
    workspaceId: string,
    projectId: string,
    username: string,
    password: string,
  ): Promise<AuthenticatedLogin> {
    const key = `${workspaceId}:${usernameKey(username)}`;
    this.failures.assertAllowed(key);
    const [row] = await queryRows<LoginRow>(this.dataSource, LOGIN_LOOKUP, [
      projectId,
      workspaceId,
      usernameKey(username),
    ]);
    const matches = row?.password_hash
      ? await this.passwords.verify(row.password_hash, password)
      : await this.passwords.verifyDummy(password);
    if (!matches || !row?.registration_id) {
      this.failures.recordFailure(key);
      throw IdentityError.unauthenticated(WRONG_CREDENTIALS, IdentityErrorReason.InvalidCredential);
    }
    this.failures.reset(key);
    const centralLogin = await this.dataSource.manager.findOneByOrFail(CentralLoginEntity, { id: row.id });
    return { centralLogin, familyUserId: row.registration_id };
  }
}
