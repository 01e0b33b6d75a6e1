import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/**
 * An admin may disable an account (and enable it again): the account says since when and by whom, and
 * `account_audit` keeps every change. A session remembers that the devices registered from it are still to be
 * removed after a logout, until the notifier has confirmed it.
 */
export class AddAccountDisable1764568800000 implements MigrationInterface {
  name = 'AddAccountDisable1764568800000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."account"
      ADD COLUMN "disabled_at" timestamptz,
      ADD COLUMN "disabled_by" uuid,
      ADD COLUMN "disabled_reason" text`);
    await q.query(`CREATE TABLE "${s}"."account_audit" (
      "id" uuid PRIMARY KEY,
      "person_id" uuid NOT NULL REFERENCES "${s}"."account" ("person_id"),
      "action" text NOT NULL CHECK ("action" IN ('disabled', 'enabled')),
      "actor_id" uuid NOT NULL,
      "school_id" uuid NOT NULL,
      "at" timestamptz NOT NULL,
      "reason" text
    )`);
    await q.query(`CREATE INDEX "account_audit_person_idx" ON "${s}"."account_audit" ("person_id", "at")`);
    await q.query(`ALTER TABLE "${s}"."session" ADD COLUMN "devices_pending" boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX "session_devices_pending_idx" ON "${s}"."session" ("id") WHERE "devices_pending"`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP INDEX "${s}"."session_devices_pending_idx"`);
    await q.query(`ALTER TABLE "${s}"."session" DROP COLUMN "devices_pending"`);
    await q.query(`DROP TABLE "${s}"."account_audit"`);
    await q.query(`ALTER TABLE "${s}"."account"
      DROP COLUMN "disabled_reason",
      DROP COLUMN "disabled_by",
      DROP COLUMN "disabled_at"`);
  }
}
