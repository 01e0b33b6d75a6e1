import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

export class AddContacts1764381600000 implements MigrationInterface {
  name = 'AddContacts1764381600000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."contact" (
      "person_id" uuid PRIMARY KEY,
      "phone" text NOT NULL CHECK ("phone" ~ '^\\+[1-9][0-9]{7,14}$'),
      "updated_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "notification_incident_idx" ON "${s}"."notification" ("incident_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`DROP INDEX "${s}"."notification_incident_idx"`);
    await q.query(`DROP TABLE "${s}"."contact"`);
  }
}
