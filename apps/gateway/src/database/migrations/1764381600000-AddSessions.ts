import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** Sessions with rotating refresh tokens, the one-time login codes, and rate-limit counters. */
export class AddSessions1764381600000 implements MigrationInterface {
  name = 'AddSessions1764381600000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."session" (
      "id" uuid PRIMARY KEY,
      "person_id" uuid NOT NULL REFERENCES "${s}"."account" ("person_id"),
      "refresh_hash" text NOT NULL,
      "previous_hash" text,
      "created_at" timestamptz NOT NULL,
      "last_used_at" timestamptz NOT NULL,
      "expires_at" timestamptz NOT NULL,
      "revoked_at" timestamptz,
      "revoked_reason" text,
      "user_agent" text
    )`);
    await q.query(`CREATE INDEX "session_person_idx" ON "${s}"."session" ("person_id") WHERE "revoked_at" IS NULL`);
    await q.query(`CREATE TABLE "${s}"."login_challenge" (
      "id" uuid PRIMARY KEY,
      "person_id" uuid NOT NULL REFERENCES "${s}"."account" ("person_id"),
      "code_hash" text NOT NULL,
      "expires_at" timestamptz NOT NULL,
      "attempts" int NOT NULL DEFAULT 0,
      "used_at" timestamptz,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."rate_limit" (
      "key" text NOT NULL,
      "window_start" timestamptz NOT NULL,
      "count" int NOT NULL,
      PRIMARY KEY ("key", "window_start")
    )`);
    // Accounts made by a staff import have no password until one is set: nobody can log in to them meanwhile.
    await q.query(`ALTER TABLE "${s}"."account" ALTER COLUMN "password_hash" DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."rate_limit"`);
    await q.query(`DROP TABLE "${s}"."login_challenge"`);
    await q.query(`DROP TABLE "${s}"."session"`);
  }
}
