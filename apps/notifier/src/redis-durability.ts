import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { describeFindings, redisFindings, refusesProduction, StartupError, type RedisFacts } from '#lib/platform';

async function configValue(redis: Redis, key: string): Promise<string | null> {
  try {
    const answer = (await redis.config('GET', key)) as string[];
    return answer[1] ?? null;
  } catch {
    return null; // a managed Redis may refuse CONFIG: the check says so instead of guessing
  }
}

/**
 * What the queues depend on (RELIABILITY.md §2): Redis must never evict a job or a timer, and in production it
 * keeps an append-only file. Logged at every boot; in production an unsafe setting stops the notifier.
 */
export async function checkRedisDurability(redis: Redis, production: boolean): Promise<RedisFacts> {
  const log = new Logger('RedisDurability');
  const facts: RedisFacts = {
    maxmemoryPolicy: await configValue(redis, 'maxmemory-policy'),
    appendonly: await configValue(redis, 'appendonly'),
  };
  log.log(`Redis: maxmemory-policy ${facts.maxmemoryPolicy ?? '?'}, appendonly ${facts.appendonly ?? '?'}`);
  const findings = redisFindings(facts, production);
  for (const line of describeFindings(findings)) {
    log.warn(`durability: ${line}`);
  }
  if (refusesProduction(findings, production)) {
    throw new StartupError(
      `unsafe for production (NODE_ENV=production):\n${describeFindings(findings)
        .map((l) => `  - ${l}`)
        .join('\n')}`,
    );
  }
  return facts;
}
