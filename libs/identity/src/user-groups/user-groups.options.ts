/** Options of the user-groups surface (`userGroups` in `IdentityModule.forRoot`). */
export interface UserGroupsOptions {
  /** Seconds (0–60) during which a rotated embed token still works; default 0. */
  rotationGraceSeconds?: number;
}

/** The user-groups options after defaults and checks. */
export interface ResolvedUserGroupsOptions {
  rotationGraceSeconds: number;
}

/** Applies defaults to the user-groups options and adds what is wrong to `problems`, with the fix. */
export function resolveUserGroupsOptions(
  options: UserGroupsOptions | undefined,
  problems: string[],
): ResolvedUserGroupsOptions {
  const grace = options?.rotationGraceSeconds ?? 0;
  if (!Number.isInteger(grace) || grace < 0 || grace > 60) {
    problems.push(
      `userGroups.rotationGraceSeconds must be a whole number from 0 to 60 (got ${String(grace)})`,
    );
  }
  return { rotationGraceSeconds: grace };
}
