import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inboxTableSql, outboxTableSql } from '#lib/messaging';
import { schemaOf } from '#lib/platform';

export class CreateIncidents1764288000000 implements MigrationInterface {
  name = 'CreateIncidents1764288000000';

  async up(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    await q.query(`CREATE TABLE "${s}"."incident" (
      "id" uuid PRIMARY KEY,
      "board_id" uuid NOT NULL,
      "school_id" uuid NOT NULL,
      "calamity_type" text NOT NULL,
      "summary" text NOT NULL,
      "drill" boolean NOT NULL,
      "status" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "catalog_version" text NOT NULL,
      "created_by" uuid NOT NULL,
      "correlation_id" text NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(
      `CREATE UNIQUE INDEX "incident_idempotency_uq" ON "${s}"."incident" ("school_id", "idempotency_key")`,
    );
    await q.query(`CREATE TABLE "${s}"."task" (
      "id" uuid PRIMARY KEY,
      "incident_id" uuid NOT NULL REFERENCES "${s}"."incident" ("id"),
      "template_id" text NOT NULL,
      "role" text NOT NULL,
      "assignee_id" uuid,
      "status" text NOT NULL,
      "title_nl" text NOT NULL,
      "title_en" text NOT NULL,
      "phase" smallint NOT NULL,
      "priority" text NOT NULL,
      "ack_required" boolean NOT NULL,
      "due_at" timestamptz NOT NULL,
      "created_at" timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX "task_incident_idx" ON "${s}"."task" ("incident_id")`);
    await q.query(`CREATE INDEX "task_assignee_idx" ON "${s}"."task" ("assignee_id", "status")`);
    await q.query(`CREATE TABLE "${s}"."plan_slot" (
      "school_id" uuid NOT NULL,
      "role" text NOT NULL,
      "rank" smallint NOT NULL,
      "person_id" uuid NOT NULL,
      PRIMARY KEY ("school_id", "role", "rank")
    )`);
    for (const sql of [...outboxTableSql(s), ...inboxTableSql(s)]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const s = schemaOf(q);
    for (const table of ['inbox', 'outbox', 'plan_slot', 'task', 'incident']) {
      await q.query(`DROP TABLE "${s}"."${table}"`);
    }
  }
}
