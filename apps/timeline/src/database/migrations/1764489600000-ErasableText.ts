import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';
import { TIMELINE_WRITER_ROLE } from './1764374400000-TimelineWriterRole.js';

/**
 * Hash version 2: an entry's personal texts are kept apart (`entry_text`) and the chain covers their digest,
 * so that after the board's retention period they can be erased (deleted, with an erasure entry) while the chain
 * still verifies. Entries stay append-only; texts can be deleted but never changed.
 */
export class ErasableText1764489600000 implements MigrationInterface {
  name = 'ErasableText1764489600000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`ALTER TABLE "${s}"."entry"
      ADD COLUMN "hash_version" int NOT NULL DEFAULT 1 CHECK ("hash_version" IN (1, 2)),
      ADD COLUMN "text_digest" char(64)`);
    await q.query(`CREATE TABLE "${s}"."entry_text" (
      "entry_id" uuid PRIMARY KEY REFERENCES "${s}"."entry" ("id"),
      "incident_id" uuid NOT NULL,
      "seq" int NOT NULL,
      "fields" jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX "entry_text_incident_idx" ON "${s}"."entry_text" ("incident_id", "seq")`);
    await q.query(`CREATE FUNCTION "${s}"."entry_text_is_not_edited"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'timeline texts can be erased, never edited (UPDATE refused)'; END $$`);
    await q.query(`CREATE TRIGGER "entry_text_not_edited" BEFORE UPDATE ON "${s}"."entry_text"
      FOR EACH ROW EXECUTE FUNCTION "${s}"."entry_text_is_not_edited"()`);
    await q.query(`GRANT SELECT, INSERT ON "${s}"."entry_text" TO ${TIMELINE_WRITER_ROLE}`);
    await q.query(`CREATE TABLE "${s}"."retention_policy" (
      "board_id" uuid PRIMARY KEY,
      "retention_days" int NOT NULL CHECK ("retention_days" BETWEEN 1 AND 36500),
      "updated_at" timestamptz NOT NULL,
      "updated_by" uuid NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP TABLE "${s}"."retention_policy"`);
    await q.query(`DROP TABLE "${s}"."entry_text"`);
    await q.query(`DROP FUNCTION "${s}"."entry_text_is_not_edited"()`);
    await q.query(`ALTER TABLE "${s}"."entry" DROP COLUMN "text_digest", DROP COLUMN "hash_version"`);
  }
}
