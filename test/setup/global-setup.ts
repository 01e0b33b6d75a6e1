import pg from 'pg';

// Jest loads globalSetup outside the test module registry (no `#lib/…` or `.js` → `.ts` mapping), so this file
// only imports packages. The default matches DEFAULT_TEST_DATABASE_URL in test/support/database.ts.
const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/crisisklaar_test';
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Before the integration and e2e projects: drop and recreate the test database, so every run starts empty.
 * It refuses any database whose name does not contain "test": this drops a database, and a mistyped
 * TEST_DATABASE_URL must never cost a developer their data.
 */
export default async function globalSetup(): Promise<void> {
  const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const testUrl = new URL(testDatabaseUrl);
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const name = decodeURIComponent(testUrl.pathname.replace(/^\//, ''));
  if (!name.includes('test')) {
    throw new Error(`global-setup refuses to drop database "${name}": a test database's name must contain "test"`);
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`global-setup: test database name "${name}" must be lower-case letters, digits and _`);
  }
  if (name === decodeURIComponent(new URL(adminUrl).pathname.replace(/^\//, ''))) {
    throw new Error(`global-setup: the test database "${name}" cannot be the admin database it connects to`);
  }

  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `global-setup: PostgreSQL is not reachable at ${adminUrl} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  // Workers inherit this; with --runInBand the tests read the same process.env.
  process.env.TEST_DATABASE_URL = testDatabaseUrl;
}
