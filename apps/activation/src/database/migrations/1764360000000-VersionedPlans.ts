import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/**
 * Crisis plans become versioned documents (school and board), and incidents record the versions they ran on.
 * Existing plan slots become version 1 of each school's plan.
 */
export class VersionedPlans1764360000000 implements MigrationInterface {
  name = 'VersionedPlans1764360000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."plan_version" (
      "id" uuid PRIMARY KEY,
      "scope" text NOT NULL CHECK ("scope" IN ('school', 'board')),
      "owner_id" uuid NOT NULL,
      "board_id" uuid NOT NULL,
      "version" int NOT NULL,
      "content" jsonb NOT NULL,
      "created_by" text NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX "plan_version_uq" ON "${s}"."plan_version" ("scope", "owner_id", "version")`);
    // Version 1 of every school plan from the old slots (board id from the school's incidents, if any).
    await q.query(`INSERT INTO "${s}"."plan_version" ("id", "scope", "owner_id", "board_id", "version", "content", "created_by", "created_at")
      SELECT gen_random_uuid(), 'school', p.school_id,
        COALESCE((SELECT i.board_id FROM "${s}"."incident" i WHERE i.school_id = p.school_id LIMIT 1), p.school_id),
        1,
        jsonb_build_object('roles', p.roles, 'unavailable', '[]'::jsonb, 'taskOverrides', '[]'::jsonb,
          'extraTasks', '[]'::jsonb, 'reviewDue', to_char(now() + interval '1 year', 'YYYY-MM-DD')),
        'migration', now()
      FROM (
        SELECT school_id, jsonb_agg(jsonb_build_object('role', role, 'people', people)) AS roles
        FROM (SELECT school_id, role, jsonb_agg(person_id ORDER BY rank) AS people FROM "${s}"."plan_slot" GROUP BY school_id, role) r
        GROUP BY school_id
      ) p`);
    await q.query(`DROP TABLE "${s}"."plan_slot"`);
    await q.query(`ALTER TABLE "${s}"."incident" ADD COLUMN "plan_versions" jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."incident" DROP COLUMN "plan_versions"`);
    await q.query(`CREATE TABLE "${s}"."plan_slot" (
      "school_id" uuid NOT NULL, "role" text NOT NULL, "rank" smallint NOT NULL, "person_id" uuid NOT NULL,
      PRIMARY KEY ("school_id", "role", "rank"))`);
    await q.query(`DROP TABLE "${s}"."plan_version"`);
  }
}
