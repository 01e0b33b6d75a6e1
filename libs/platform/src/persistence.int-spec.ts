import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createPool, testDatabaseUrl } from '../../../test/support/database.js';
import { openWarmConnections, WARM_CONNECTIONS } from './persistence.js';

/**
 * An app's pool against real PostgreSQL: after a quiet spell it still holds its warm connections, so the first
 * trigger in weeks does not wait for new backends in every app.
 */
describe('the connection pool of an app', () => {
  const applicationName = `crisisklaar-test-pool-${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let observer: pg.Client;

  const backends = async (): Promise<number> => {
    const { rows } = await observer.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return rows[0]!.n;
  };

  beforeAll(async () => {
    observer = new pg.Client({ connectionString: testDatabaseUrl() });
    await observer.connect();
    dataSource = await createPool(applicationName, { poolSize: 8, idleTimeoutMs: 300 });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await observer?.end();
  });

  it('opens its warm connections at start-up and keeps them through a quiet spell, closing only the rest', async () => {
    await openWarmConnections(dataSource);
    expect(await backends()).toBe(WARM_CONNECTIONS);

    // A burst needs the whole pool …
    await Promise.all(Array.from({ length: 8 }, () => dataSource.query('SELECT pg_sleep(0.1)')));
    expect(await backends()).toBe(8);

    // … and after the quiet spell (here 0.3 s, 10 s in the apps) the warm ones are still there.
    await sleep(1_000);
    expect(await backends()).toBe(WARM_CONNECTIONS);
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
