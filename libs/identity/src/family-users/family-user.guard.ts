import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { TokenGuard } from '../common/http/token-guard.js';
import { type CredentialRequest, headerValue } from '../common/http/credential-request.js';
import type { CredentialVerdict, VerifyOptions } from '../common/tokens/credential-verifier.js';
import { wholeNumberOf } from './family-user-doc.js';
import { type FamilySessionPrincipal, FamilySessionsService } from './family-sessions.service.js';
import { FamilyUsersService } from './family-users.service.js';

/** The header a parent sends to act for one of their children: `X-Acting-For: <clogin_id>`. */
export const ACTING_FOR_HEADER = 'x-acting-for';

/** Whom a request acts for: the logged-in person, or (with `X-Acting-For`) one of their children. */
export interface ActingFor {
  /** The person the request acts for. */
  cloginId: number;
  /** The logged-in person. */
  actorCloginId: number;
  /** True when a parent acts for a child. */
  onBehalf: boolean;
}

/** What `FamilyUserGuard` attaches: the session's person and whom this request acts for. */
export interface FamilyUserPrincipal extends FamilySessionPrincipal {
  actingFor: ActingFor;
}

/** A request admitted by `FamilyUserGuard`. */
export interface FamilyUserRequest extends CredentialRequest {
  familyUser?: FamilyUserPrincipal;
}

/**
 * Admits requests carrying a valid family session token (`Authorization: Bearer fst_…`) and exposes the
 * person as `@CurrentFamilyUser()`. With `X-Acting-For: <clogin_id>` a parent acts for one of their own
 * children (`@ActingFor()`), and each such request is audited with both ids; for anyone else it is a 403.
 * Override `getToken` to read the token from elsewhere (a cookie), or `authorize` to add rules.
 */
@Injectable()
export class FamilyUserGuard extends TokenGuard<FamilySessionPrincipal, FamilyUserPrincipal> {
  protected readonly principalProperty = 'familyUser';

  constructor(
    reflector: Reflector,
    protected readonly sessions: FamilySessionsService,
    protected readonly familyUsers: FamilyUsersService,
    protected readonly audit: AuditService,
  ) {
    super(reflector);
  }

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated(
      'Missing family session token: send "Authorization: Bearer <session_token>".',
      IdentityErrorReason.MissingCredential,
    );
  }

  protected verify(
    token: string,
    options: VerifyOptions,
  ): Promise<CredentialVerdict<FamilySessionPrincipal>> {
    return this.sessions.verifySession(token, options);
  }

  protected cached(token: string): CredentialVerdict<FamilySessionPrincipal> | undefined {
    return this.sessions.cachedSession(token);
  }

  /** A copy of the session's person per request (the verified principal is shared through the cache). */
  protected admit(verdict: CredentialVerdict<FamilySessionPrincipal>): FamilyUserPrincipal {
    if (!verdict.valid) {
      throw IdentityError.unauthenticated('Family session token is invalid, expired or revoked.');
    }
    const self = verdict.principal.cloginId;
    return { ...verdict.principal, actingFor: { cloginId: self, actorCloginId: self, onBehalf: false } };
  }

  /** Resolves `X-Acting-For`: the person themself, or their own child (audited); anyone else is a 403. */
  protected override authorize(
    principal: FamilyUserPrincipal,
    context: ExecutionContext,
  ): void | Promise<void> {
    const header = headerValue(context.getArgByIndex<CredentialRequest>(0), ACTING_FOR_HEADER);
    if (header === undefined || header.trim() === '') {
      return;
    }
    const target = wholeNumberOf(header.trim());
    if (target === undefined) {
      throw IdentityError.validation('X-Acting-For must be a clogin_id (a whole number)', ['X-Acting-For']);
    }
    if (target === principal.cloginId) {
      return;
    }
    return this.actFor(principal, target);
  }

  private async actFor(principal: FamilyUserPrincipal, target: number): Promise<void> {
    if (!(await this.familyUsers.isChildOf(principal.workspaceId, target, principal.cloginId))) {
      throw IdentityError.forbidden(
        IdentityErrorReason.NotAllowed,
        'X-Acting-For: a parent may act only for their own children.',
      );
    }
    await this.audit.record(
      { type: 'family_user', id: String(principal.cloginId) },
      {
        workspaceId: principal.workspaceId,
        action: 'family-user.act-for',
        targetType: 'family_user',
        targetId: String(target),
      },
    );
    principal.actingFor = { cloginId: target, actorCloginId: principal.cloginId, onBehalf: true };
  }
}
