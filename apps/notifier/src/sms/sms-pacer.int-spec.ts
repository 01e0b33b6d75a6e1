import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { SmsPacer } from './sms-pacer.js';

describe('SmsPacer (real Redis)', () => {
  let redis: Redis;
  const key = `ck-int-${randomBytes(4).toString('hex')}:notification-sms:pacer`;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('spaces the requests of several notifiers 1050/rate ms apart, never more than the rate in any second', async () => {
    const notifiers = [new SmsPacer(redis, key, 20), new SmsPacer(redis, key, 20), new SmsPacer(redis, key, 20)];
    const granted: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const pacer = notifiers[i % 3]!;
        await pacer.take(pacer.enter(1));
        granted.push(Date.now() - started);
      }),
    );

    granted.sort((a, b) => a - b);
    for (let i = 20; i < granted.length; i++) {
      expect(granted[i]! - granted[i - 20]!).toBeGreaterThanOrEqual(20 * 53 - 5); // timer granularity
    }
    expect(granted.at(-1)!).toBeGreaterThanOrEqual(23 * 53 - 5);
  });

  it('gives slots in priority order, then start order, waiting for a job ahead that is still preparing', async () => {
    const pacer = new SmsPacer(redis, key, 50);
    const order: string[] = [];
    const job = async (name: string, priority: number, prepareMs: number): Promise<void> => {
      const turn = pacer.enter(priority);
      await sleep(prepareMs);
      await pacer.take(turn);
      order.push(name);
    };

    await Promise.all([
      job('staff-1', 2, 0),
      job('team-1', 1, 60), // prepares longest, but goes first
      job('team-2', 1, 0),
      job('staff-2', 2, 0),
    ]);

    expect(order).toEqual(['team-1', 'team-2', 'staff-1', 'staff-2']);
  });

  it('a job that ends without sending lets the next one go; a pause holds every notifier', async () => {
    const pacer = new SmsPacer(redis, key, 50);
    const first = pacer.enter(1);
    const second = pacer.enter(1);
    const taking = pacer.take(second);
    pacer.leave(first); // e.g. no phone number
    await taking;

    await pacer.pause(300);
    const before = Date.now();
    await pacer.take(pacer.enter(1));
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
  });
});
