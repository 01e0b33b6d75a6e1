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
 * Records that `consumer` processes `event`, inside the caller's transaction. Returns false when it was
 * processed before: the caller then skips its effect. A concurrent second delivery waits on the row lock
 * and sees the first one's commit.
 */
export async function claimInbox(manager: EntityManager, consumer: string, event: EventEnvelope): Promise<boolean> {
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(InboxEntity)
    .values({ consumer, eventId: event.id, subject: event.type })
    .orIgnore()
    .returning(['event_id'])
    .execute();
  return (inserted.raw as unknown[]).length === 1;
}
