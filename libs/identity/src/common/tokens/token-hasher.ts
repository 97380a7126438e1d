import { createHmac, hash as digest, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';

/**
 * Hashes secrets with HMAC-SHA-256 keyed by the module's `tokenSecret`; only these hashes are stored.
 * With a rotation list, new hashes use the first secret and hashes made under the others still match.
 */
@Injectable()
export class TokenHasher {
  private readonly secrets: readonly string[];

  constructor(@Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions) {
    this.secrets = options.tokenSecrets;
  }

  /** Hex HMAC-SHA-256 of the secret under the current module secret: what the database keeps. */
  hash(secret: string): string {
    return hmac(this.secrets[0], secret);
  }

  /**
   * Every hash a stored copy of this secret may have, the current one first. Lookups try them in order,
   * so a credential hashed before a secret rotation is still found.
   */
  hashes(secret: string): string[] {
    return this.secrets.map((key) => hmac(key, secret));
  }

  /** Constant-time check of a presented secret against a stored hash made under any configured secret. */
  matches(secret: string, storedHash: string): boolean {
    return this.matchesAny(this.hashes(secret), storedHash);
  }

  /** `matches` for hashes already computed with `hashes(secret)`: a lookup hashes each secret once. */
  matchesAny(hashes: readonly string[], storedHash: string): boolean {
    const stored = Buffer.from(storedHash, 'hex');
    let found = false;
    // Every candidate is compared, with no early exit, so the time does not tell which secret matched.
    for (const hash of hashes) {
      const presented = Buffer.from(hash, 'hex');
      const equal = presented.length === stored.length && timingSafeEqual(presented, stored);
      found = equal || found;
    }
    return found;
  }

  /**
   * The key of a presented secret in the in-process caches: an unkeyed SHA-256 (one native call, no
   * HMAC object per request). It never leaves the process and is never stored; a secret has at least
   * 24 random bytes, so the digest reveals nothing. The database keeps only `hash()`.
   */
  cacheKey(secret: string): string {
    return digest('sha256', secret, 'base64');
  }
}

function hmac(key: string, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}
