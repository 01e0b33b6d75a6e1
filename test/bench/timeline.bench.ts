import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
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
import { taskAssignedEvent, TEST_META } from '../support/events.js';
import { machine, msSince, percentile, report } from './support/stats.js';

const BENCH_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crisisklaar_bench';
const SCHEMA = `bench_timeline_${Date.now()}`;
const SCENARIO = '5 timeline';

/**
 * Scenario 5: the timeline's ingest rate (the consumer's path: one event, one transaction), a query and CSV
 * export of an incident with 10,000 entries, and verifying a chain of 100,000 entries — each against a raw
 * PostgreSQL baseline measured in the same run.
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
  async function chainOf(count: number): Promise<string> {
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
      await dataSource.createQueryBuilder().insert().into(TimelineEntryEntity).values(rows).execute();
    }
    await dataSource.getRepository(ChainHeadEntity).insert({ incidentId, lastSeq: count, lastHash: prev });
    return incidentId;
  }

  it('ingests events one transaction each, as its consumer does', async () => {
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
      figure: 'ingest rate (events/s, sequential, hash-chained)',
      value: perSecond,
      unit: 'events/s',
      baseline: { what: 'raw INSERT+COMMIT per row', value: rawPerSecond },
    });
  }, 600_000);

  it('lists and exports an incident of 10,000 entries', async () => {
    const incidentId = await chainOf(10_000);
    const full: number[] = [];
    const page: number[] = [];
    const csv: number[] = [];
    const rawFull: number[] = [];
    for (let run = 0; run < 20; run += 1) {
      let started = process.hrtime.bigint();
      const entries = [];
      for (let after = 0; after < 10_000; after += 1000) {
        entries.push(...(await timeline.list(incidentId, after, 1000)));
      }
      full.push(msSince(started));
      started = process.hrtime.bigint();
      await timeline.list(incidentId, 5000, 100);
      page.push(msSince(started));
      started = process.hrtime.bigint();
      toCsv(entries);
      csv.push(msSince(started));
      started = process.hrtime.bigint();
      await raw.query(`SELECT * FROM "${SCHEMA}"."entry" WHERE incident_id = $1 ORDER BY seq`, [incidentId]);
      rawFull.push(msSince(started));
    }
    const rawP99 = percentile(rawFull, 99);
    report({
      scenario: SCENARIO,
      figure: 'query of all 10,000 entries p99',
      value: percentile(full, 99),
      unit: 'ms',
      baseline: { what: 'raw SELECT of the 10,000 rows p99', value: rawP99 },
      target: { value: 50, lowerIsBetter: true },
    });
    report({
      scenario: SCENARIO,
      figure: 'query of one page (100 entries) p99',
      value: percentile(page, 99),
      unit: 'ms',
      baseline: { what: 'raw SELECT of the 10,000 rows p99', value: rawP99 },
    });
    report({
      scenario: SCENARIO,
      figure: 'CSV export of 10,000 entries p99 (rendering)',
      value: percentile(csv, 99),
      unit: 'ms',
      baseline: { what: 'raw SELECT of the 10,000 rows p99', value: rawP99 },
    });
  }, 600_000);

  it('verifies a chain of 100,000 entries', async () => {
    const incidentId = await chainOf(100_000);
    const runs: number[] = [];
    const rawRuns: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      let started = process.hrtime.bigint();
      const outcome = await timeline.verify(incidentId);
      runs.push(msSince(started));
      if (!outcome.valid || outcome.entries !== 100_000) {
        throw new Error(`verify: ${JSON.stringify(outcome)}`);
      }
      started = process.hrtime.bigint();
      await raw.query(`SELECT * FROM "${SCHEMA}"."entry" WHERE incident_id = $1 ORDER BY seq`, [incidentId]);
      rawRuns.push(msSince(started));
    }
    report({
      scenario: SCENARIO,
      figure: 'verification of 100,000 entries (best of 3)',
      value: Math.min(...runs),
      unit: 'ms',
      baseline: { what: 'raw SELECT of the 100,000 rows (best of 3)', value: Math.min(...rawRuns) },
      target: { value: 1000, lowerIsBetter: true },
    });
  }, 900_000);
});
