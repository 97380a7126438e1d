import type { IdentityClock } from '../src/index.js';

/** A clock that stands still until a test moves it: inject it as `IDENTITY_CLOCK` (see `setup`). */
export class TestClock implements IdentityClock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }
}
