import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** Task instructions from the catalog, announcement of later tasks, and the lifecycle's times. */
export class AddTaskLifecycle1764345600000 implements MigrationInterface {
  name = 'AddTaskLifecycle1764345600000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."task"
      ADD COLUMN "instruction_nl" text NOT NULL DEFAULT '',
      ADD COLUMN "instruction_en" text NOT NULL DEFAULT '',
      ADD COLUMN "announce_at" timestamptz,
      ADD COLUMN "announced_at" timestamptz,
      ADD COLUMN "overdue_at" timestamptz,
      ADD COLUMN "acknowledged_at" timestamptz,
      ADD COLUMN "completed_at" timestamptz,
      ADD COLUMN "note" text,
      ADD COLUMN "updated_at" timestamptz`);
    await q.query(
      `UPDATE "${s}"."task" SET "announce_at" = "created_at", "announced_at" = "created_at", "updated_at" = "created_at"`,
    );
    await q.query(
      `ALTER TABLE "${s}"."task" ALTER COLUMN "announce_at" SET NOT NULL, ALTER COLUMN "updated_at" SET NOT NULL`,
    );
    await q.query(`CREATE INDEX "task_announce_idx" ON "${s}"."task" ("announce_at") WHERE "announced_at" IS NULL`);
    await q.query(
      `CREATE INDEX "task_overdue_idx" ON "${s}"."task" ("due_at") WHERE "overdue_at" IS NULL AND "status" IN ('pending', 'notified', 'acknowledged')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP INDEX "${s}"."task_overdue_idx"`);
    await q.query(`DROP INDEX "${s}"."task_announce_idx"`);
    await q.query(`ALTER TABLE "${s}"."task"
      DROP COLUMN "instruction_nl", DROP COLUMN "instruction_en", DROP COLUMN "announce_at", DROP COLUMN "announced_at",
      DROP COLUMN "overdue_at", DROP COLUMN "acknowledged_at", DROP COLUMN "completed_at", DROP COLUMN "note",
      DROP COLUMN "updated_at"`);
  }
}
