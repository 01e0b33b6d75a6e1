import { randomBytes } from 'node:crypto';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { migrate, postgresOptions } from '#lib/platform';

/** The database every integration and e2e test uses; global-setup drops and recreates it before a run. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/crisisklaar_test';

/**
 * The test database's URL. `TEST_DATABASE_URL` overrides it (global-setup sets it, and refuses any database
 * whose name does not contain "test").
 */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
}

/** A schema name of its own for one test file (`t_<prefix>_<random>`), so files never see each other's rows. */
export function uniqueSchema(prefix: string): string {
  return `t_${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * An initialised DataSource on `schema` in the test database, migrated the way the apps migrate
 * (`migrate` from #lib/platform creates the schema and runs `migrations`).
 */
export async function createDataSource(
  schema: string,
  entities: MixedList<string | (new () => unknown) | EntitySchema>,
  migrations: MixedList<string | (new () => unknown)>,
): Promise<DataSource> {
  const dataSource = await createPool(`crisisklaar-test-${schema}`, { poolSize: 5 }, { schema, entities, migrations });
  try {
    await migrate(dataSource, schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * An initialised pool as an app makes it (`postgresOptions`) on the test database: by default on `public`, without
 * entities or migrations.
 */
export async function createPool(
  applicationName: string,
  pool: { poolSize: number; idleTimeoutMs?: number },
  model: {
    schema: string;
    entities: MixedList<string | (new () => unknown) | EntitySchema>;
    migrations: MixedList<string | (new () => unknown)>;
  } = { schema: 'public', entities: [], migrations: [] },
): Promise<DataSource> {
  const dataSource = new DataSource(postgresOptions({ url: testDatabaseUrl(), applicationName, ...model, ...pool }));
  await dataSource.initialize();
  return dataSource;
}

/** Drops the test file's schema and closes the pool; safe to call when setup failed half-way. */
export async function dropDataSource(dataSource: DataSource | undefined, schema: string): Promise<void> {
  if (!dataSource?.isInitialized) {
    return;
  }
  try {
    await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await dataSource.destroy();
  }
}
