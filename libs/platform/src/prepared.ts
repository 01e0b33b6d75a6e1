import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The most texts that run as named prepared statements. Only texts built from fixed parts (tables, columns, `$n`
 * placeholders), never from values, are marked, so the few variants of each hot statement stay far below this; a
 * caller that marked texts with values in them would stop being prepared here instead of filling every connection
 * of PostgreSQL with plans.
 */
export const MAX_PREPARED_STATEMENTS = 256;

/** The comment that marks a statement: `prepared(sql)`, or a query builder's `.comment(PREPARED)`. */
export const PREPARED = 'prepared';
const MARK = `/* ${PREPARED} */ `;

const names = new Map<string, string>();

/** The name of a marked text's prepared statement, or none when it is not marked or the cap is reached. */
function nameOf(text: string): string | undefined {
  if (!text.startsWith(MARK)) {
    return undefined;
  }
  let name = names.get(text);
  if (!name && names.size < MAX_PREPARED_STATEMENTS) {
    name = `ck_${createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Marks a statement that runs on every push, every chain start or every request, so that each connection of a
 * pool made with {@link postgresOptions} parses it once as a named prepared statement and PostgreSQL may keep its
 * plan, instead of parsing and planning it again on every call. In the region burst PostgreSQL spent 0.27 ms
 * planning the notifier's outcome statement against 0.39 ms running it, and 0.22 ms planning the push job's read
 * against 0.10 ms running it (pg_stat_statements, BENCHMARKS.md 2026-12-05). Use in place:
 * `manager.query(prepared(sql), params)`; a query builder says `.comment(PREPARED)`.
 *
 * Only for statements whose plan does not depend on their values (looked up by a key, as the marked ones are):
 * after five runs PostgreSQL may choose one generic plan for all values. The apps talk to PostgreSQL directly; a
 * pooler in transaction mode between them (PgBouncer before 1.21) would hand a named statement to a server
 * connection that never parsed it.
 */
export function prepared(sql: string): string {
  return MARK + sql;
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * node-postgres's client, which runs a statement marked with {@link prepared} as a named prepared statement
 * (parsed once per connection) and every other statement as before. TypeORM hands its statements to the client
 * as text and values, so query builders, error wrapping (`QueryFailedError`) and results stay TypeORM's.
 */
export class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as Query;
    const preparing: Query = (config, values, callback) => {
      const name = typeof config === 'string' && Array.isArray(values) ? nameOf(config) : undefined;
      return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
    };
    Object.assign(this, { query: preparing });
  }
}
