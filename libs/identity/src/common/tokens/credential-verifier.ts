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

/** Loads the credential stored under one hash: one indexed lookup, or undefined when there is none. */
export type CredentialLoader<P> = (hash: string) => Promise<StoredCredential<P> | undefined>;

/** Why a presented credential does not authenticate. */
export type CredentialFailure = 'malformed' | 'unknown' | 'expired' | 'refused';

/** The outcome of a check: the principal, or why not (with the principal when the credential exists). */
export type CredentialVerdict<P> =
  | { valid: true; principal: P }
  | { valid: false; failure: CredentialFailure; refusal?: string; principal?: P };

/** Options of one check. */
export interface VerifyOptions {
  /** Who is asking (e.g. `ip:203.0.113.9`), for the per-client failure limit; omit for host code. */
  client?: string;
  /** Skip the caches and read the database: for calls that create or widen credentials. */
  fresh?: boolean;
}

interface CachedVerdict<P> {
  principal: P;
  expiresAt?: number | null;
  refusal?: string;
}

/** How much of a presented credential identifies it publicly (its kind and the first characters). */
const PUBLIC_PREFIX_LENGTH = 8;

/**
 * The one protocol every token check follows (API keys, embed tokens, access tokens, session tokens):
 * well-formed check → hash → cache → (failure limit) → ticket → one indexed lookup per configured
 * secret → constant-time match → cache with tags. A surface supplies only `load(hash)`.
 *
 * Unknown credentials are remembered briefly (bounded), so repeating one costs no query; since every
 * credential is minted fresh, none can have been presented before it existed. Failed checks count
 * against the client and the credential's public prefix (`AuthFailureLimiter`).
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
    if (!isWellFormedToken(presented, prefix)) {
      if (options.client !== undefined) {
        this.failures.assertAllowed(this.clientsOf(kind, presented, options.client));
      }
      return this.fail(kind, presented, options.client, { valid: false, failure: 'malformed' });
    }
    const hash = this.hasher.hash(presented);
    if (!options.fresh) {
      const cached = this.cache.get<CachedVerdict<P>>(kind, hash);
      if (cached) {
        return this.judge(kind, presented, options.client, cached);
      }
    }
    if (options.client !== undefined) {
      this.failures.assertAllowed(this.clientsOf(kind, presented, options.client));
    }
    const unknownKey = `${kind}:${hash}`;
    if (!options.fresh && this.unknown?.has(unknownKey)) {
      return this.fail(kind, presented, options.client, { valid: false, failure: 'unknown' });
    }
    const ticket = this.cache.ticket();
    const stored = await this.loadAny(presented, load);
    if (!stored || !this.hasher.matches(presented, stored.hash)) {
      this.unknown?.set(unknownKey, true);
      return this.fail(kind, presented, options.client, { valid: false, failure: 'unknown' });
    }
    const verdict: CachedVerdict<P> = {
      principal: stored.principal,
      expiresAt: stored.expiresAt,
      refusal: stored.refusal,
    };
    this.cache.set(kind, hash, verdict, stored.tags, ticket);
    return this.judge(kind, presented, options.client, verdict);
  }

  /**
   * Forgets that a credential was unknown here: call it after storing a credential whose secret came
   * from outside (e.g. a bootstrap key), since only such a secret can have been presented before.
   */
  forgetUnknown(kind: string, presented: string): void {
    this.unknown?.delete(`${kind}:${this.hasher.hash(presented)}`);
  }

  /** Tries the hash under each configured secret, current first, until one is stored. */
  private async loadAny<P>(presented: string, load: CredentialLoader<P>) {
    for (const hash of this.hasher.hashes(presented)) {
      const stored = await load(hash);
      if (stored) {
        return stored;
      }
    }
    return undefined;
  }

  private judge<P>(
    kind: string,
    presented: string,
    client: string | undefined,
    verdict: CachedVerdict<P>,
  ): CredentialVerdict<P> {
    if (typeof verdict.expiresAt === 'number' && verdict.expiresAt <= this.clock.now()) {
      return this.fail(kind, presented, client, {
        valid: false,
        failure: 'expired',
        principal: verdict.principal,
      });
    }
    if (verdict.refusal !== undefined) {
      return this.fail(kind, presented, client, {
        valid: false,
        failure: 'refused',
        refusal: verdict.refusal,
        principal: verdict.principal,
      });
    }
    return { valid: true, principal: verdict.principal };
  }

  /** Counts a failed check against the client (requests only) and returns its verdict. */
  private fail<V>(kind: string, presented: string, client: string | undefined, verdict: V): V {
    if (client !== undefined) {
      this.failures.recordFailure(this.clientsOf(kind, presented, client));
    }
    return verdict;
  }

  /** The client itself and the public prefix of what it presented (`prefix:api-key:idk_AbCdEfGh`). */
  private clientsOf(kind: string, presented: string, client: string): string[] {
    const end = presented.indexOf('_') + 1 + PUBLIC_PREFIX_LENGTH;
    return [client, `prefix:${kind}:${presented.slice(0, Math.min(end, 64))}`];
  }
}
