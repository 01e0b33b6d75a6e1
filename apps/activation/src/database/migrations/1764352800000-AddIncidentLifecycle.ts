import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** The incident's protocol phase, and when and why it ended (closed early, cancelled as a false alarm). */
export class AddIncidentLifecycle1764352800000 implements MigrationInterface {
  name = 'AddIncidentLifecycle1764352800000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."incident"
      ADD COLUMN "phase" smallint NOT NULL DEFAULT 1 CHECK ("phase" BETWEEN 1 AND 5),
      ADD COLUMN "ended_at" timestamptz,
      ADD COLUMN "end_reason" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(
      `ALTER TABLE "${s}"."incident" DROP COLUMN "phase", DROP COLUMN "ended_at", DROP COLUMN "end_reason"`,
    );
  }
}
