import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { IDENTITY_CLOCK, IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { type IdentityClock, SYSTEM_CLOCK } from '../clock.js';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter.js';
import { TokenCache } from './token-cache.js';
import { isWellFormedToken } from './token-format.js';
import { TokenHasher } from './token-hasher.js';

/** What a surface's `load(hash)` returns for the credential stored under that hash. */
export interface StoredCredential<P> {
  /** Who the credential proves, as the guard hands it to the route. No secrets. */
  principal: P;
  /** The hash as stored, compared with the presented secret in constant time. */
  hash: string;
  /** Cache tags the verdict depends on (`user-group:<id>`); invalidating one drops it everywhere. */
  tags: readonly string[];
  /** Epoch ms at which the credential stops working (a lifetime, a rotation grace); absent: never. */
  expiresAt?: number | null;
  /** Set when the credential exists but is refused now (`revoked`, `blocked`); the caller says why. */
  refusal?: string;
}

/**
 * Loads the credential stored under any of these hashes (the presented secret hashed under each
 * configured token secret, current first): one indexed lookup (`hash IN (…)`), or undefined.
 */
export type CredentialLoader<P> = (hashes: readonly string[]) => Promise<StoredCredential<P> | undefined>;

/** Why a presented credential does not authenticate. */
export type CredentialFailure = 'malformed' | 'unknown' | 'expired' | 'refused';

/** The outcome of a check: the principal, or why not (with the principal when the credential exists). */
export type CredentialVerdict<P> =
  | { valid: true; principal: P }
  | { valid: false; failure: CredentialFailure; refusal?: string; principal?: P };

/** Options of one check. */
export interface VerifyOptions {
  /** Who is asking (`clientOf(request)`), for the per-client failure limit; omit for host code. */
  client?: string;
  /** Skip the caches and read the database: for calls that create or widen credentials. */
  fresh?: boolean;
}

interface CachedVerdict<P> {
  principal: P;
  expiresAt?: number | null;
  refusal?: string;
  /** The valid verdict, made once: a cache hit allocates nothing. */
  accepted: CredentialVerdict<P>;
}

/**
 * The one protocol every token check follows (API keys, embed tokens, access tokens, session tokens):
 * digest → cache (a hit ends here: `cached()` answers it without a promise) → well-formed check →
 * (failure limit) → ticket → one indexed lookup under the HMAC of every configured secret →
 * constant-time match → cache with tags. A surface supplies only `load(hashes)`.
 *
 * Unknown credentials are remembered briefly (bounded), so repeating one costs no query; since every
 * credential is minted fresh, none can have been presented before it existed. Failed lookups count
 * against the client's address (`AuthFailureLimiter`); not against the credential's public prefix,
 * which anyone may know (Regpack sends it as `Api-id`), so counting it would let strangers lock a key
 * out, while 24 random bytes of secret need no such guard.
 */
@Injectable()
export class CredentialVerifier {
  private readonly unknown: LRUCache<string, true> | undefined;

  constructor(
    private readonly hasher: TokenHasher,
    private readonly cache: TokenCache,
    private readonly failures: AuthFailureLimiter,
    @Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions,
    @Optional() @Inject(IDENTITY_CLOCK) private readonly clock: IdentityClock = SYSTEM_CLOCK,
  ) {
    const { negativeTtlMs, negativeMax } = options.tokenCache;
    this.unknown =
      negativeTtlMs > 0 ? new LRUCache<string, true>({ max: negativeMax, ttl: negativeTtlMs }) : undefined;
  }

  /**
   * The verdict the cache holds for `presented`, without waiting: undefined on a miss (then call
   * `verify`). The guards' hot path: a cache hit costs one digest and one map lookup, no promise.
   * Only credentials that passed the full check are cached, so a hit needs no format check.
   */
  cached<P>(kind: string, presented: string): CredentialVerdict<P> | undefined {
    const cached = this.cache.get<CachedVerdict<P>>(kind, this.hasher.cacheKey(presented));
    return cached && this.judge(cached);
  }

  /**
   * Checks `presented` as a credential of `kind` whose format is `<prefix>_…`. Never throws for a bad
   * credential (the verdict says why), only a 429 `IdentityError` when the client failed too often.
   */
  async verify<P>(
    kind: string,
    presented: string,
    prefix: string,
    load: CredentialLoader<P>,
    options: VerifyOptions = {},
  ): Promise<CredentialVerdict<P>> {
    const key = this.hasher.cacheKey(presented);
    if (!options.fresh) {
      const cached = this.cache.get<CachedVerdict<P>>(kind, key);
      if (cached) {
        return this.judge(cached);
      }
    }
    if (!isWellFormedToken(presented, prefix)) {
      return { valid: false, failure: 'malformed' };
    }
    // Past here a check may cost a lookup: a client that failed too often waits first.
    if (options.client !== undefined) {
      this.failures.assertAllowed(options.client);
    }
    const unknownKey = `${kind}:${key}`;
    if (!options.fresh && this.unknown?.has(unknownKey)) {
      return { valid: false, failure: 'unknown' };
    }
    // Counted before the lookup and forgiven if it succeeds, so lookups in flight at once count too: a
    // burst of concurrent unknown credentials cannot cost more than the limit in queries.
    if (options.client !== undefined) {
      this.failures.recordFailure(options.client);
    }
    const ticket = this.cache.ticket();
    const hashes = this.hasher.hashes(presented);
    const stored = await load(hashes);
    let verdict: CredentialVerdict<P>;
    if (!stored || !this.hasher.matchesAny(hashes, stored.hash)) {
      this.unknown?.set(unknownKey, true);
      verdict = { valid: false, failure: 'unknown' };
    } else {
      // Shared by every request that presents this credential until the entry ends: frozen, so a host
      // route that changes the principal it was handed cannot change what the next request sees.
      deepFreeze(stored.principal);
      const cached: CachedVerdict<P> = {
        principal: stored.principal,
        expiresAt: stored.expiresAt,
        refusal: stored.refusal,
        accepted: { valid: true, principal: stored.principal },
      };
      this.cache.set(kind, key, cached, stored.tags, ticket);
      verdict = this.judge(cached);
    }
    // Only failures that cost a lookup count: cached refusals (a rotated token in an old tab behind an
    // office NAT) and remembered unknowns cost nothing and must not lock a shared address out.
    if (verdict.valid && options.client !== undefined) {
      this.failures.forgive(options.client);
    }
    return verdict;
  }

  /**
   * Forgets that a credential was unknown here: call it after storing a credential whose secret came
   * from outside (e.g. a bootstrap key), since only such a secret can have been presented before.
   */
  forgetUnknown(kind: string, presented: string): void {
    this.unknown?.delete(`${kind}:${this.hasher.cacheKey(presented)}`);
  }

  /** An expiry that cannot be read (NaN) counts as passed: fail closed. */
  private judge<P>(verdict: CachedVerdict<P>): CredentialVerdict<P> {
    if (
      verdict.expiresAt !== undefined &&
      verdict.expiresAt !== null &&
      !(verdict.expiresAt > this.clock.now())
    ) {
      return { valid: false, failure: 'expired', principal: verdict.principal };
    }
    if (verdict.refusal !== undefined) {
      return { valid: false, failure: 'refused', refusal: verdict.refusal, principal: verdict.principal };
    }
    return verdict.accepted;
  }
}

/** Freezes a plain value and everything reachable from it (principals are plain data: no cycles). */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) {
    return;
  }
  Object.freeze(value);
  for (const child of Object.values(value)) {
    deepFreeze(child);
  }
}
