import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxTableSql, outboxTableSql } from '#lib/messaging';
import { schemaOf } from '#lib/platform';

export class CreateNotifications1764288000000 implements MigrationInterface {
  name = 'CreateNotifications1764288000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."push_subscription" (
      "id" uuid PRIMARY KEY,
      "person_id" uuid NOT NULL,
      "endpoint" text NOT NULL UNIQUE,
      "p256dh" text NOT NULL,
      "auth" text NOT NULL,
      "user_agent" text,
      "expires_at" timestamptz,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX "push_subscription_person_idx" ON "${s}"."push_subscription" ("person_id")`);
    await q.query(`CREATE TABLE "${s}"."notification" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "task_id" uuid NOT NULL,
      "person_id" uuid NOT NULL,
      "channel" text NOT NULL,
      "attempt" int NOT NULL,
      "status" text NOT NULL,
      "reason" text,
      "job_id" text NOT NULL UNIQUE,
      "cause" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL,
      "sent_at" timestamptz
    )`);
    await q.query(
      `CREATE UNIQUE INDEX "notification_intent_uq" ON "${s}"."notification" ("task_id", "person_id", "channel", "attempt")`,
    );
    await q.query(
      `CREATE INDEX "notification_open_idx" ON "${s}"."notification" ("updated_at") WHERE "status" = 'queued'`,
    );
    await q.query(`CREATE TABLE "${s}"."push_attempt" (
      "notification_id" uuid NOT NULL REFERENCES "${s}"."notification" ("id"),
      "subscription_id" uuid NOT NULL,
      "outcome" text NOT NULL,
      "status_code" int,
      "at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("notification_id", "subscription_id")
    )`);
    for (const sql of [...outboxTableSql(s), ...inboxTableSql(s)]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const table of ['inbox', 'outbox', 'push_attempt', 'notification', 'push_subscription']) {
      await q.query(`DROP TABLE "${s}"."${table}"`);
    }
  }
}
