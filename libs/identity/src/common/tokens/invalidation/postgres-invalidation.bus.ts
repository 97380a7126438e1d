import type * as Pg from 'pg';
import { requireOptionalPeer } from '../../peers/optional-peer.js';
import { INVALIDATE_ALL } from './invalidation-bus.js';
import { INVALIDATION_CHANNEL, RemoteInvalidationBus } from './remote-invalidation.bus.js';

/** Tags kept for sending while the PostgreSQL LISTEN connection is being re-established. */
const MAX_PENDING_TAGS = 10_000;

/** PostgreSQL LISTEN/NOTIFY; reconnects after a lost connection and then drops the whole cache. */
export class PostgresInvalidationBus extends RemoteInvalidationBus {
  private client?: Pg.Client;
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
    const pg = requireOptionalPeer<typeof Pg>('pg', "invalidation: { driver: 'postgres' }");
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
    await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
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
    await this.client.query('SELECT pg_notify($1, $2)', [INVALIDATION_CHANNEL, this.encode(tags)]);
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
