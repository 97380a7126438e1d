import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { IdentityError, IdentityErrorReason } from '../errors/identity-error.js';

interface Window {
  failures: number;
  resetAt: number;
}

/** How many clients (addresses and key prefixes) are tracked at most; the least recent are forgotten. */
const MAX_TRACKED_CLIENTS = 50_000;

/**
 * Counts failed credential lookups per client address in fixed windows, in this process. Past
 * `authFailures.maxPerWindow`, further checks from that client that would cost a lookup are refused
 * with 429 before the query. A credential already in the token cache never gets here, so a blocked
 * address keeps working with valid tokens.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly windows: LRUCache<string, Window> | undefined;
  private readonly max: number;
  private readonly windowMs: number;

  constructor(@Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions) {
    const config = options.authFailures;
    this.max = config ? config.maxPerWindow : Infinity;
    this.windowMs = config ? config.windowSeconds * 1000 : 0;
    this.windows = config ? new LRUCache<string, Window>({ max: MAX_TRACKED_CLIENTS }) : undefined;
  }

  /** Throws a 429 `IdentityError` (with the seconds to wait) when the client failed too often. */
  assertAllowed(client: string, now = Date.now()): void {
    const window = this.windows?.get(client);
    if (window && window.resetAt > now && window.failures >= this.max) {
      throw IdentityError.tooManyRequests(
        IdentityErrorReason.TooManyFailures,
        'Too many failed credentials from this client; wait before trying again.',
        Math.ceil((window.resetAt - now) / 1000),
      );
    }
  }

  /** Takes back one counted failure of the client (a lookup counted up front that succeeded). */
  forgive(client: string, now = Date.now()): void {
    const window = this.windows?.get(client);
    if (window && window.resetAt > now && window.failures > 0) {
      window.failures--;
    }
  }

  /** Counts one failed check against the client. */
  recordFailure(client: string, now = Date.now()): void {
    if (!this.windows) {
      return;
    }
    const window = this.windows.get(client);
    if (window && window.resetAt > now) {
      window.failures++;
    } else {
      this.windows.set(client, { failures: 1, resetAt: now + this.windowMs });
    }
  }
}
