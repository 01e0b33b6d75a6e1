import { Redis } from 'ioredis';

/** DI token of the notifier's Redis connection (queues and health). */
export const REDIS = Symbol('REDIS');

export function createRedis(url: string): Redis {
  // BullMQ workers need maxRetriesPerRequest: null; keep reconnecting for ever after an outage.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
