import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

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

interface BusMessage {
  origin: string;
  tags: string[];
}

const CHANNEL = 'identity_cache_invalidation';
/** Tags kept for sending while the PostgreSQL LISTEN connection is being re-established. */
const MAX_PENDING_TAGS = 10_000;

/** One process only: nothing to send, since the cache already dropped its own entries. */
export class LocalInvalidationBus implements InvalidationBus {
  async publish(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async close(): Promise<void> {}
}

abstract class RemoteInvalidationBus implements InvalidationBus {
  protected readonly origin = randomUUID();
  protected readonly logger = new Logger('IdentityInvalidationBus');
  protected listener: (tags: string[]) => void = () => undefined;

  abstract publish(tags: string[]): Promise<void>;
  abstract subscribe(listener: (tags: string[]) => void): Promise<void>;
  abstract close(): Promise<void>;

  protected encode(tags: string[]): string {
    return JSON.stringify({ origin: this.origin, tags } satisfies BusMessage);
  }

  protected deliver(payload: string | undefined): void {
    try {
      const message = JSON.parse(payload ?? '') as BusMessage;
      if (message.origin !== this.origin && Array.isArray(message.tags)) {
        this.listener(message.tags.map(String));
      }
    } catch {
      this.logger.warn('Ignored a malformed invalidation message');
    }
  }
}

/** PostgreSQL LISTEN/NOTIFY; reconnects after a lost connection and then drops the whole cache. */
export class PostgresInvalidationBus extends RemoteInvalidationBus {
  private client?: pg.Client;
  private reconnectTimer?: NodeJS.Timeout;
  private pending: string[] = [];
  private closed = false;

  constructor(private readonly url: string) {
    super();
  }

  async subscribe(listener: (tags: string[]) => void): Promise<void> {
    this.listener = listener;
    try {
      await this.connect();
    } catch (err) {
      await this.close(); // the app will not start: leave no reconnect loop behind
      throw err;
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'nestjs-identity-invalidation',
    });
    client.on('notification', (msg) => this.deliver(msg.payload));
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) {
        return; // 'error' is often followed by 'end': reconnect once
      }
      lost = true;
      if (this.client === client) {
        this.client = undefined;
      }
      void client.end().catch(() => undefined);
      if (!this.closed) {
        this.logger.warn(`LISTEN connection lost (${reason}); reconnecting`);
        this.reconnectSoon();
      }
    };
    client.on('error', (err) => onLost(err.message));
    client.on('end', () => onLost('connection ended'));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      lost = true;
      await client.end();
      return;
    }
    this.client = client;
  }

  private reconnectSoon(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.closed) {
        return;
      }
      // Messages sent while disconnected are lost: drop everything once reconnected, and send on what
      // this instance invalidated in the meantime.
      this.connect()
        .then(async () => {
          this.listener([INVALIDATE_ALL]);
          const pending = [...new Set(this.pending)];
          this.pending = [];
          if (pending.length > 0) {
            await this.publish(pending);
          }
        })
        .catch(() => this.reconnectSoon());
    }, 1000);
    this.reconnectTimer.unref();
  }

  async publish(tags: string[]): Promise<void> {
    if (!this.client) {
      // Reconnecting: keep the tags (bounded) and send them once the connection is back.
      this.pending = [...this.pending, ...tags].slice(-MAX_PENDING_TAGS);
      return;
    }
    await this.client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.encode(tags)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }
}

/** Redis pub/sub; ioredis reconnects by itself, and a reconnect drops the whole cache. */
export class RedisInvalidationBus extends RemoteInvalidationBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string) {
    super();
    // Fail fast while Redis is away (the cache TTL bounds staleness) instead of queueing for seconds.
    this.publisher = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, commandTimeout: 250 });
    this.subscriber = new Redis(url, { lazyConnect: true });
  }

  async subscribe(listener: (tags: string[]) => void): Promise<void> {
    this.listener = listener;
    let connectedOnce = false;
    this.subscriber.on('ready', () => {
      if (connectedOnce) {
        this.listener([INVALIDATE_ALL]);
      }
      connectedOnce = true;
    });
    this.subscriber.on('message', (_channel: string, payload: string) => this.deliver(payload));
    await Promise.all([this.subscriber.connect(), this.publisher.connect()]);
    await this.subscriber.subscribe(CHANNEL);
  }

  async publish(tags: string[]): Promise<void> {
    await this.publisher.publish(CHANNEL, this.encode(tags));
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
