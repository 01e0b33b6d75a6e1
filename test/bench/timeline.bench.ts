import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { lastValueFrom, timeout } from 'rxjs';
import { DataSource } from 'typeorm';
import { RpcPattern, type RpcRequest, type RpcResponse } from '#lib/contracts';
import { ensureDatabase, migrate, postgresOptions } from '#lib/platform';
import { toCsv } from '../../apps/gateway/src/incident/timeline-csv.js';
import { CreateTimeline1764288000000 } from '../../apps/timeline/src/database/migrations/1764288000000-CreateTimeline.js';
import { TimelineWriterRole1764374400000 } from '../../apps/timeline/src/database/migrations/1764374400000-TimelineWriterRole.js';
import { AddAftercare1764475200000 } from '../../apps/timeline/src/database/migrations/1764475200000-AddAftercare.js';
import { ErasableText1764489600000 } from '../../apps/timeline/src/database/migrations/1764489600000-ErasableText.js';
import { chainHash, GENESIS_HASH } from '../../apps/timeline/src/entry/hash-chain.js';
import {
  ChainHeadEntity,
  EntryTextEntity,
  RetentionPolicyEntity,
  TimelineEntryEntity,
} from '../../apps/timeline/src/entry/timeline-entry.entity.js';
import { TimelineService } from '../../apps/timeline/src/entry/timeline.service.js';
import { TIMELINE_BATCH, TIMELINE_SCHEMA } from '../../apps/timeline/src/timeline.module.js';
import { System } from '../e2e/support/system.js';
import { taskAssignedEvent, TEST_META } from '../support/events.js';
import { machine, msSince, percentile, report } from './support/stats.js';

const BENCH_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crisisklaar_bench';
const SCHEMA = `bench_timeline_${Date.now()}`;
const SCENARIO = '5 timeline';

/**
 * Times a raw read of one incident's rows `runs` times in a plain Node process (node-postgres, as the apps read),
 * so that the baseline pays what an app's process pays, not what this jest process pays.
 */
