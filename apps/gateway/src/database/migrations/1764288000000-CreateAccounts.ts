import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

export class CreateAccounts1764288000000 implements MigrationInterface {
  name = 'CreateAccounts1764288000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."board" ("id" uuid PRIMARY KEY, "name" text NOT NULL)`);
    await q.query(`CREATE TABLE "${s}"."school" (
      "id" uuid PRIMARY KEY,
      "board_id" uuid NOT NULL REFERENCES "${s}"."board" ("id"),
      "name" text NOT NULL,
      "sector" text NOT NULL CHECK ("sector" IN ('po', 'vo', 'mbo'))
    )`);
    await q.query(`CREATE TABLE "${s}"."account" (
      "person_id" uuid PRIMARY KEY,
      "email" text NOT NULL UNIQUE,
      "name" text NOT NULL,
      "password_hash" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "${s}"."membership" (
      "person_id" uuid NOT NULL REFERENCES "${s}"."account" ("person_id"),
      "school_id" uuid NOT NULL REFERENCES "${s}"."school" ("id"),
      "role" text NOT NULL CHECK ("role" IN ('admin', 'crisis_team', 'staff', 'management')),
      PRIMARY KEY ("person_id", "school_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const table of ['membership', 'account', 'school', 'board']) {
      await q.query(`DROP TABLE "${s}"."${table}"`);
    }
  }
}
