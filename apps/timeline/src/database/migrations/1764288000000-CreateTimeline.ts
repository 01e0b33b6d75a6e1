import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

export class CreateTimeline1764288000000 implements MigrationInterface {
  name = 'CreateTimeline1764288000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."entry" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL,
      "seq" int NOT NULL,
      "event_id" uuid NOT NULL UNIQUE,
      "school_id" uuid NOT NULL,
      "board_id" uuid NOT NULL,
      "type" text NOT NULL,
      "occurred_at" text NOT NULL,
      "recorded_at" text NOT NULL,
      "actor" text NOT NULL,
      "drill" boolean NOT NULL,
      "correlation_id" text NOT NULL,
      "data" jsonb NOT NULL,
      "prev_hash" char(64) NOT NULL,
      "hash" char(64) NOT NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX "entry_incident_seq_uq" ON "${s}"."entry" ("incident_id", "seq")`);
    await q.query(`CREATE TABLE "${s}"."chain_head" (
      "incident_id" uuid PRIMARY KEY,
      "last_seq" int NOT NULL,
      "last_hash" char(64) NOT NULL
    )`);
    // Append-only: no UPDATE or DELETE of an entry, whoever asks (a superuser can still drop the trigger;
    // the hash chain shows that).
    await q.query(`CREATE FUNCTION "${s}"."entry_is_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'timeline entries are append-only (% refused)', TG_OP; END $$`);
    await q.query(`CREATE TRIGGER "entry_append_only" BEFORE UPDATE OR DELETE ON "${s}"."entry"
      FOR EACH ROW EXECUTE FUNCTION "${s}"."entry_is_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."chain_head"`);
    await q.query(`DROP TABLE "${s}"."entry"`);
    await q.query(`DROP FUNCTION "${s}"."entry_is_append_only"()`);
  }
}
