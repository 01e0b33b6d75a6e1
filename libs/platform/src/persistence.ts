import { type DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface PostgresOptions {
  url: string;
  /** The app's own schema: apps never share tables. */
  schema: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
  applicationName: string;
  poolSize?: number;
}

export function postgresOptions(options: PostgresOptions): DataSourceOptions {
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
    poolSize: options.poolSize ?? 10,
    extra: { connectionTimeoutMillis: 5_000 },
  };
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