async function readInPlainNode(databaseUrl: string, sql: string, incidentId: string, runs: number): Promise<number[]> {
  const script = `
    import pg from 'pg';
    const client = new pg.Client({ connectionString: process.env.BENCH_DB });
    await client.connect();
    const times = [];
    for (let run = 0; run < Number(process.env.BENCH_RUNS); run += 1) {
      const started = process.hrtime.bigint();
      await client.query(process.env.BENCH_SQL, [process.env.BENCH_INCIDENT]);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await client.end();
    process.stdout.write(JSON.stringify(times));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      BENCH_DB: databaseUrl,
      BENCH_SQL: sql,
      BENCH_INCIDENT: incidentId,
      BENCH_RUNS: String(runs),
    },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as number[];
}

/**
 * Asks the timeline app for all 10,000 entries of an incident (10 pages of 1,000) and for one page of 100, `runs`
 * times, from a plain Node process with the RPC client the gateway uses (Nest's NATS client proxy): what the
 * gateway's process pays, not what this jest process pays to parse 6.5 MB of JSON.
 */
async function listInPlainNode(
  natsUrl: string,
  incidentId: string,
  runs: number,
): Promise<{ full: number[]; page: number[] }> {
  const script = `
    import { Logger } from '@nestjs/common';
    import { ClientProxyFactory, Transport } from '@nestjs/microservices';
    import { lastValueFrom } from 'rxjs';
    Logger.overrideLogger(false);
    const rpc = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [process.env.BENCH_NATS] } });
    await rpc.connect();
    const list = (afterSeq, limit) =>
      lastValueFrom(rpc.send(process.env.BENCH_PATTERN, { incidentId: process.env.BENCH_INCIDENT, afterSeq, limit }));
    const full = [];
    const page = [];
    for (let run = 0; run < Number(process.env.BENCH_RUNS); run += 1) {
      let started = process.hrtime.bigint();
      let entries = 0;
      for (let after = 0; after < 10000; after += 1000) {
        entries += (await list(after, 1000)).length;
      }
      full.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (entries !== 10000) {
        throw new Error('listed ' + entries + ' entries');
      }
      started = process.hrtime.bigint();
      await list(5000, 100);
      page.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    await rpc.close();
    process.stdout.write(JSON.stringify({ full, page }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      BENCH_NATS: natsUrl,
      BENCH_PATTERN: RpcPattern.ListTimeline,
      BENCH_INCIDENT: incidentId,
      BENCH_RUNS: String(runs),
    },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as { full: number[]; page: number[] };
}

/**
 * Scenario 5: the timeline's ingest rate (one event per transaction, and the consumer's batches, in this process), a
 * query and CSV export of an incident with 10,000 entries, and verifying a chain of 100,000 entries (asked of the
 * timeline app, as the gateway asks) — each against a raw PostgreSQL baseline measured in the same run.
 */
describe('bench: timeline', () => {
  let dataSource: DataSource;
  let timeline: TimelineService;
  let raw: pg.Client;

  beforeAll(async () => {
    process.stdout.write(`[bench] machine: ${machine()}\n`);
    await ensureDatabase(BENCH_DB);
    dataSource = new DataSource(
      postgresOptions({
        url: BENCH_DB,
        schema: SCHEMA,
        entities: [TimelineEntryEntity, ChainHeadEntity, EntryTextEntity, RetentionPolicyEntity],
        migrations: [
          CreateTimeline1764288000000,
          TimelineWriterRole1764374400000,
          AddAftercare1764475200000,
          ErasableText1764489600000,
        ],
        applicationName: 'crisisklaar-bench',
      }),
    );
    await dataSource.initialize();
    await migrate(dataSource, SCHEMA);
    timeline = new TimelineService(dataSource);
    raw = new pg.Client({ connectionString: BENCH_DB });
    await raw.connect();
    await raw.query(`CREATE TABLE "${SCHEMA}"."raw_row" (id uuid PRIMARY KEY, incident_id uuid, data jsonb)`);
  }, 120_000);

  afterAll(async () => {
    await raw?.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await raw?.end();
    await dataSource?.destroy();
  });

  /** Writes a valid chain of `count` entries for one incident directly (setup only; what is measured is reading). */
  async function chainOf(into: DataSource, count: number): Promise<string> {
    const incidentId = randomUUID();
    let prev = GENESIS_HASH;
    for (let start = 1; start <= count; start += 2000) {
      const rows = [];
      for (let seq = start; seq < Math.min(start + 2000, count + 1); seq += 1) {
        const content = {
          incidentId,
          seq,
          eventId: randomUUID(),
          type: 'crisis.task.acknowledged.v1',
          occurredAt: new Date(1_780_000_000_000 + seq * 1000).toISOString(),
          recordedAt: new Date(1_780_000_000_000 + seq * 1000).toISOString(),
          actor: TEST_META.boardId,
          drill: false,
          data: { taskId: randomUUID(), role: 'leader', assigneeId: TEST_META.boardId },
          hashVersion: 2 as const,
          textDigest: null,
        };
        const hash = chainHash(prev, content);
        rows.push({
          id: randomUUID(),
          ...content,
          schoolId: TEST_META.schoolId,
          boardId: TEST_META.boardId,
          correlationId: 'bench',
          prevHash: prev,
          hash,
        });
        prev = hash;
      }
      await into.createQueryBuilder().insert().into(TimelineEntryEntity).values(rows).execute();
    }
    await into.getRepository(ChainHeadEntity).insert({ incidentId, lastSeq: count, lastHash: prev });
    return incidentId;
  }

  it('ingests events one transaction each, and in batches as its consumer takes a burst', async () => {
    const incidents = Array.from({ length: 20 }, () => randomUUID());
    const events = Array.from({ length: 2000 }, (_, i) =>
      taskAssignedEvent({ taskId: randomUUID() }, { incidentId: incidents[i % incidents.length]! }),
    );
    const started = process.hrtime.bigint();
    for (const event of events) {
      await timeline.append(event);
    }
    const perSecond = events.length / (msSince(started) / 1000);
    const rawStarted = process.hrtime.bigint();
    for (const event of events) {
      await raw.query('BEGIN');
      await raw.query(`INSERT INTO "${SCHEMA}"."raw_row" VALUES ($1, $2, $3)`, [
        event.id,
        event.incidentId,
        JSON.stringify(event.payload),
      ]);
      await raw.query('COMMIT');
    }
    const rawPerSecond = events.length / (msSince(rawStarted) / 1000);
    report({
      scenario: SCENARIO,
      figure: 'ingest rate (events/s, one at a time, hash-chained: an event that arrives alone)',
      value: perSecond,
      unit: 'events/s',
      baseline: { what: 'raw INSERT+COMMIT per row', value: rawPerSecond },
    });
    // A burst, as the consumer takes it: what waits, up to its batch size, in one transaction (appendMany).
    const burst = Array.from({ length: 2000 }, (_, i) =>
      taskAssignedEvent({ taskId: randomUUID() }, { incidentId: incidents[i % incidents.length]! }),
    );
    const batchStarted = process.hrtime.bigint();
    for (let at = 0; at < burst.length; at += TIMELINE_BATCH) {
      await timeline.appendMany(burst.slice(at, at + TIMELINE_BATCH));
    }
    report({
      scenario: SCENARIO,
      figure: `ingest rate (events/s, in batches of ${TIMELINE_BATCH}, hash-chained: a burst, as the consumer takes it)`,
      value: burst.length / (msSince(batchStarted) / 1000),
      unit: 'events/s',
      baseline: { what: 'raw INSERT+COMMIT per row', value: rawPerSecond },
    });
  }, 600_000);

  /**
   * Query and verification as the apps do them: the gateway's RPC client asks the timeline app (its own
   * process, over NATS) for pages and for the verification. The raw read they are compared with runs in a plain
   * Node process too, not in this jest process (jest's module sandbox reads the same rows 1.4–1.7× slower).
   */
  describe('in the timeline app', () => {
    let system: System;
    let rpc: ClientProxy;
    let systemData: DataSource;

    beforeAll(async () => {
      system = await System.start({ LOG_LEVEL: 'warn' });
      rpc = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [system.nats.url] } });
      await rpc.connect();
      systemData = new DataSource(
        postgresOptions({
          url: system.databaseUrl,
          schema: TIMELINE_SCHEMA,
          entities: [TimelineEntryEntity, ChainHeadEntity, EntryTextEntity, RetentionPolicyEntity],
          migrations: [], // the timeline app migrated its schema when it started
          applicationName: 'crisisklaar-bench',
        }),
      );
      await systemData.initialize();
    }, 180_000);

    afterAll(async () => {
      await rpc?.close();
      await systemData?.destroy();
      await system?.stop();
    }, 60_000);

    const call = <P extends RpcPattern>(pattern: P, request: RpcRequest<P>): Promise<RpcResponse<P>> =>
      lastValueFrom(rpc.send<RpcResponse<P>, RpcRequest<P>>(pattern, request).pipe(timeout(120_000)));

    const rawSelect = `SELECT * FROM "${TIMELINE_SCHEMA}"."entry" WHERE incident_id = $1 ORDER BY seq`;

    it('lists and exports an incident of 10,000 entries', async () => {
      const incidentId = await chainOf(systemData, 10_000);
      const inJest: number[] = [];
      const csv: number[] = [];
      for (let run = 0; run < 20; run += 1) {
        let started = process.hrtime.bigint();
        const entries = [];
        for (let after = 0; after < 10_000; after += 1000) {
          entries.push(...(await call(RpcPattern.ListTimeline, { incidentId, afterSeq: after, limit: 1000 })));
        }
        inJest.push(msSince(started));
        if (entries.length !== 10_000) {
          throw new Error(`listed ${entries.length} entries`);
        }
        started = process.hrtime.bigint();
        toCsv(entries);
        csv.push(msSince(started));
      }
      const asked = await listInPlainNode(system.nats.url, incidentId, 20);
      const rawP99 = percentile(await readInPlainNode(system.databaseUrl, rawSelect, incidentId, 20), 99);
      const baseline = { what: 'raw SELECT of the 10,000 rows p99, in a plain Node process', value: rawP99 };
      report({
        scenario: SCENARIO,
        figure:
          'query of all 10,000 entries p99 (the timeline app over NATS, 10 pages of 1,000, asked from a plain Node process as the gateway asks)',
        value: percentile(asked.full, 99),
        unit: 'ms',
        baseline,
        target: { value: 50, lowerIsBetter: true },
      });
      report({
        scenario: SCENARIO,
        figure: 'query of one page (100 entries) p99 (the timeline app over NATS, from a plain Node process)',
        value: percentile(asked.page, 99),
        unit: 'ms',
        baseline,
      });
      report({
        scenario: SCENARIO,
        figure: 'query of all 10,000 entries p99 (the same, asked from this jest process)',
        value: percentile(inJest, 99),
        unit: 'ms',
        baseline,
      });
      report({
        scenario: SCENARIO,
        figure: 'CSV export of 10,000 entries p99 (rendering, in this process)',
        value: percentile(csv, 99),
        unit: 'ms',
        baseline,
      });
    }, 600_000);

    it('verifies a chain of 100,000 entries', async () => {
      const incidentId = await chainOf(systemData, 100_000);
      const runs: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const started = process.hrtime.bigint();
        const outcome = await call(RpcPattern.VerifyTimeline, { incidentId });
        runs.push(msSince(started));
        if (!outcome.valid || outcome.entries !== 100_000) {
          throw new Error(`verify: ${JSON.stringify(outcome)}`);
        }
      }
      const rawRuns = await readInPlainNode(system.databaseUrl, rawSelect, incidentId, 3);
      report({
        scenario: SCENARIO,
        figure: 'verification of 100,000 entries (best of 3; the timeline app over NATS)',
        value: Math.min(...runs),
        unit: 'ms',
        baseline: {
          what: 'raw SELECT of the 100,000 rows (best of 3), in a plain Node process',
          value: Math.min(...rawRuns),
        },
        target: { value: 1000, lowerIsBetter: true },
      });
    }, 900_000);
  });
});
