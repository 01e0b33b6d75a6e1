import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** The steps of the legal chain after a signal of a sexual offence by staff, one row each, never edited. */
export class AddLegalChain1764367200000 implements MigrationInterface {
  name = 'AddLegalChain1764367200000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."legal_step" (
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "step" text NOT NULL,
      "occurred_at" timestamptz NOT NULL,
      "recorded_at" timestamptz NOT NULL,
      "recorded_by" uuid NOT NULL,
      "note" text NOT NULL,
      "reasonable_suspicion" boolean,
      PRIMARY KEY ("incident_id", "step")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${schemaOf(q)}"."legal_step"`);
  }
}
