import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableSql } from '#lib/messaging';
import { schemaOf } from '#lib/platform';

/** Aftercare items (nazorg) with their owner, due date and state; and an outbox for `crisis.aftercare.due.v1`. */
export class AddAftercare1764475200000 implements MigrationInterface {
  name = 'AddAftercare1764475200000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."aftercare_item" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "school_id" uuid NOT NULL,
      "board_id" uuid NOT NULL,
      "drill" boolean NOT NULL,
      "key" text NOT NULL,
      "kind" text NOT NULL CHECK ("kind" IN ('check-in', 'commemoration', 'anniversary', 'peer-attention', 'other')),
      "title_nl" text NOT NULL,
      "title_en" text NOT NULL,
      "subject" text,
      "owner_id" uuid,
      "due_at" timestamptz NOT NULL,
      "state" text NOT NULL CHECK ("state" IN ('scheduled', 'checked', 'fine', 'referred', 'closed')),
      "referred_to" text CHECK ("referred_to" IN ('gp', 'ggd', 'slachtofferhulp', 'other')),
      "note" text,
      "notified_at" timestamptz,
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL,
      UNIQUE ("incident_id", "key")
    )`);
    await q.query(
      `CREATE INDEX "aftercare_due_idx" ON "${s}"."aftercare_item" ("due_at") WHERE "notified_at" IS NULL AND "state" = 'scheduled'`,
    );
    for (const sql of outboxTableSql(s)) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."outbox"`);
    await q.query(`DROP TABLE "${s}"."aftercare_item"`);
  }
}
