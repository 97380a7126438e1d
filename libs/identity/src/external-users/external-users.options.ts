/** How long a quota period lasts; periods start at midnight UTC (a month: on its first day). */
export type QuotaPeriod = 'month' | 'day';

/** Options of the external-users surface (`externalUsers` in `IdentityModule.forRoot`). */
export interface ExternalUsersOptions {
  /** Lifetime of an access token (`eut_…`) in seconds, 60 to 31 536 000 (a year); default 86 400 (24 h). */
  accessTokenTtlSeconds?: number;
  /** The period `@ConsumesQuota()` counts in; default `'month'` (a calendar month in UTC). */
  quotaPeriod?: QuotaPeriod;
}

/** The external-users options after defaults and checks. */
export interface ResolvedExternalUsersOptions {
  accessTokenTtlSeconds: number;
  quotaPeriod: QuotaPeriod;
}

const DAY_SECONDS = 86_400;
const YEAR_SECONDS = 365 * DAY_SECONDS;

/** Applies defaults to the external-users options and adds what is wrong to `problems`, with the fix. */
export function resolveExternalUsersOptions(
  options: ExternalUsersOptions | undefined,
  problems: string[],
): ResolvedExternalUsersOptions {
  const ttl = options?.accessTokenTtlSeconds ?? DAY_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > YEAR_SECONDS) {
    problems.push(
      `externalUsers.accessTokenTtlSeconds must be a whole number from 60 to ${YEAR_SECONDS} (got ${String(ttl)})`,
    );
  }
  const period = options?.quotaPeriod ?? 'month';
  if (period !== 'month' && period !== 'day') {
    problems.push(`externalUsers.quotaPeriod must be 'month' or 'day' (got '${String(period)}')`);
  }
  return { accessTokenTtlSeconds: ttl, quotaPeriod: period };
}
