import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '#lib/platform';

/** Crisis communication (messages and their versions, agreements, the press) and the sociale kaart. */
export class AddCommunication1764374400000 implements MigrationInterface {
  name = 'AddCommunication1764374400000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."message" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "school_id" uuid NOT NULL,
      "audience" text NOT NULL,
      "language" text NOT NULL,
      "state" text NOT NULL,
      "version" int NOT NULL,
      "title" text NOT NULL,
      "body" text NOT NULL,
      "facts" jsonb,
      "includes_photo" boolean NOT NULL DEFAULT false,
      "includes_address" boolean NOT NULL DEFAULT false,
      "based_on_core_version" int,
      "approved_version" int,
      "approved_by" uuid,
      "approved_at" timestamptz,
      "approved_checklist" text[] NOT NULL DEFAULT '{}',
      "family_approved_version" int,
      "family_approved_by" uuid,
      "family_approved_at" timestamptz,
      "family_approval_note" text,
      "released_version" int,
      "released_at" timestamptz,
      "released_by" uuid,
      "release_via" text,
      "release_channel" text,
      "release_note" text,
      "release_recipients" int,
      "created_at" timestamptz NOT NULL,
      "created_by" uuid NOT NULL,
      "updated_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "message_incident_idx" ON "${s}"."message" ("incident_id", "created_at")`);
    // One core message per incident: every audience message starts from it.
    await q.query(
      `CREATE UNIQUE INDEX "message_core_uq" ON "${s}"."message" ("incident_id") WHERE "audience" = 'core'`,
    );
    await q.query(`CREATE TABLE "${s}"."message_version" (
      "message_id" uuid NOT NULL REFERENCES "${s}"."message" ("id"),
      "version" int NOT NULL,
      "title" text NOT NULL,
      "body" text NOT NULL,
      "facts" jsonb,
      "author_id" uuid NOT NULL,
      "created_at" timestamptz NOT NULL,
      PRIMARY KEY ("message_id", "version")
    )`);
    await q.query(`CREATE TABLE "${s}"."communication_agreement" (
      "incident_id" uuid PRIMARY KEY REFERENCES "${s}"."incident" ("id"),
      "version" int NOT NULL,
      "may_share" text,
      "photo_consent" boolean,
      "address_consent" boolean,
      "funeral" text,
      "condolence" text,
      "class_participation" text,
      "police_agreed" text,
      "board_agreed" text,
      "updated_by" uuid NOT NULL,
      "updated_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."family_contact" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "contact_at" timestamptz NOT NULL,
      "logged_by" uuid NOT NULL,
      "note" text NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."press_desk" (
      "incident_id" uuid PRIMARY KEY REFERENCES "${s}"."incident" ("id"),
      "spokesperson_id" uuid NOT NULL,
      "set_by" uuid NOT NULL,
      "set_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."press_entry" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "asked_at" timestamptz NOT NULL,
      "asked_by" text NOT NULL,
      "question" text NOT NULL,
      "answer" text,
      "answered_at" timestamptz,
      "logged_by" uuid NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE TABLE "${s}"."social_map_entry" (
      "id" uuid PRIMARY KEY,
      "board_id" uuid NOT NULL,
      "school_id" uuid,
      "incident_id" uuid REFERENCES "${s}"."incident" ("id"),
      "party" text NOT NULL,
      "name" text NOT NULL,
      "phone" text NOT NULL,
      "phone_alt" text,
      "email" text,
      "note" text,
      "updated_by" text NOT NULL,
      "updated_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "social_map_entry_owner_idx" ON "${s}"."social_map_entry" ("board_id", "school_id")`);
    await q.query(`CREATE TABLE "${s}"."party_contact" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "party" text NOT NULL,
      "entry_id" uuid,
      "task_id" uuid,
      "contacted_at" timestamptz NOT NULL,
      "outcome" text NOT NULL,
      "logged_by" uuid NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(
      `CREATE INDEX "party_contact_incident_idx" ON "${s}"."party_contact" ("incident_id", "contacted_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const table of [
      'party_contact',
      'social_map_entry',
      'press_entry',
      'press_desk',
      'family_contact',
      'communication_agreement',
      'message_version',
      'message',
    ]) {
      await q.query(`DROP TABLE "${s}"."${table}"`);
    }
  }
}
