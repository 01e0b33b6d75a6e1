import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

/** DI token of the notifier's Redis connection (queues and health). */
export const REDIS = Symbol('REDIS');

export function createRedis(url: string): Redis {
  // BullMQ workers need maxRetriesPerRequest: null; keep reconnecting for ever after an outage.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Closes the shared Redis connection when the app stops (BullMQ does not close a connection it was given). */
@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
