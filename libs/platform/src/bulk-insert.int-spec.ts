import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../test/support/database.js';
import { insertAll, insertRows } from './bulk-insert.js';

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

@Entity({ name: 'child' })
class ChildEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'row_id', type: 'uuid' }) rowId!: string;
  @Column('text') note!: string;
  @Column({ type: 'char', length: 64 }) hash!: string;
}

class CreateRow1700000000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${schema}"."row" (
      "id" uuid PRIMARY KEY, "seq" bigserial, "text" text NOT NULL, "phase" smallint NOT NULL, "flag" boolean NOT NULL,
      "due_at" timestamptz NOT NULL, "done_at" timestamptz, "data" jsonb NOT NULL, "tags" text[] NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE "${schema}"."child" (
      "id" uuid PRIMARY KEY, "row_id" uuid NOT NULL REFERENCES "${schema}"."row" ("id"), "note" text NOT NULL,
      "hash" char(64) NOT NULL)`);
  }
  async down(): Promise<void> {}
}

/** insertRows against real PostgreSQL: what goes in comes out byte for byte, in order, defaults filled. */
describe('insertRows', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await createDataSource(schema, [RowEntity, ChildEntity], [CreateRow1700000000000]);
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

  const aRow = () => ({
    id: randomUUID(),
    text: 'x',
    phase: 1,
    flag: true,
    dueAt: new Date(),
    doneAt: null,
    data: {},
    tags: ['push'],
  });

  it('insertAll writes several entities in one statement, a child beside the row it refers to', async () => {
    const rows = [aRow(), aRow()];
    const children = rows.flatMap((row) =>
      [0, 1, 2].map((i) => ({ id: randomUUID(), rowId: row.id, note: `${i}`, hash: `${i}`.repeat(64) })),
    );
    const statements: string[] = [];
    const manager = dataSource.createEntityManager();
    const runner = dataSource.createQueryRunner();
    const query = runner.query.bind(runner);
    runner.query = ((sql: string, ...rest: unknown[]) => {
      statements.push(sql);
      return (query as (...args: unknown[]) => unknown)(sql, ...rest);
    }) as typeof runner.query;
    try {
      await insertAll(dataSource.createEntityManager(runner), [
        { entity: RowEntity, rows },
        { entity: ChildEntity, rows: children },
        { entity: ChildEntity, rows: [] },
      ]);
    } finally {
      await runner.release();
    }
    expect(statements).toHaveLength(1);
    const stored = await manager.getRepository(ChildEntity).find({ where: rows.map((r) => ({ rowId: r.id })) });
    // Every value as given, a fixed-length column whole (its declared length, not character(1)).
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(stored.sort(byId)).toEqual(children.sort(byId));
    expect(await manager.getRepository(RowEntity).countBy(rows.map((r) => ({ id: r.id })))).toBe(2);
  });

  it('insertAll writes nothing of any entity when one row breaks a constraint', async () => {
    const rows = () => dataSource.getRepository(RowEntity).count();
    const children = () => dataSource.getRepository(ChildEntity).count();
    const [rowsBefore, childrenBefore] = [await rows(), await children()];
    const row = aRow();
    await expect(
      insertAll(dataSource.manager, [
        { entity: RowEntity, rows: [row] },
        {
          entity: ChildEntity,
          rows: [{ id: randomUUID(), rowId: randomUUID(), note: 'no such row', hash: 'f'.repeat(64) }],
        },
      ]),
    ).rejects.toThrow(/foreign key/);
    expect([await rows(), await children()]).toEqual([rowsBefore, childrenBefore]);
  });
});
