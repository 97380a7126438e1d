/** A tag that tells every listener to drop everything it cached (sent after a lost connection). */
export const INVALIDATE_ALL = '*';

/** Carries cache-invalidation tags (`api-key:<id>`, `user-group:<id>`) between instances. Never secrets. */
export interface InvalidationBus {
  /** Sends tags to the other instances; this instance has already dropped them itself. */
  publish(tags: string[]): Promise<void>;
  /** Registers the one listener that drops tags from this instance's cache. */
  subscribe(listener: (tags: string[]) => void): Promise<void>;
  close(): Promise<void>;
}
