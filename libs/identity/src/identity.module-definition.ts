import { ConfigurableModuleBuilder, Logger } from '@nestjs/common';
import { DEFAULT_INVALIDATION_POLL_MS } from './common/tokens/invalidation/database-invalidation.bus.js';
import { IDENTITY_FEATURES, type IdentityFeature } from './identity.constants.js';
import {
  type ExternalUsersOptions,
  resolveExternalUsersOptions,
  type ResolvedExternalUsersOptions,
} from './external-users/external-users.options.js';
import {
  type EndUsersOptions,
  resolveEndUsersOptions,
  type ResolvedEndUsersOptions,
} from './end-users/end-users.options.js';
import {
  type ResolvedUserGroupsOptions,
  resolveUserGroupsOptions,
  type UserGroupsOptions,
} from './user-groups/user-groups.options.js';
import {
  type FamilyUsersOptions,
  type ResolvedFamilyUsersOptions,
  resolveFamilyUsersOptions,
} from './family-users/family-users.options.js';

/** Where cache invalidations travel between instances. */
export type InvalidationOption =
  | { driver: 'local' }
  | { driver: 'postgres'; url: string }
  | { driver: 'redis'; url: string }
  /** A table of the app's own database, polled every `pollMs` (default 250). */
  | { driver: 'database'; pollMs?: number };

/** Options of `IdentityModule.forRoot` / `forRootAsync`. */
export interface IdentityModuleOptions {
  /**
   * HMAC pepper of stored token and key hashes and key of sealed tokens; required, at least 32 random
   * characters. A list rotates it: the first secret hashes and seals, the others still verify and unseal.
   */
  tokenSecret?: string | readonly string[];
  /**
   * Starts without `tokenSecret`, on a public development secret written in this library's source: anyone
   * with a copy of the database can then unseal tokens and forge hashes. For throwaway setups only; the
   * module logs a warning at every start. Ignored when `tokenSecret` is given.
   */
  insecureDevelopmentSecret?: boolean;
  /** Per API key request limit; Dixa documents 10 requests per second. `false` turns it off. */
  rateLimit?: { perSecond?: number } | false;
  /**
   * PostgreSQL: token lookups run as named prepared statements (parsed and planned once per pooled
   * connection). `false` for a pooler in transaction mode that does not keep them (PgBouncer before
   * 1.21, or without `max_prepared_statements`). Default `true`.
   */
  preparedStatements?: boolean;
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
  /** Regpack family users: session lifetime, failed-login limit. */
  familyUsers?: FamilyUsersOptions;
  /** External users (Zaia): access token lifetime, quota period. */
  externalUsers?: ExternalUsersOptions;
  /** End users (Dixa): where their conversations live. */
  endUsers?: EndUsersOptions;
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
  /** Every accepted secret, the current one (which hashes and seals) first. */
  tokenSecrets: string[];
  rateLimit: { perSecond: number } | false;
  preparedStatements: boolean;
  redisUrl?: string;
  tokenCache: { ttlMs: number; max: number; negativeTtlMs: number; negativeMax: number };
  authFailures: { maxPerWindow: number; windowSeconds: number } | false;
  invalidation: InvalidationOption;
  userGroups: ResolvedUserGroupsOptions;
  familyUsers: ResolvedFamilyUsersOptions;
  externalUsers: ResolvedExternalUsersOptions;
  endUsers: ResolvedEndUsersOptions;
}

/** Options that shape the module itself rather than its providers (given beside the options in both forms). */
export interface IdentityModuleExtras {
  /** Which surfaces to mount (controllers and services); default: all four. */
  features?: readonly IdentityFeature[];
  /** Base paths of the surfaces; the defaults are the seeds' own (`/api`, `/beta`, `/api/v1`, `/reg/api2`, `/identity`). */
  paths?: Partial<IdentityPaths>;
  /** Register the module globally so feature modules of the host can inject its services and guards. */
  isGlobal?: boolean;
  /**
   * How the module's routes appear in the host's own Swagger document (with @nestjs/swagger installed):
   * `tag` puts all of them under one tag instead of one per surface; `hide: true` leaves them out.
   */
  swagger?: IdentitySwaggerOptions;
}

