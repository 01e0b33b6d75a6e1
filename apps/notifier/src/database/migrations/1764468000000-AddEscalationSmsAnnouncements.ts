import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/**
 * Escalation chains (PostgreSQL holds every timer's truth), SMS messages with their provider ids, inbound
 * replies, stop signals (acknowledgements that may overtake the assignment they answer), announcements, and
 * a person's order of channels.
 */
export class AddEscalationSmsAnnouncements1764468000000 implements MigrationInterface {
  name = 'AddEscalationSmsAnnouncements1764468000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."notification" ALTER COLUMN "task_id" DROP NOT NULL`);
    await q.query(`ALTER TABLE "${s}"."notification"
      ADD COLUMN "announcement_id" uuid,
      ADD COLUMN "chain_id" uuid,
      ADD COLUMN "priority" int NOT NULL DEFAULT 1,
      ADD COLUMN "provider" text,
      ADD COLUMN "delivered_at" timestamptz,
      ADD COLUMN "acknowledged_at" timestamptz,
      ADD CONSTRAINT "notification_subject_ck" CHECK (("task_id" IS NULL) <> ("announcement_id" IS NULL)),
      ADD CONSTRAINT "notification_status_ck" CHECK ("status" IN
        ('queued', 'sent', 'local_outbox', 'delivered', 'acknowledged', 'failed', 'expired', 'unreachable'))`);
    await q.query(
      `CREATE UNIQUE INDEX "notification_announcement_uq" ON "${s}"."notification" ("announcement_id", "person_id", "channel", "attempt") WHERE "announcement_id" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "notification_chain_idx" ON "${s}"."notification" ("chain_id")`);
    await q.query(`CREATE TABLE "${s}"."escalation" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "task_id" uuid,
      "announcement_id" uuid,
      "person_id" uuid NOT NULL,
      "cause_event_id" uuid NOT NULL UNIQUE,
      "priority" text NOT NULL,
      "ack_required" boolean NOT NULL,
      "channels" text[] NOT NULL CHECK (cardinality("channels") >= 1),
      "step" int NOT NULL,
      "state" text NOT NULL CHECK ("state" IN ('running', 'reached', 'acknowledged', 'stopped', 'exhausted')),
      "deadline" timestamptz,
      "cause" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL,
      "ended_reason" text
    )`);
    await q.query(
      `CREATE INDEX "escalation_running_idx" ON "${s}"."escalation" ("deadline") WHERE "state" = 'running'`,
    );
    await q.query(`CREATE INDEX "escalation_task_idx" ON "${s}"."escalation" ("task_id")`);
    await q.query(`CREATE INDEX "escalation_person_idx" ON "${s}"."escalation" ("person_id", "created_at")`);
    await q.query(`CREATE TABLE "${s}"."stop_signal" (
      "event_id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "task_id" uuid,
      "person_id" uuid,
      "reason" text NOT NULL,
      "occurred_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "stop_signal_incident_idx" ON "${s}"."stop_signal" ("incident_id")`);
    await q.query(`CREATE TABLE "${s}"."sms_message" (
      "notification_id" uuid PRIMARY KEY REFERENCES "${s}"."notification" ("id"),
      "provider" text NOT NULL CHECK ("provider" IN ('twilio', 'local-outbox')),
      "to_phone" text NOT NULL,
      "body" text NOT NULL,
      "sid" text UNIQUE,
      "provider_status" text,
      "error_code" text,
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."inbound_sms" (
      "message_sid" text PRIMARY KEY,
      "person_id" uuid,
      "task_id" uuid,
      "outcome" text NOT NULL,
      "received_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."announcement" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "school_id" uuid NOT NULL,
      "board_id" uuid NOT NULL,
      "audience" text NOT NULL,
      "role" text,
      "text" text NOT NULL,
      "author_id" uuid NOT NULL,
      "drill" boolean NOT NULL,
      "recipients" int NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "announcement_incident_idx" ON "${s}"."announcement" ("incident_id", "created_at")`);
    await q.query(`ALTER TABLE "${s}"."contact" ADD COLUMN "channel_order" text[] NOT NULL DEFAULT '{push,sms}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."contact" DROP COLUMN "channel_order"`);
    for (const table of ['announcement', 'inbound_sms', 'sms_message', 'stop_signal', 'escalation']) {
      await q.query(`DROP TABLE "${s}"."${table}"`);
    }
    await q.query(`DROP INDEX "${s}"."notification_chain_idx"`);
    await q.query(`DROP INDEX "${s}"."notification_announcement_uq"`);
    await q.query(`ALTER TABLE "${s}"."notification"
      DROP CONSTRAINT "notification_status_ck", DROP CONSTRAINT "notification_subject_ck",
      DROP COLUMN "acknowledged_at", DROP COLUMN "delivered_at", DROP COLUMN "provider",
      DROP COLUMN "priority", DROP COLUMN "chain_id", DROP COLUMN "announcement_id"`);
    await q.query(`DELETE FROM "${s}"."notification" WHERE "task_id" IS NULL`);
    await q.query(`ALTER TABLE "${s}"."notification" ALTER COLUMN "task_id" SET NOT NULL`);
  }
}
