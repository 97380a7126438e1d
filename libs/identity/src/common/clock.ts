/** Where the module reads the current time (epoch ms) for expiry decisions; tests inject one they can move. */
export interface IdentityClock {
  now(): number;
}

/** The real clock: `Date.now()`. */
export const SYSTEM_CLOCK: IdentityClock = { now: () => Date.now() };
