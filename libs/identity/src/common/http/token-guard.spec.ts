import { describe, expect, it, jest } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { fakeRequest, httpContext, plainRoute } from '../../../testing/http-fakes.js';
import { refusal } from '../../../testing/refusal.js';
import { IdentityError, IdentityErrorReason } from '../errors/identity-error.js';
import type { CredentialVerdict, VerifyOptions } from '../tokens/credential-verifier.js';
import { TokenGuard } from './token-guard.js';

interface Principal {
  id: string;
  workspaceId: string;
}

const TOKEN = 'tok_9fQ2mXb7LkA0pZr4TyW8sVc1';
const PRINCIPAL: Principal = { id: 'p-1', workspaceId: 'ws-frozen' };

/** A module-style token guard whose every token is valid and cached. */
class CachedTokenGuard extends TokenGuard<Principal> {
  protected readonly principalProperty = 'principal';
  readonly verifyCalls = jest.fn<(token: string) => void>();

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated('No token.', IdentityErrorReason.MissingCredential);
  }

  protected verify(token: string, _options: VerifyOptions): Promise<CredentialVerdict<Principal>> {
    this.verifyCalls(token);
    return Promise.resolve({ valid: true, principal: PRINCIPAL });
  }

  protected cached(_token: string): CredentialVerdict<Principal> | undefined {
    return { valid: true, principal: PRINCIPAL };
  }

  protected admit(verdict: CredentialVerdict<Principal>): Principal {
    if (!verdict.valid) {
      throw IdentityError.unauthenticated('Invalid token.');
    }
    return verdict.principal;
  }
}

/** A host's subclass adding a rule in `verify` (the documented hook for how a token is checked). */
class FrozenWorkspaceGuard extends CachedTokenGuard {
  protected override async verify(
    token: string,
    options: VerifyOptions,
  ): Promise<CredentialVerdict<Principal>> {
    const verdict = await super.verify(token, options);
    return verdict.valid && verdict.principal.workspaceId === 'ws-frozen'
      ? { valid: false, failure: 'refused', refusal: 'frozen' }
      : verdict;
  }
}

const bearer = () => fakeRequest({ headers: { Authorization: `Bearer ${TOKEN}` } });

describe(TokenGuard.name, () => {
  it('answers a cached token synchronously when no hook is overridden', () => {
    const guard = new CachedTokenGuard(new Reflector());
    expect(guard.canActivate(httpContext({ request: bearer(), route: plainRoute() }))).toBe(true);
    expect(guard.verifyCalls).not.toHaveBeenCalled();
  });

  it('never bypasses a subclass that overrides verify: a cached token still takes its rule', async () => {
    const guard = new FrozenWorkspaceGuard(new Reflector());
    const request = bearer();
    const err = await refusal(guard.canActivate(httpContext({ request, route: plainRoute() })));
    expect(err.getStatus()).toBe(401);
    expect(guard.verifyCalls).toHaveBeenCalledWith(TOKEN);
    expect((request as { principal?: unknown }).principal).toBeUndefined();
  });
});
