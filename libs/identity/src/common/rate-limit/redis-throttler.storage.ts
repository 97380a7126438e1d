import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  fixedWindowRecord,
  type ThrottlerStorage,
  type ThrottlerStorageRecord,
} from './memory-throttler.storage.js';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../peers/redis.js';

// One round trip: count the hit, start the window on the first hit, and report hits plus time left.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }
`;

/**
 * @nestjs/throttler storage in Redis (fixed window), so every instance behind a load balancer
 * counts against the same per-key limit.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(url: string) {
    // While Redis is away a request must not wait through reconnect back-off: fail at once (the limiter
    // then lets the request through) and give a slow Redis at most 250 ms.
    this.redis = createRedisClient(
      url,
      { lazyConnect: true, enableOfflineQueue: false, commandTimeout: 250, maxRetriesPerRequest: 0 },
      'the redisUrl option',
    );
  }

  /** Connects before the first request; a Redis that is down now only means no limit until it is back. */
  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch((err: Error) => {
      new Logger('IdentityRateLimit').warn(`Redis for rate limits is unreachable (${err.message}); retrying`);
    });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const [hits, ttlLeft] = (await this.redis.eval(
      INCREMENT,
      1,
      `identity:throttle:${throttlerName}:${key}`,
      ttl,
    )) as [number, number];
    return fixedWindowRecord(hits, limit, ttlLeft);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
