import type { DataSource } from 'typeorm';
import { dialectOf, runInTransaction } from '../../persistence/persistence.js';
import { RemoteInvalidationBus } from './remote-invalidation.bus.js';

/** How often a database bus looks for other instances' invalidations, unless `pollMs` says otherwise. */
export const DEFAULT_INVALIDATION_POLL_MS = 250;

/**
 * How long a published row is kept. Longer than the longest cache TTL (60 s), so a poller that falls so far
 * behind that rows it never read are pruned holds no entry older than them any more.
 */
const RETENTION_SECONDS = 120;
/** An instance prunes old rows with its next publish at most this often. */
const PRUNE_EVERY_MS = 10_000;
/** Rows read per poll; a full batch is followed by another poll at once. */
const BATCH = 500;

interface Row {
  id: string | number;
  origin: string;
  tags: string;
}

/**
 * Invalidations through a table of the app's own database (`identity_invalidations`), for setups with no
 * LISTEN/NOTIFY or Redis: several processes on one SQLite file (a server and the CLI), or PostgreSQL behind
 * a transaction-pooling PgBouncer. `publish` appends one row; every instance polls for rows newer than
 * the last it saw (one indexed query per `pollMs`) and hands other instances' tags to its cache.
 */
export class DatabaseInvalidationBus extends RemoteInvalidationBus {
  private readonly postgres: boolean;
  /** Id of the newest row seen; polls read only newer ones. */
  private last = 0;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private closed = false;
  private failing = false;
  private lastPrunedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pollMs = DEFAULT_INVALIDATION_POLL_MS,
  ) {
    super();
    this.postgres = dialectOf(dataSource) === 'postgres';
  }

  /** Starts after the newest row already there: older invalidations predate everything this instance caches. */
  async subscribe(listener: (tags: string[]) => void): Promise<void> {
    this.listener = listener;
    let newest: { id: string | number | null } | undefined;
    try {
      [newest] = (await this.dataSource.query('SELECT MAX(id) AS id FROM identity_invalidations')) as {
        id: string | number | null;
      }[];
    } catch (err) {
      throw new Error(
        `The 'database' invalidation bus needs the identity_invalidations table (run IDENTITY_MIGRATIONS): ${(err as Error).message}`,
      );
    }
    this.last = Number(newest?.id ?? 0);
    this.schedule(this.pollMs);
  }

  /**
   * Appends one row and, now and then, deletes rows past their retention. Writers are serialized (SQLite
   * has one writer; on PostgreSQL a table lock that plain reads do not wait for), and each row takes the
   * previous id + 1, so ids become visible in order and a poller that has seen id n has seen all below it.
   */
  async publish(tags: string[]): Promise<void> {
    if (tags.length === 0 || this.closed) {
      return;
    }
    const prune = Date.now() - this.lastPrunedAt >= PRUNE_EVERY_MS;
    const p = this.postgres ? (n: number) => `$${n}` : () => '?';
    await runInTransaction(this.dataSource, async (manager) => {
      if (this.postgres) {
        await manager.query('LOCK TABLE identity_invalidations IN EXCLUSIVE MODE');
      }
      // One statement, so SQLite takes its write lock before reading the newest id.
      const inserted = (await manager.query(
        `INSERT INTO identity_invalidations (id, origin, tags)
         SELECT COALESCE(MAX(id), 0) + 1, ${p(1)}, ${p(2)} FROM identity_invalidations RETURNING id`,
        [this.origin, JSON.stringify(tags)],
      )) as { id: string | number }[];
      if (prune) {
        // The row just written stays: it carries the newest id, which the next insert counts on.
        const cutoff = this.postgres
          ? `LOCALTIMESTAMP - INTERVAL '${RETENTION_SECONDS} seconds'`
          : `datetime('now', '-${RETENTION_SECONDS} seconds')`;
        await manager.query(
          `DELETE FROM identity_invalidations WHERE created_at < ${cutoff} AND id < ${p(1)}`,
          [inserted[0].id],
        );
      }
    });
    if (prune) {
      this.lastPrunedAt = Date.now();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private schedule(delayMs: number): void {
    if (this.closed) {
      return;
    }
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
      });
    }, delayMs);
    this.timer.unref(); // polling never keeps a process (the CLI, a test) alive
  }

  private async poll(): Promise<void> {
    let full = false;
    try {
      const rows = (await this.dataSource.query(
        this.postgres
          ? 'SELECT id, origin, tags FROM identity_invalidations WHERE id > $1 ORDER BY id LIMIT $2'
          : 'SELECT id, origin, tags FROM identity_invalidations WHERE id > ? ORDER BY id LIMIT ?',
        [this.last, BATCH],
      )) as Row[];
      if (this.failing) {
        this.failing = false;
        this.logger.log('Polling for invalidations works again');
      }
      full = rows.length === BATCH;
      const tags = new Set<string>();
      for (const row of rows) {
        this.last = Number(row.id);
        if (row.origin !== this.origin) {
          this.parseTags(row.tags).forEach((tag) => tags.add(tag));
        }
      }
      if (tags.size > 0 && !this.closed) {
        this.listener([...tags]);
      }
    } catch (err) {
      // Nothing is lost: the next poll that works reads every row since the last one seen.
      if (!this.failing && !this.closed) {
        this.logger.warn(`Could not poll for invalidations (retrying): ${(err as Error).message}`);
      }
      this.failing = true;
    }
    this.schedule(full ? 0 : this.pollMs);
  }

  private parseTags(text: string): string[] {
    try {
      const tags: unknown = JSON.parse(text);
      if (Array.isArray(tags)) {
        return tags.map(String);
      }
    } catch {
      // fall through
    }
    this.logger.warn('Ignored a malformed invalidation row');
    return [];
  }
}
