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
    const slots: number[] = [];
    const woke: number[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const pacer = notifiers[i % 3]!;
        slots.push(await pacer.take(pacer.enter(1)));
        woke.push(Date.now());
      }),
    );

    // The slots (on Redis's clock, which the notifiers share): 53 ms apart, so never 21 in a second. When each
    // caller wakes also depends on its event loop (that jitter is what the 5% margin is for), so it is not
    // what is compared: under load a late wake made this test fail.
    slots.sort((a, b) => a - b);
    for (let i = 1; i < slots.length; i++) {
      expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(53);
    }
    expect(slots.at(-1)! - slots[0]!).toBeGreaterThanOrEqual(23 * 53);
    // And each waits for its slot: the last wakes about 23 slots after the first (less the first's round trip).
    expect(Math.max(...woke) - Math.min(...woke)).toBeGreaterThanOrEqual(23 * 53 - 20);
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
