import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../test/support/database.js';
import { insertRows } from './bulk-insert.js';

const schema = uniqueSchema('bulk_insert');

@Entity({ name: 'row' })
class RowEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'bigint', generated: 'increment' }) seq!: string;
  @Column('text') text!: string;
  @Column('smallint') phase!: number;
  @Column({ type: 'boolean' }) flag!: boolean;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  @Column({ name: 'done_at', type: 'timestamptz', nullable: true }) doneAt!: Date | null;
  @Column('jsonb') data!: unknown;
  @Column({ type: 'text', array: true }) tags!: string[];
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}

class CreateRow1700000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${schema}"."row" (
      "id" uuid PRIMARY KEY, "seq" bigserial, "text" text NOT NULL, "phase" smallint NOT NULL, "flag" boolean NOT NULL,
      "due_at" timestamptz NOT NULL, "done_at" timestamptz, "data" jsonb NOT NULL, "tags" text[] NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now())`);
  }
  async down(): Promise<void> {}
}

/** insertRows against real PostgreSQL: what goes in comes out byte for byte, in order, defaults filled. */
describe('insertRows', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await createDataSource(schema, [RowEntity], [CreateRow1700000000000]);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('stores every value as given, numbers the rows in their order and fills the defaults', async () => {
    const due = new Date('2026-12-02T08:15:30.123Z');
    const texts = [
      `O'Brien "quoted" \\ back\\slash`,
      'Zoë ✓ 🚒 $1 ${x} -- ; DROP TABLE row',
      '<script>alert(1)</script>\n\ttab',
    ];
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: randomUUID(),
      text: texts[i % texts.length]!,
      phase: i % 5,
      flag: i % 2 === 0,
      dueAt: new Date(due.getTime() + i),
      doneAt: i % 3 === 0 ? null : due,
      data: { i, nested: { list: [1, 'two', null], text: texts[i % texts.length] } },
      tags: i % 4 === 0 ? [] : ['push', 'sms', texts[i % texts.length]!],
    }));
    const before = Date.now();
    await insertRows(dataSource.manager, RowEntity, rows);
    const stored = await dataSource.getRepository(RowEntity).find({ order: { seq: 'ASC' } });
    expect(stored.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    for (const [i, row] of rows.entries()) {
      const got = stored[i]!;
      expect({ ...got, seq: undefined, createdAt: undefined }).toEqual({
        ...row,
        seq: undefined,
        createdAt: undefined,
      });
      expect(got.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    }
  });

  it('writes nothing for no rows, and nothing at all when a row breaks a constraint', async () => {
    const count = () => dataSource.getRepository(RowEntity).count();
    const before = await count();
    await insertRows(dataSource.manager, RowEntity, []);
    const id = randomUUID();
    const row = { id, text: 'x', phase: 1, flag: true, dueAt: new Date(), doneAt: null, data: {}, tags: ['push'] };
    await expect(insertRows(dataSource.manager, RowEntity, [row, { ...row }])).rejects.toThrow(/duplicate key/);
    expect(await count()).toBe(before);
  });
});
