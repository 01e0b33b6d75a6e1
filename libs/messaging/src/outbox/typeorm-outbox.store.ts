import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '#lib/contracts';
import { prepared } from '#lib/platform';
import { OutboxEntity } from './outbox.entity.js';
import type { BatchResult, OutboxStore, PendingEvent } from './outbox-relay.js';

/**
 * How many of the oldest pending rows a claim looks at to choose its batch. The choice sorts them (a few
 * microseconds a row), so a backlog (NATS down for an hour) costs each round no more than this many; fifty
 * schools' triggers at once (some 35 events each) fit.
 */
const CLAIM_WINDOW = 2_000;

/**
 * The outbox in PostgreSQL. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays (several
 * instances of an app) share the work without publishing the same batch at once.
 *
 * A batch takes its incidents in turns: every pending incident's first event, then every incident's second,
 * and so on, in commit order within each turn, up to the batch size. Fifty schools that trigger at once each
 * have their activation and their most urgent assignment in the first batch, where taking the oldest rows first
 * gave the first batch to the first three schools' events (some 35 each) and the fiftieth school waited for
 * sixteen batches. An incident's own events are still claimed in commit order, its earliest pending first, so they
 * never overtake each other; one incident alone still fills a batch.
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
          `SELECT o.id, o.envelope FROM ${this.table} o
            WHERE o.published_at IS NULL AND o.id IN (
              SELECT id FROM (
                SELECT id, seq, row_number() OVER (PARTITION BY incident ORDER BY seq) AS turn
                  FROM (SELECT id, seq, envelope->>'incidentId' AS incident FROM ${this.table}
                         WHERE published_at IS NULL ORDER BY seq LIMIT $2) pending
              ) ranked
              ORDER BY turn, seq LIMIT $1)
            ORDER BY o.seq FOR UPDATE SKIP LOCKED`,
        ),
        [limit, CLAIM_WINDOW],
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
