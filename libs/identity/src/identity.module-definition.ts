import { ConfigurableModuleBuilder } from '@nestjs/common';
import { DEFAULT_INVALIDATION_POLL_MS } from './common/tokens/invalidation/database-invalidation.bus.js';
import { IDENTITY_FEATURES, type IdentityFeature } from './identity.constants.js';

/** Where cache invalidations travel between instances. */
export type InvalidationOption =
  | { driver: 'local' }
  | { driver: 'postgres'; url: string }
  | { driver: 'redis'; url: string }
  /** A table of the app's own database, polled every `pollMs` (default 250). */
  | { driver: 'database'; pollMs?: number };

/** Options of `IdentityModule.forRoot` / `forRootAsync`. */
export interface IdentityModuleOptions {
  /** HMAC pepper for stored token and key hashes; required when NODE_ENV is `production`, at least 32 characters. */
  tokenSecret?: string;
  /** Per API key request limit; Dixa documents 10 requests per second. `false` turns it off. */
  rateLimit?: { perSecond?: number } | false;
  /** Redis URL; when set, rate-limit counters live in Redis so every instance shares them. */
  redisUrl?: string;
  /** Token cache: entries are dropped on invalidation and never live longer than `ttlMs`. */
  tokenCache?: { ttlMs?: number; max?: number };
  /** How cache invalidations reach other instances (default: this process only). */
  invalidation?: InvalidationOption;
  /** User-group embed tokens. */
  userGroups?: { rotationGraceSeconds?: number };
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
  tokenCache: { ttlMs: number; max: number };
  invalidation: InvalidationOption;
  userGroups: { rotationGraceSeconds: number };
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

  const ttlMs = options.tokenCache?.ttlMs ?? 5000;
  const max = options.tokenCache?.max ?? 10_000;
  if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > 60_000) {
    problems.push(`tokenCache.ttlMs must be a whole number from 0 to 60000 (got ${String(ttlMs)})`);
  }
  if (!Number.isInteger(max) || max < 1) {
    problems.push(`tokenCache.max must be a whole number of at least 1 (got ${String(max)})`);
  }

  let invalidation = options.invalidation ?? { driver: 'local' };
  if (!['local', 'postgres', 'redis', 'database'].includes(invalidation.driver)) {
    problems.push(
      `invalidation.driver must be 'local', 'postgres', 'redis' or 'database' (got '${String(invalidation.driver)}')`,
    );
  } else if (invalidation.driver === 'database') {
    const pollMs = invalidation.pollMs ?? DEFAULT_INVALIDATION_POLL_MS;
    if (!Number.isInteger(pollMs) || pollMs < 50 || pollMs > 5000) {
      problems.push(`invalidation.pollMs must be a whole number from 50 to 5000 (got ${String(pollMs)})`);
    }
    invalidation = { driver: 'database', pollMs };
  } else if (invalidation.driver !== 'local' && !invalidation.url) {
    problems.push(`invalidation.url is required with the '${invalidation.driver}' driver`);
  }

  const grace = options.userGroups?.rotationGraceSeconds ?? 0;
  if (!Number.isInteger(grace) || grace < 0 || grace > 60) {
    problems.push(
      `userGroups.rotationGraceSeconds must be a whole number from 0 to 60 (got ${String(grace)})`,
    );
  }

  if (problems.length > 0) {
    throw new IdentityOptionsError(problems);
  }
  return {
    tokenSecret,
    rateLimit,
    redisUrl: options.redisUrl,
    tokenCache: { ttlMs, max },
    invalidation,
    userGroups: { rotationGraceSeconds: grace },
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
