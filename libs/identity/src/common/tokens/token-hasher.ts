import { createHmac, timingSafeEqual } from 'node:crypto';
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
    const stored = Buffer.from(storedHash, 'hex');
    let found = false;
    // Every candidate is compared, with no early exit, so the time does not tell which secret matched.
    for (const hash of this.hashes(secret)) {
      const presented = Buffer.from(hash, 'hex');
      const equal = presented.length === stored.length && timingSafeEqual(presented, stored);
      found = equal || found;
    }
    return found;
  }
}

function hmac(key: string, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}
