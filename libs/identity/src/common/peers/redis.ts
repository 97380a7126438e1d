import type * as IORedis from 'ioredis';
import { requireOptionalPeer } from './optional-peer.js';

/** A Redis client from the host's ioredis (an optional peer, needed only by the options that use Redis). */
export function createRedisClient(
  url: string,
  options: IORedis.RedisOptions,
  neededFor: string,
): IORedis.Redis {
  const { Redis } = requireOptionalPeer<typeof IORedis>('ioredis', neededFor);
  return new Redis(url, options);
}
