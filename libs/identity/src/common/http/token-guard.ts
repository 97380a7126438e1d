import type { CredentialVerdict, VerifyOptions } from '../tokens/credential-verifier.js';
import { CredentialGuard, sameDefiner } from './credential-guard.js';
import { clientOf, type CredentialRequest, readAuthorization } from './credential-request.js';

/**
 * A guard for one kind of token in `Authorization: Bearer|Token <token>` (embed tokens, access tokens,
 * session tokens): checked through the shared verifier, answered from its cache without waiting when
 * it can. A subclass names how to verify (`verify`, `cached`) and what a verdict admits (`admit`, which
 * throws the surface's 401 or 403). `V` is what the verifier proves, `P` what the route gets.
 */
export abstract class TokenGuard<V, P = V> extends CredentialGuard<string, P> {
  /** The full check (cache, then one lookup); never throws for a bad token, only a 429. */
  protected abstract verify(token: string, options: VerifyOptions): Promise<CredentialVerdict<V>>;

  /** The cached verdict, or undefined when the token is not cached. */
  protected abstract cached(token: string): CredentialVerdict<V> | undefined;

  /** The principal a verdict admits; throws the guard's refusal (401, 403) for any other verdict. */
  protected abstract admit(verdict: CredentialVerdict<V>): P;

  protected getToken(request: CredentialRequest): string | undefined {
    return readAuthorization(request);
  }

  protected async authenticate(token: string, request: CredentialRequest): Promise<P> {
    return this.admit(await this.verify(token, { client: clientOf(request) }));
  }

  /** The cached path also skips `verify`: it is taken only when `cached` comes from the class that defines `verify`. */
  protected override cachedPathIntact(): boolean {
    return super.cachedPathIntact() && sameDefiner(this, 'verify', 'cached');
  }

  protected override authenticateCached(token: string): P | undefined {
    const verdict = this.cached(token);
    return verdict && this.admit(verdict);
  }
}