/** The `swagger` option: where the module's routes go in the host's OpenAPI document. */
export interface IdentitySwaggerOptions {
  /** One tag for every route of the module (default: a tag per surface, e.g. `Explo user groups`). */
  tag?: string;
  /** Leave the module's routes out of the host's document (default `false`). */
  hide?: boolean;
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
  swagger: { tag?: string; hide: boolean };
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
  const swagger = { tag: extras.swagger?.tag, hide: extras.swagger?.hide ?? false };
  if (swagger.tag !== undefined && (typeof swagger.tag !== 'string' || swagger.tag.trim() === '')) {
    problems.push('swagger.tag must be a non-empty string (or left out for one tag per surface)');
  }
  if (typeof swagger.hide !== 'boolean') {
    problems.push('swagger.hide must be true or false');
  }
  if (problems.length > 0) {
    throw new IdentityOptionsError(problems);
  }
  return { features: [...new Set(features)], paths, swagger };
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

/**
 * The secret behind `insecureDevelopmentSecret: true`. It is public (it is in this file), so it protects
 * nothing; it is never used unless a host asks for it by that option.
 */
const INSECURE_DEVELOPMENT_SECRET = 'nestjs-identity-insecure-development-secret-do-not-use-in-production';

/** Where the resolver reports what is allowed but unwise (the public development secret). */
export interface ResolveIdentityOptionsContext {
  /** Default: Nest's `Logger` with the context `IdentityModule`. */
  logger?: { warn(message: string): void };
}

/** Checks `tokenSecret` (one secret or a rotation list) and `insecureDevelopmentSecret`. */
function resolveTokenSecrets(
  options: IdentityModuleOptions,
  problems: string[],
): { secrets: string[]; insecure: boolean } {
  const given = options.tokenSecret;
  const insecure = options.insecureDevelopmentSecret;
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    problems.push(`insecureDevelopmentSecret must be true or false (got ${typeof insecure})`);
  }
  if (given === undefined || given === '') {
    if (insecure === true) {
      return { secrets: [INSECURE_DEVELOPMENT_SECRET], insecure: true };
    }
    problems.push(
      'tokenSecret is missing; set it (for example from IDENTITY_TOKEN_SECRET) to a random string of at ' +
        'least 32 characters, e.g. `openssl rand -base64 48`: stored hashes and sealed tokens depend on it. ' +
        'Only for a throwaway development setup, insecureDevelopmentSecret: true starts on a public secret instead',
    );
    return { secrets: [], insecure: false };
  }
  const list = typeof given === 'string' ? [given] : given;
  const name = (i: number) => (typeof given === 'string' ? 'tokenSecret' : `tokenSecret[${i}]`);
  if (!Array.isArray(list)) {
    problems.push(`tokenSecret must be a string or a list of strings (got ${typeof given})`);
    return { secrets: [], insecure: false };
  }
  if (list.length === 0) {
    problems.push(
      'tokenSecret is an empty list; give at least one secret (the first hashes and seals, the others still verify)',
    );
    return { secrets: [], insecure: false };
  }
  // Messages give positions and lengths only: a secret must never reach a log.
  list.forEach((secret: unknown, i) => {
    if (typeof secret !== 'string') {
      problems.push(`${name(i)} must be a string (got ${typeof secret})`);
    } else if (secret.length < 32) {
      problems.push(`${name(i)} is ${secret.length} characters long; use at least 32 random characters`);
    } else if (list.indexOf(secret) !== i) {
      problems.push(`${name(i)} repeats tokenSecret[${list.indexOf(secret)}]; list each secret once`);
    }
  });
  return { secrets: [...list], insecure: false };
}

/** Applies defaults and checks every option; throws `IdentityOptionsError` listing all problems at once. */
export function resolveIdentityOptions(
  options: IdentityModuleOptions,
  context: ResolveIdentityOptionsContext = {},
): ResolvedIdentityOptions {
  const problems: string[] = [];
  const { secrets: tokenSecrets, insecure } = resolveTokenSecrets(options, problems);

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

  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') {
    problems.push(`preparedStatements must be true or false (got ${typeof preparedStatements})`);
  }

  // Each surface resolves its own options into the same list of problems.
  const userGroups = resolveUserGroupsOptions(options.userGroups, problems);
  const familyUsers = resolveFamilyUsersOptions(options.familyUsers, problems);
  const externalUsers = resolveExternalUsersOptions(options.externalUsers, problems);
  const endUsers = resolveEndUsersOptions(options.endUsers, problems);

  if (problems.length > 0) {
    throw new IdentityOptionsError(problems);
  }
  if (insecure) {
    // Every start says it again: a warning seen once in a development log is easily carried to production.
    (context.logger ?? new Logger('IdentityModule')).warn(
      'insecureDevelopmentSecret is on: stored hashes and sealed tokens are keyed by a public secret, so ' +
        'anyone with a copy of the database can unseal embed tokens and forge credentials. Set tokenSecret ' +
        '(at least 32 random characters, e.g. `openssl rand -base64 48`) before any real use.',
    );
  }
  return {
    tokenSecrets,
    rateLimit,
    preparedStatements,
    redisUrl: options.redisUrl,
    tokenCache,
    authFailures,
    invalidation,
    userGroups,
    familyUsers,
    externalUsers,
    endUsers,
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
    { features: undefined, paths: undefined, isGlobal: false, swagger: undefined },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
