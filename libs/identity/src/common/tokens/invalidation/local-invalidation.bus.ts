import type { InvalidationBus } from './invalidation-bus.js';

/** One process only: nothing to send, since the cache already dropped its own entries. */
export class LocalInvalidationBus implements InvalidationBus {
  async publish(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async close(): Promise<void> {}
}
