import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** An `INSERT … SELECT` of rows from one JSON parameter, to run alone or as a part of a larger statement. */
export interface RowsInsert {
  /** The statement; its rows come from the parameter `$n` it was built for. */
  sql: string;
  /** The value of that parameter: the rows as a JSON array. */
  value: string;
}

/**
 * Builds the insert of `rows` of an entity as one statement with one parameter (`$param`): the rows as a JSON
 * array, expanded by PostgreSQL's `jsonb_to_recordset` and inserted in the array's order (a serial column numbers
 * them in that order). `where` is a condition on the whole insert (in a data-modifying `WITH`, for example
 * "only if the row before it was inserted"); `tail` follows the `SELECT` (`ON CONFLICT …`, `RETURNING …`).
 * Every row must set the same properties (those of the first row); a column the rows leave out gets its
 * database default. Null for no rows.
 */
export function rowsInsert<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: readonly Partial<T>[],
  param = 1,
  clauses: { where?: string; tail?: string } = {},
): RowsInsert | null {
  if (rows.length === 0) {
    return null;
  }
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const first = rows[0]!;
  const columns = metadata.columns.filter((c) => first[c.propertyName as keyof T] !== undefined);
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const column of columns) {
      const value: unknown = row[column.propertyName as keyof T];
      record[column.databaseName] = value instanceof Date ? value.toISOString() : value;
    }
    return record;
  });
  const names = columns.map((c) => driver.escape(c.databaseName));
  // With its length: a bare "character" is character(1), and a 64-character hash would not fit.
  const types = columns.map(
    (c) =>
      `${driver.escape(c.databaseName)} ${driver.normalizeType(c)}${c.length ? `(${c.length})` : ''}${c.isArray ? '[]' : ''}`,
  );
  const table = metadata.schema
    ? `${driver.escape(metadata.schema)}.${driver.escape(metadata.tableName)}`
    : driver.escape(metadata.tableName);
  return {
    sql: `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${names.join(', ')}
     FROM ROWS FROM (jsonb_to_recordset($${param}::jsonb) AS (${types.join(', ')})) WITH ORDINALITY AS r(${names.join(', ')}, "ordinality")${clauses.where ? `\n     WHERE ${clauses.where}` : ''}
     ORDER BY "ordinality"${clauses.tail ? `\n     ${clauses.tail}` : ''}`,
    value: JSON.stringify(records),
  };
}

/**
 * Inserts `rows` of an entity in one statement with one parameter (see `rowsInsert`). For the hot paths that
 * write many rows at once — a batch of outbox events, a fan-out's notifications — where TypeORM's `insert()`
 * builds a parameter per value and reads generated columns back, which cost a trigger 10–25 ms of its 20–50 ms.
 * Nothing is read back.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: readonly Partial<T>[],
): Promise<void> {
  const insert = rowsInsert(manager, entity, rows);
  if (insert) {
    await manager.query(insert.sql, [insert.value]);
  }
}

/**
 * The `WITH` clause that runs each of `inserts` as a data-modifying part of one statement (PostgreSQL runs every
 * such part, whether the main statement reads it or not); the caller adds the main statement.
 */
export function withInserts(inserts: readonly RowsInsert[]): string {
  return `WITH ${inserts.map((insert, i) => `"rows${i}" AS (${insert.sql})`).join(',\n')}`;
}

/**
 * Inserts the rows of several entities in one statement (a data-modifying `WITH`, one parameter per entity; see
 * `rowsInsert`), where one `insertRows` each would make a round trip each. Foreign keys between them hold: they are
 * checked at the end of the statement. Entities without rows are left out.
 */
export async function insertAll(
  manager: EntityManager,
  parts: readonly { entity: EntityTarget<ObjectLiteral>; rows: readonly ObjectLiteral[] }[],
): Promise<void> {
  const inserts: RowsInsert[] = [];
  for (const { entity, rows } of parts) {
    const insert = rowsInsert(manager, entity, rows, inserts.length + 1);
    if (insert) {
      inserts.push(insert);
    }
  }
  if (inserts.length === 0) {
    return;
  }
  const sql = inserts.length === 1 ? inserts[0]!.sql : `${withInserts(inserts)}\nSELECT 1`;
  await manager.query(
    sql,
    inserts.map((insert) => insert.value),
  );
}
