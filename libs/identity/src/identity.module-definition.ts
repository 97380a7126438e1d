import { ConfigurableModuleBuilder } from '@nestjs/common';
import { IDENTITY_FEATURES, type IdentityFeature } from './identity.constants.js';
import {
  type ResolvedUserGroupsOptions,
  resolveUserGroupsOptions,
  type UserGroupsOptions,
} from './user-groups/user-groups.options.js';

/** Where cache invalidations travel between instances. */
export type InvalidationOption =
  { driver: 'local' } | { driver: 'postgres'; url: string } | { driver: 'redis'; url: string };

/** Options of `IdentityModule.forRoot` / `forRootAsync`. */
export interface IdentityModuleOptions {
  /** HMAC pepper for stored token and key hashes; required when NODE_ENV is `production`, at least 32 characters. */
  tokenSecret?: string;
  /** Per API key request limit; Dixa documents 10 requests per second. `false` turns it off. */
  rateLimit?: { perSecond?: number } | false;
  /** Redis URL; when set, rate-limit counters live in Redis so every instance shares them. */
  redisUrl?: string;
  /**
   * Token cache: entries are dropped on invalidation and never live longer than `ttlMs`. Unknown
   * credentials are remembered for `negativeTtlMs` (at most `negativeMax` of them), so repeating one
   * costs no query.
   */
  tokenCache?: { ttlMs?: number; max?: number; negativeTtlMs?: number; negativeMax?: number };
  /**
   * Failed credential checks allowed per client address and per credential prefix in a window; past
   * it, checks from that client answer 429 with `Retry-After` before any query. `false` turns it off.
   */
  authFailures?: { maxPerWindow?: number; windowSeconds?: number } | false;
  /** How cache invalidations reach other instances (default: this process only). */
  invalidation?: InvalidationOption;
  /** User-group embed tokens. */
  userGroups?: UserGroupsOptions;
}

/** Base paths of the four surfaces. */
export interface IdentityPaths {
  userGroups: string;
  endUsers: string;
  externalUsers: string;
  familyUsers: string;
  /** The module's own management routes (API keys, audit log). */
  management: string;
}

/** Options after defaults were applied and every value was checked. */
export interface ResolvedIdentityOptions {
  tokenSecret: string;
  rateLimit: { perSecond: number } | false;
  redisUrl?: string;
  tokenCache: { ttlMs: number; max: number; negativeTtlMs: number; negativeMax: number };
  authFailures: { maxPerWindow: number; windowSeconds: number } | false;
  invalidation: InvalidationOption;
  userGroups: ResolvedUserGroupsOptions;
}

/** Options that shape the module itself rather than its providers (given beside the options in both forms). */
export interface IdentityModuleExtras {
  /** Which surfaces to mount (controllers and services); default: all four. */
  features?: readonly IdentityFeature[];
  /** Base paths of the surfaces; the defaults are the seeds' own (`/api`, `/beta`, `/api/v1`, `/reg/api2`, `/identity`). */
  paths?: Partial<IdentityPaths>;
  /** Register the module globally so feature modules of the host can inject its services and guards. */
  isGlobal?: boolean;
}

