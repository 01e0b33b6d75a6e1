import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '#lib/contracts';
import { prepared } from '#lib/platform';
import { OutboxEntity } from './outbox.entity.js';
import type { BatchResult, OutboxStore, PendingEvent } from './outbox-relay.js';

/**
 * The outbox in PostgreSQL. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays (several
 * instances of an app) share the work without publishing the same batch at once.
 */
export class TypeOrmOutboxStore implements OutboxStore {
  constructor(private readonly dataSource: DataSource) {}

  private get table(): string {
    const { schema, tableName } = this.dataSource.getMetadata(OutboxEntity);
    return schema ? `"${schema}"."${tableName}"` : `"${tableName}"`;
  }

  async claim(
    limit: number,
    work: (batch: PendingEvent[]) => Promise<BatchResult>,
  ): Promise<BatchResult & { claimed: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { id: string; envelope: EventEnvelope }[] = await manager.query(
        prepared(
          `SELECT id, envelope FROM ${this.table} WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        ),
        [limit],
      );
      if (rows.length === 0) {
        return { claimed: 0, published: [] };
      }
      const result = await work(rows);
      if (result.published.length > 0) {
        await manager.query(
          prepared(`UPDATE ${this.table} SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`),
          [result.published],
        );
      }
      if (result.failed) {
        await manager.query(`UPDATE ${this.table} SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
          result.failed.id,
          result.failed.error.slice(0, 1000),
        ]);
      }
      return { ...result, claimed: rows.length };
    });
  }

  /** Events not yet published (for health and metrics). */
  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${this.table} WHERE published_at IS NULL`,
    );
    return row?.n ?? 0;
  }
}
