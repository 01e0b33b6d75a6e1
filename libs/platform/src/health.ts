import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ]);

export async function postgresHealth(
  health: HealthIndicatorService,
  dataSource: DataSource,
): Promise<HealthIndicatorResult> {
  const check = health.check('postgres');
  try {
    await withTimeout(dataSource.query('SELECT 1'), 2_000);
    return check.up();
  } catch (error) {
    return check.down({ message: error instanceof Error ? error.message : 'unreachable' });
  }
}

export async function redisHealth(health: HealthIndicatorService, redis: Redis): Promise<HealthIndicatorResult> {
  const check = health.check('redis');
  try {
    await withTimeout(redis.ping(), 2_000);
    return check.up();
  } catch (error) {
    return check.down({ message: error instanceof Error ? error.message : 'unreachable' });
  }
}

/** NATS as the app uses it: each named connection (request/reply, event consumer, event publisher). */
export function natsHealth(
  health: HealthIndicatorService,
  connections: Record<string, () => boolean>,
): HealthIndicatorResult {
  const check = health.check('nats');
  const up = (isUp: () => boolean): boolean => {
    try {
      return isUp();
    } catch {
      return false;
    }
  };
  const states = Object.fromEntries(
    Object.entries(connections).map(([name, isUp]) => [name, up(isUp) ? 'up' : 'down']),
  );
  return Object.values(states).every((s) => s === 'up') ? check.up(states) : check.down(states);
}
