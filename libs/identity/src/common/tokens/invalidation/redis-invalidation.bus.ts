import type { Redis } from 'ioredis';
import { createRedisClient } from '../../peers/redis.js';
import { INVALIDATE_ALL } from './invalidation-bus.js';
import { INVALIDATION_CHANNEL, RemoteInvalidationBus } from './remote-invalidation.bus.js';

/**
 * Redis pub/sub; ioredis reconnects by itself, and a reconnect drops the whole cache. Its connections
 * are named (`CLIENT LIST` shows `<connectionName>` subscribing and `<connectionName>:publish`).
 */
export class RedisInvalidationBus extends RemoteInvalidationBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string, options: { connectionName?: string } = {}) {
    super();
    const connectionName = options.connectionName ?? 'nestjs-identity-invalidation';
    // Fail fast while Redis is away (the cache TTL bounds staleness) instead of queueing for seconds.
    const neededFor = "invalidation: { driver: 'redis' }";
    this.publisher = createRedisClient(
      url,
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        commandTimeout: 250,
        connectionName: `${connectionName}:publish`,
      },
      neededFor,
    );
    this.subscriber = createRedisClient(url, { lazyConnect: true, connectionName }, neededFor);
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
    await this.subscriber.subscribe(INVALIDATION_CHANNEL);
  }

  async publish(tags: string[]): Promise<void> {
    await this.publisher.publish(INVALIDATION_CHANNEL, this.encode(tags));
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
