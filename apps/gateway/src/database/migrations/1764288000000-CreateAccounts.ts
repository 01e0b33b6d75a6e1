import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccounts1764288000000 implements MigrationInterface {
  name = 'CreateAccounts1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "gateway"."board" ("id" uuid PRIMARY KEY, "name" text NOT NULL)`);
    await q.query(`CREATE TABLE "gateway"."school" (
      "id" uuid PRIMARY KEY,
      "board_id" uuid NOT NULL REFERENCES "gateway"."board" ("id"),
      "name" text NOT NULL,
      "sector" text NOT NULL CHECK ("sector" IN ('po', 'vo', 'mbo'))
    )`);
    await q.query(`CREATE TABLE "gateway"."account" (
      "person_id" uuid PRIMARY KEY,
      "email" text NOT NULL UNIQUE,
      "name" text NOT NULL,
      "password_hash" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "gateway"."membership" (
      "person_id" uuid NOT NULL REFERENCES "gateway"."account" ("person_id"),
      "school_id" uuid NOT NULL REFERENCES "gateway"."school" ("id"),
      "role" text NOT NULL CHECK ("role" IN ('admin', 'crisis_team', 'staff', 'management')),
      PRIMARY KEY ("person_id", "school_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['membership', 'account', 'school', 'board']) {
      await q.query(`DROP TABLE "gateway"."${table}"`);
    }
  }
}
