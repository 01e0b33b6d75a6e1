import { type DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { PreparingClient } from './prepared.js';

export interface PostgresOptions {
  url: string;
  /** The app's own schema: apps never share tables. */
  schema: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
  applicationName: string;
  poolSize?: number;
  /** How long a connection above {@link WARM_CONNECTIONS} may stay idle before it closes (ms; tests shorten it). */
  idleTimeoutMs?: number;
}

/**
 * Connections each app keeps open while nothing happens. node-postgres closes every idle connection after 10 s,
 * so the first trigger after a quiet spell (the usual case: a school waits weeks for its calamity) had to open
 * new connections in each app while its 34 assignments arrived at once, and each new backend read its table
 * definitions again. From the trigger's commit to the leader's notification recorded, after 15 s of quiet: 43–48 ms
 * before, 33–34 ms with four connections kept (p50, BENCHMARKS.md, 2026-12-03 evening).
 */
export const WARM_CONNECTIONS = 4;

export function postgresOptions(options: PostgresOptions): DataSourceOptions {
  const poolSize = options.poolSize ?? 10;
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    applicationName: options.applicationName,
    poolSize,
    extra: {
      connectionTimeoutMillis: 5_000,
      min: Math.min(WARM_CONNECTIONS, poolSize),
      idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
      // Runs the hot statements marked with `prepared` as named prepared statements (prepared.ts).
      Client: PreparingClient,
    },
  };
}

/**
 * Opens the {@link WARM_CONNECTIONS} at start-up, so that they are there for the first trigger even when
 * start-up itself needed fewer (the pool keeps what it opened, but opens only on demand).
 */
export async function openWarmConnections(dataSource: DataSource): Promise<void> {
  const count = Math.min(WARM_CONNECTIONS, (dataSource.options as { poolSize?: number }).poolSize ?? WARM_CONNECTIONS);
  const runners = Array.from({ length: count }, () => dataSource.createQueryRunner());
  try {
    await Promise.all(runners.map((runner) => runner.query('SELECT 1')));
  } finally {
    await Promise.all(runners.map((runner) => runner.release()));
  }
}

/**
 * Creates the app's schema and runs its pending migrations, under an advisory lock so that two instances
 * starting at once do not both migrate.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`crisisklaar-migrate-${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`crisisklaar-migrate-${schema}`])
      .catch(() => undefined);
    await runner.release();
  }
}

/** PostgreSQL's unique_violation (23505), e.g. a second trigger with the same idempotency key. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.code ?? e.driverError?.code;
  const name = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

/** Creates the database of `url` when it does not exist yet (first run on a fresh machine). */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[\w-]+$/.test(name)) {
    throw new Error(`DATABASE_URL names a database "${name}" that is not a plain name`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) {
      return 'exists';
    }
    await client.query(`CREATE DATABASE "${name}"`);
    return 'created';
  } finally {
    await client.end();
  }
}

/**
 * The schema a migration runs in: the DataSource's `schema` (each app's own; tests use a throwaway one).
 * Migrations write `"${schema}".table` with it rather than a fixed name.
 */
export function schemaOf(runner: { connection: { options: object } }): string {
  const schema = (runner.connection.options as { schema?: string }).schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`schema name "${schema}" is not a plain lower-case name`);
  }
  return schema;
}
