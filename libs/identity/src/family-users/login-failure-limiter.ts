import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';

interface Window {
  failures: number;
  resetAt: number;
}

const MAX_TRACKED_USERNAMES = 50_000;

/**
 * Counts failed `login` calls per username (per workspace) in fixed windows, in this process
 * (`familyUsers.loginFailures`). Past the limit, `login` for that username answers 429 before any
 * password is checked, until the window ends; a successful login clears the count. Unknown usernames
 * count alike, so the limit does not tell which usernames exist.
 */
@Injectable()
export class LoginFailureLimiter {
  private readonly windows: LRUCache<string, Window> | undefined;
  private readonly max: number;
  private readonly windowMs: number;

  constructor(@Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions) {
    const config = options.familyUsers.loginFailures;
    this.max = config ? config.maxPerWindow : Infinity;
    this.windowMs = config ? config.windowSeconds * 1000 : 0;
    this.windows = config ? new LRUCache<string, Window>({ max: MAX_TRACKED_USERNAMES }) : undefined;
  }

  /** Throws a 429 `IdentityError` (with the seconds to wait) when this username failed too often. */
  assertAllowed(key: string, now = Date.now()): void {
    const window = this.windows?.get(key);
    if (window && window.resetAt > now && window.failures >= this.max) {
      throw IdentityError.tooManyRequests(
        IdentityErrorReason.TooManyFailures,
        'Too many failed logins for this username; wait before trying again.',
        Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
      );
    }
  }

  recordFailure(key: string, now = Date.now()): void {
    if (!this.windows) {
      return;
    }
    const window = this.windows.get(key);
    if (window && window.resetAt > now) {
      window.failures++;
    } else {
      this.windows.set(key, { failures: 1, resetAt: now + this.windowMs });
    }
  }

  reset(key: string): void {
    this.windows?.delete(key);
  }
}
