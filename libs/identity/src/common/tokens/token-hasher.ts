import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';

/** Hashes secrets with HMAC-SHA-256 keyed by the module's `tokenSecret`; only these hashes are stored. */
@Injectable()
export class TokenHasher {
  constructor(@Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions) {}

  /** Hex HMAC-SHA-256 of the secret: what the database keeps and looks up by. */
  hash(secret: string): string {
    return createHmac('sha256', this.options.tokenSecret).update(secret, 'utf8').digest('hex');
  }

  /**
   * Every hash a stored copy of this secret may have, the current one first. Lookups try them in order,
   * so a credential hashed before a secret rotation is still found.
   */
  hashes(secret: string): string[] {
    return [this.hash(secret)];
  }

  /** Constant-time check of a presented secret against a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    const presented = Buffer.from(this.hash(secret), 'hex');
    const stored = Buffer.from(storedHash, 'hex');
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }
}
