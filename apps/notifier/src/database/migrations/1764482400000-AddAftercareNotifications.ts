import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** A notification (and its chain) may also be about an aftercare item that is due: exactly one subject each. */
export class AddAftercareNotifications1764482400000 implements MigrationInterface {
  name = 'AddAftercareNotifications1764482400000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."notification"
      ADD COLUMN "aftercare_item_id" uuid,
      DROP CONSTRAINT "notification_subject_ck",
      ADD CONSTRAINT "notification_subject_ck" CHECK (num_nonnulls("task_id", "announcement_id", "aftercare_item_id") = 1)`);
    await q.query(
      `CREATE UNIQUE INDEX "notification_aftercare_uq" ON "${s}"."notification" ("aftercare_item_id", "person_id", "channel", "attempt") WHERE "aftercare_item_id" IS NOT NULL`,
    );
    await q.query(`ALTER TABLE "${s}"."escalation" ADD COLUMN "aftercare_item_id" uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."escalation" DROP COLUMN "aftercare_item_id"`);
    await q.query(`DROP INDEX "${s}"."notification_aftercare_uq"`);
    await q.query(`DELETE FROM "${s}"."notification" WHERE "aftercare_item_id" IS NOT NULL`);
    await q.query(`ALTER TABLE "${s}"."notification"
      DROP CONSTRAINT "notification_subject_ck",
      DROP COLUMN "aftercare_item_id",
      ADD CONSTRAINT "notification_subject_ck" CHECK (("task_id" IS NULL) <> ("announcement_id" IS NULL))`);
  }
}
