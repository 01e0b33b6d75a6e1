import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '#lib/contracts';

/** An event a consumer has processed; written in the same transaction as the consumer's effect. */
@Entity({ name: 'inbox' })
export class InboxEntity {
  @PrimaryColumn('text') consumer!: string;
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column('text') subject!: string;
  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' }) processedAt!: Date;
}

export function inboxTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."inbox" (
      "consumer" text NOT NULL,
      "event_id" uuid NOT NULL,
      "subject" text NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "event_id")
    )`,
  ];
}

/**
 * Locks to hold before an inbox row is written (PostgreSQL advisory transaction locks, for example): a `SELECT`
 * that takes them, and its parameters (`$1`…).
 */
export interface LocksFirst {
  sql: string;
  params: unknown[];
}

/**
 * Records that `consumer` processes `event`, inside the caller's transaction. Returns false when it was
 * processed before: the caller then skips its effect. A concurrent second delivery waits on the row lock
 * and sees the first one's commit.
 *
 * `locksFirst` are taken in the same round trip, before the row is written (the insert's row comes from them).
 * A handler that locks its scope and then claims the event makes one round trip instead of two; the statements
 * after it see what the previous holder of the locks committed, as they would after a separate lock statement.
 */
export async function claimInbox(
  manager: EntityManager,
  consumer: string,
  event: EventEnvelope,
  locksFirst?: LocksFirst,
): Promise<boolean> {
  return (await claimInboxAll(manager, consumer, [event], locksFirst)).has(event.id);
}

/**
 * {@link claimInbox} for several events in one statement (a batch a handler writes in one transaction): the ids of
 * those not processed before. `locksFirst` must select one row.
 */
export async function claimInboxAll(
  manager: EntityManager,
  consumer: string,
  events: readonly EventEnvelope[],
  locksFirst?: LocksFirst,
): Promise<Set<string>> {
  if (events.length === 0) {
    return new Set();
  }
  const { schema, tableName } = manager.connection.getMetadata(InboxEntity);
  const table = schema ? `"${schema}"."${tableName}"` : `"${tableName}"`;
  const params = locksFirst?.params ?? [];
  const n = params.length;
  const rows: { event_id: string }[] = await manager.query(
    `${locksFirst ? `WITH "locked" AS MATERIALIZED (${locksFirst.sql})\n` : ''}INSERT INTO ${table} ("consumer", "event_id", "subject")
     SELECT $${n + 1}, e."id", e."subject"
       FROM unnest($${n + 2}::uuid[], $${n + 3}::text[]) WITH ORDINALITY AS e("id", "subject", "ord")${locksFirst ? ', "locked"' : ''}
      ORDER BY e."ord"
     ON CONFLICT DO NOTHING RETURNING "event_id"`,
    [...params, consumer, events.map((e) => e.id), events.map((e) => e.type)],
  );
  return new Set(rows.map((r) => r.event_id));
}
