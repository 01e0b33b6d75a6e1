import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** The role the timeline writes as: it may add entries and move chain heads, never change or remove an entry. */
export const TIMELINE_WRITER_ROLE = 'crisisklaar_timeline_writer';

/**
 * Append-only by privilege, not only by trigger: the timeline's write transactions run as a role that has
 * SELECT and INSERT on entries and nothing more, so even a bug (or a disabled trigger) cannot UPDATE or DELETE.
 */
export class TimelineWriterRole1764374400000 implements MigrationInterface {
  name = 'TimelineWriterRole1764374400000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    // Roles are cluster-wide: create it once, whoever migrates first.
    await q.query(`DO $$ BEGIN
      CREATE ROLE ${TIMELINE_WRITER_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    // The user the app connects as may switch to it (a superuser always may).
    await q.query(`DO $$ BEGIN
      EXECUTE format('GRANT ${TIMELINE_WRITER_ROLE} TO %I', current_user);
    EXCEPTION WHEN others THEN NULL; END $$`);
    await q.query(`GRANT USAGE ON SCHEMA "${s}" TO ${TIMELINE_WRITER_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON "${s}"."entry" TO ${TIMELINE_WRITER_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON "${s}"."chain_head" TO ${TIMELINE_WRITER_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`REVOKE ALL ON "${s}"."entry", "${s}"."chain_head" FROM ${TIMELINE_WRITER_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA "${s}" FROM ${TIMELINE_WRITER_ROLE}`);
  }
}
