import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';
import { createPool } from '../../../test/support/database.js';
import { isUniqueViolation } from './persistence.js';
import { MAX_PREPARED_STATEMENTS, PREPARED, prepared } from './prepared.js';

/**
 * Statements marked with `prepared`, against real PostgreSQL: each connection parses them once and PostgreSQL
 * keeps their plan, while results, errors and every other statement stay as they were.
 */
describe('prepared statements on an app pool', () => {
  const table = `prepared_test_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;

  /** What the (only) connection of the pool holds as prepared statements. */
  const preparedOnConnection = () =>
    dataSource.query<{ statement: string; generic_plans: string; custom_plans: string }[]>(
      'SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements',
    );

  beforeAll(async () => {
    // One connection: what one statement prepared, the next one sees.
    dataSource = await createPool('crisisklaar-test-prepared', { poolSize: 1 });
    await dataSource.query(`CREATE TABLE "${table}" (id int PRIMARY KEY, label text NOT NULL)`);
    await dataSource.query(`INSERT INTO "${table}" SELECT i, 'label ' || i FROM generate_series(1, 100) AS i`);
  });

  afterAll(async () => {
    await dataSource?.query(`DROP TABLE IF EXISTS "${table}"`);
    await dataSource?.destroy();
  });

  it('parses a marked statement once per connection and, after a few runs, keeps one plan for every value', async () => {
    const byId = prepared(`SELECT label FROM "${table}" WHERE id = $1`);
    for (let id = 1; id <= 10; id += 1) {
      await expect(dataSource.query(byId, [id])).resolves.toEqual([{ label: `label ${id}` }]);
    }
    const unmarked = `SELECT label FROM "${table}" WHERE id = $1 + 0`;
    await expect(dataSource.query(unmarked, [7])).resolves.toEqual([{ label: 'label 7' }]);

    const statements = await preparedOnConnection();
    const mine = statements.find((s) => s.statement === byId);
    expect(mine).toBeDefined();
    // The first runs are planned for their values, then PostgreSQL settles on the generic plan and stops planning.
    expect(Number(mine!.generic_plans)).toBeGreaterThan(0);
    expect(Number(mine!.generic_plans) + Number(mine!.custom_plans)).toBe(10);
    expect(statements.some((s) => s.statement === unmarked)).toBe(false);
  });

  it('runs a marked statement inside a transaction and from a query builder', async () => {
    const label = prepared(`UPDATE "${table}" SET label = $2 WHERE id = $1 RETURNING label`);
    await dataSource.transaction(async (manager) => {
      await manager.query(label, [20, 'twenty']);
      await manager.query(label, [21, 'twenty-one']);
    });
    const builder = (id: number) =>
      dataSource
        .createQueryBuilder()
        .select('t.label', 'label')
        .from(table, 't')
        .where('t.id = :id', { id })
        .comment(PREPARED);
    await expect(builder(20).getRawMany()).resolves.toEqual([{ label: 'twenty' }]);
    await expect(builder(21).getRawMany()).resolves.toEqual([{ label: 'twenty-one' }]);

    const statements = (await preparedOnConnection()).map((s) => s.statement);
    expect(statements).toContain(label);
    expect(statements).toContain(builder(0).getQueryAndParameters()[0]);
  });

  it('fails as before when a marked statement breaks a constraint, and the connection goes on', async () => {
    const insert = prepared(`INSERT INTO "${table}" (id, label) VALUES ($1, $2)`);
    const failure = await dataSource.query(insert, [5, 'a second five']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(failure)).toBe(true);

    await dataSource.query(insert, [101, 'one hundred and one']);
    await expect(
      dataSource.query(`SELECT id, label FROM "${table}" WHERE id IN (5, 101) ORDER BY id`),
    ).resolves.toEqual([
      { id: 5, label: 'label 5' },
      { id: 101, label: 'one hundred and one' },
    ]);
  });

  it(`prepares no more than ${MAX_PREPARED_STATEMENTS} texts, so a text built with values cannot fill the connections`, async () => {
    for (let i = 0; i < MAX_PREPARED_STATEMENTS; i += 1) {
      await dataSource.query(prepared(`SELECT $1::int + ${i} AS n`), [i]);
    }
    const beyond = prepared(`SELECT $1::int - 1 AS n`);
    await expect(dataSource.query(beyond, [3])).resolves.toEqual([{ n: 2 }]);
    const statements = await preparedOnConnection();
    expect(statements.some((s) => s.statement === beyond)).toBe(false);
    expect(statements.length).toBe(MAX_PREPARED_STATEMENTS);
  });
});
