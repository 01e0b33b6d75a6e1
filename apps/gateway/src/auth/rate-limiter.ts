import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';
import { RateLimitEntity } from './session.entities.js';

/** Windows older than this are deleted now and then. */
const OLD_WINDOWS_MS = 2 * 86_400_000;

export interface Budget {
  /** How many within one window. */
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters in PostgreSQL, so that every gateway instance counts together and a restart forgets
 * nothing. Used for login attempts (per account and per address), login codes and messages that send SMS.
 */
@Injectable()
export class RateLimiter {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private window(budget: Budget, now: number): { start: Date; retryAfterSeconds: number } {
    const size = budget.windowSeconds * 1000;
    const start = Math.floor(now / size) * size;
    return { start: new Date(start), retryAfterSeconds: Math.max(1, Math.ceil((start + size - now) / 1000)) };
  }

  private get table(): string {
    return this.dataSource.getMetadata(RateLimitEntity).tablePath.replace(/^([^.]+)\.(.+)$/, '"$1"."$2"');
  }

  /** Counts one more; answers whether it is still within the budget. */
  async hit(key: string, budget: Budget, now = Date.now()): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const { start, retryAfterSeconds } = this.window(budget, now);
    const rows = await this.dataSource.query<{ count: number }[]>(
      `INSERT INTO ${this.table} AS r ("key", "window_start", "count") VALUES ($1, $2, 1)
       ON CONFLICT ("key", "window_start") DO UPDATE SET "count" = r."count" + 1
       RETURNING "count"`,
      [key, start],
    );
    if (Math.random() < 0.01) {
      // Now and then the windows older than two days go, by the same clock as the windows themselves.
      await this.dataSource.query(`DELETE FROM ${this.table} WHERE "window_start" < $1`, [
        new Date(now - OLD_WINDOWS_MS),
      ]);
    }
    return { allowed: Number(rows[0]!.count) <= budget.limit, retryAfterSeconds };
  }

  /** Whether the budget is used up, without counting. */
  async exhausted(
    key: string,
    budget: Budget,
    now = Date.now(),
  ): Promise<{ exhausted: boolean; retryAfterSeconds: number }> {
    const { start, retryAfterSeconds } = this.window(budget, now);
    const rows = await this.dataSource.query<{ count: number }[]>(
      `SELECT "count" FROM ${this.table} WHERE "key" = $1 AND "window_start" = $2`,
      [key, start],
    );
    return { exhausted: Number(rows[0]?.count ?? 0) >= budget.limit, retryAfterSeconds };
  }
}

/** 429 with the time to wait, in both languages. */
export function tooMany(retryAfterSeconds: number, what: { en: string; nl: string }): ApiError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new ApiError({
    statusCode: 429,
    code: 'TOO_MANY_REQUESTS',
    message: `${what.en}: try again in ${minutes} min`,
    messageNl: `${what.nl}: probeer het over ${minutes} min opnieuw`,
  });
}
