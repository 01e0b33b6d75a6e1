import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { StartupError } from '#lib/platform';
import { checkRedisDurability } from './redis-durability.js';

/** The notifier reads Redis's own settings at boot; production refuses one that can lose jobs. */
describe('Redis durability at boot (real Redis)', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('reads the eviction policy and AOF setting, and refuses production exactly when they are unsafe', async () => {
    const facts = await checkRedisDurability(redis, false);
    expect(facts.maxmemoryPolicy).toMatch(/^[a-z-]+$/);
    expect(facts.appendonly).toMatch(/^(yes|no)$/);
    const safe = facts.maxmemoryPolicy === 'noeviction' && facts.appendonly === 'yes';
    const production = checkRedisDurability(redis, true);
    if (safe) {
      await expect(production).resolves.toEqual(facts);
    } else {
      await expect(production).rejects.toBeInstanceOf(StartupError);
    }
  });
});
