/** Options of the family-users surface (`familyUsers` in `IdentityModule.forRoot`). */
export interface FamilyUsersOptions {
  /** Seconds a family session token (`fst_…`) works after its `user_token` was exchanged; default 86,400 (24 h). */
  sessionTtlSeconds?: number;
  /**
   * Failed `login` calls allowed per username (per workspace) in a window; past it, `login` for that
   * username answers 429 with `Retry-After` until the window ends. Default 5 per 900 s; `false` turns it off.
   */
  loginFailures?: { maxPerWindow?: number; windowSeconds?: number } | false;
}

/** The family-users options after defaults and checks. */
export interface ResolvedFamilyUsersOptions {
  sessionTtlSeconds: number;
  loginFailures: { maxPerWindow: number; windowSeconds: number } | false;
}

function wholeNumber(
  problems: string[],
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    problems.push(`familyUsers.${name} must be a whole number from ${min} to ${max} (got ${String(chosen)})`);
  }
  return chosen;
}

/** Applies defaults to the family-users options and adds what is wrong to `problems`, with the fix. */
export function resolveFamilyUsersOptions(
  options: FamilyUsersOptions | undefined,
  problems: string[],
): ResolvedFamilyUsersOptions {
  const sessionTtlSeconds = wholeNumber(
    problems,
    'sessionTtlSeconds',
    options?.sessionTtlSeconds,
    86_400,
    60,
    30 * 86_400,
  );
  const given = options?.loginFailures;
  const loginFailures =
    given === false
      ? false
      : {
          maxPerWindow: wholeNumber(
            problems,
            'loginFailures.maxPerWindow',
            given?.maxPerWindow,
            5,
            1,
            1_000_000,
          ),
          windowSeconds: wholeNumber(
            problems,
            'loginFailures.windowSeconds',
            given?.windowSeconds,
            900,
            1,
            86_400,
          ),
        };
  return { sessionTtlSeconds, loginFailures };
}