/** Thrown at start-up when an option is wrong; the message says what to fix. */
export class IdentityOptionsError extends Error {
  constructor(problems: string[]) {
    super(`IdentityModule options are invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'IdentityOptionsError';
  }
}

/** The module's shape after checking: which surfaces are mounted, and where. */
export interface IdentityShape {
  features: readonly IdentityFeature[];
  paths: IdentityPaths;
}

/** Checks `features` and `paths`; throws `IdentityOptionsError` naming what to fix. */
export function resolveIdentityShape(extras: IdentityModuleExtras): IdentityShape {
  const problems: string[] = [];
  const features = extras.features ?? IDENTITY_FEATURES;
  const unknown = features.filter((f) => !(IDENTITY_FEATURES as readonly string[]).includes(f));
  if (unknown.length > 0) {
    problems.push(
      `features: unknown ${unknown.map((f) => `'${f}'`).join(', ')}; use some of ${IDENTITY_FEATURES.join(', ')}`,
    );
  } else if (features.length === 0) {
    problems.push(
      `features: the list is empty; leave it out to mount all of ${IDENTITY_FEATURES.join(', ')}`,
    );
  }
  const paths: IdentityPaths = {
    userGroups: extras.paths?.userGroups ?? '/api',
    endUsers: extras.paths?.endUsers ?? '/beta',
    externalUsers: extras.paths?.externalUsers ?? '/api/v1',
    familyUsers: extras.paths?.familyUsers ?? '/reg/api2',
    management: extras.paths?.management ?? '/identity',
  };
  for (const [name, path] of Object.entries(paths)) {
    if (!/^(\/[A-Za-z0-9._~-]+)*\/?$/.test(path)) {
      problems.push(`paths.${name} must be a path like '/api' (got '${path}')`);
    }
  }
  if (problems.length > 0) {
    throw new IdentityOptionsError(problems);
  }
  return { features: [...new Set(features)], paths };
}

/** `value` (or `fallback` when not given) if it is a whole number within bounds; else a problem is added. */
function wholeNumber(
  problems: string[],
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    problems.push(`${name} must be a whole number ${range} (got ${String(chosen)})`);
  }
  return chosen;
}

const DEV_SECRET = 'nestjs-identity-insecure-development-secret-do-not-use-in-production';

/** Applies defaults and checks every option; throws `IdentityOptionsError` listing all problems at once. */
export function resolveIdentityOptions(
  options: IdentityModuleOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedIdentityOptions {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  let tokenSecret = options.tokenSecret;
  if (tokenSecret === undefined || tokenSecret === '') {
    if (production) {
      problems.push(
        'tokenSecret is missing; set it (for example from IDENTITY_TOKEN_SECRET) to a random string of at least 32 characters: stored token hashes depend on it',
      );
    }
    tokenSecret = DEV_SECRET;
  } else if (tokenSecret.length < 32) {
    problems.push(`tokenSecret is ${tokenSecret.length} characters long; use at least 32 random characters`);
  }

  let rateLimit: ResolvedIdentityOptions['rateLimit'] = { perSecond: 10 };
  if (options.rateLimit === false) {
    rateLimit = false;
  } else if (options.rateLimit?.perSecond !== undefined) {
    const perSecond = options.rateLimit.perSecond;
    if (!Number.isInteger(perSecond) || perSecond < 1) {
      problems.push(`rateLimit.perSecond must be a whole number of at least 1 (got ${String(perSecond)})`);
    }
    rateLimit = { perSecond };
  }

  const tokenCache = {
    ttlMs: wholeNumber(problems, 'tokenCache.ttlMs', options.tokenCache?.ttlMs, 5000, 0, 60_000),
    max: wholeNumber(problems, 'tokenCache.max', options.tokenCache?.max, 10_000, 1),
    negativeTtlMs: wholeNumber(
      problems,
      'tokenCache.negativeTtlMs',
      options.tokenCache?.negativeTtlMs,
      10_000,
      0,
      600_000,
    ),
    negativeMax: wholeNumber(problems, 'tokenCache.negativeMax', options.tokenCache?.negativeMax, 10_000, 1),
  };

  const authFailures =
    options.authFailures === false
      ? false
      : {
          maxPerWindow: wholeNumber(
            problems,
            'authFailures.maxPerWindow',
            options.authFailures?.maxPerWindow,
            30,
            1,
          ),
          windowSeconds: wholeNumber(
            problems,
            'authFailures.windowSeconds',
            options.authFailures?.windowSeconds,
            60,
            1,
            86_400,
          ),
        };

  const invalidation = options.invalidation ?? { driver: 'local' };
  if (!['local', 'postgres', 'redis'].includes(invalidation.driver)) {
    problems.push(
      `invalidation.driver must be 'local', 'postgres' or 'redis' (got '${String(invalidation.driver)}')`,
    );
  } else if (invalidation.driver !== 'local' && !invalidation.url) {
    problems.push(`invalidation.url is required with the '${invalidation.driver}' driver`);
  }

  // Each surface resolves its own options into the same list of problems.
  const userGroups = resolveUserGroupsOptions(options.userGroups, problems);

  if (problems.length > 0) {
    throw new IdentityOptionsError(problems);
  }
  return {
    tokenSecret,
    rateLimit,
    redisUrl: options.redisUrl,
    tokenCache,
    authFailures,
    invalidation,
    userGroups,
  };
}

export const {
  ConfigurableModuleClass: ConfigurableIdentityModule,
  MODULE_OPTIONS_TOKEN: IDENTITY_MODULE_OPTIONS,
  OPTIONS_TYPE: IDENTITY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: IDENTITY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IdentityModuleOptions>({ moduleName: 'Identity' })
  .setClassMethodName('forRoot')
  .setExtras<IdentityModuleExtras>(
    { features: undefined, paths: undefined, isGlobal: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
