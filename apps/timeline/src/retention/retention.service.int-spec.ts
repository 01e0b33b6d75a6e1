import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { buildEvent, EventSubject } from '#lib/contracts';
import { TEST_META } from '../../../../test/support/events.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { CreateTimeline1764288000000 } from '../database/migrations/1764288000000-CreateTimeline.js';
import { TimelineWriterRole1764374400000 } from '../database/migrations/1764374400000-TimelineWriterRole.js';
import { AddAftercare1764475200000 } from '../database/migrations/1764475200000-AddAftercare.js';
import { ErasableText1764489600000 } from '../database/migrations/1764489600000-ErasableText.js';
import { AftercareItemEntity } from '../aftercare/aftercare-item.entity.js';
import {
  ChainHeadEntity,
  EntryTextEntity,
  RetentionPolicyEntity,
  TimelineEntryEntity,
} from '../entry/timeline-entry.entity.js';
import { TimelineService } from '../entry/timeline.service.js';
import { RetentionService } from './retention.service.js';

/** Erasing an incident's personal texts after the retention period, against the real PostgreSQL. */
describe(RetentionService.name, () => {
  const schema = uniqueSchema('retention');
  let dataSource: DataSource;
  let timeline: TimelineService;
  let retention: RetentionService;

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [TimelineEntryEntity, ChainHeadEntity, EntryTextEntity, RetentionPolicyEntity, AftercareItemEntity],
      [
        CreateTimeline1764288000000,
        TimelineWriterRole1764374400000,
        AddAftercare1764475200000,
        ErasableText1764489600000,
      ],
    );
    timeline = new TimelineService(dataSource);
    retention = new RetentionService(dataSource, timeline);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  /** An incident with a summary and a log entry (personal texts), closed `endedDaysAgo` days ago. */
  const incident = async (endedDaysAgo: number | null) => {
    const boardId = randomUUID();
    const meta = { ...TEST_META, boardId, incidentId: randomUUID(), correlationId: randomUUID() };
    await timeline.append(
      buildEvent(EventSubject.IncidentActivated, meta, {
        calamityType: 'death-of-pupil',
        summary: 'Sanne de Vries (groep 7) is overleden',
        status: 'active',
        taskCount: 0,
        catalogVersion: '1',
      }),
    );
    await timeline.addLogEntry({
      incidentId: meta.incidentId,
      schoolId: meta.schoolId,
      boardId,
      drill: false,
      entryId: randomUUID(),
      authorId: randomUUID(),
      text: 'Moeder van Sanne gebeld om 14:05',
      category: 'contact',
      occurredAt: new Date().toISOString(),
      correlationId: 'c',
    });
    if (endedDaysAgo !== null) {
      await timeline.append({
        ...buildEvent(EventSubject.IncidentClosed, meta, { early: false }),
        occurredAt: new Date(Date.now() - endedDaysAgo * 24 * 3_600_000).toISOString(),
      });
    }
    return meta;
  };

  it('keeps the texts until the board’s retention period has passed, and refuses while the incident runs', async () => {
    const running = await incident(null);
    await expect(retention.erase(running.incidentId, randomUUID(), 'c')).rejects.toBeInstanceOf(RpcException);
    const recent = await incident(10);
    await retention.setPolicy(recent.boardId, 30, randomUUID());
    await expect(retention.erase(recent.incidentId, randomUUID(), 'c')).rejects.toThrow();
    expect(
      (await timeline.list(recent.incidentId)).some((e) => e.data.text === 'Moeder van Sanne gebeld om 14:05'),
    ).toBe(true);
  });

  it('erases the personal texts, writes the erasure on the chain, and the chain still verifies', async () => {
    const old = await incident(40);
    await retention.setPolicy(old.boardId, 30, randomUUID());
    const outcome = await retention.erase(old.incidentId, randomUUID(), 'c');
    expect(outcome.erased).toBe(2);
    const entries = await timeline.list(old.incidentId);
    const text = JSON.stringify(entries);
    expect(text).not.toContain('Sanne');
    // The written text, not the time of day: the entries' own timestamps contain 14:05 when the test runs then.
    expect(text).not.toContain('gebeld om 14:05');
    expect(entries.find((e) => e.type === 'log.entry')).toMatchObject({ erased: true, data: { category: 'contact' } });
    expect(entries.at(-1)).toMatchObject({ type: 'timeline.text-erased', data: { count: 2, basis: 'retention' } });
    expect(await timeline.verify(old.incidentId)).toMatchObject({ valid: true, firstBrokenSeq: null });
    expect(await retention.erase(old.incidentId, randomUUID(), 'c')).toEqual({ erased: 0, entrySeq: null });
  });

  it('names the entry whose text was removed without an erasure, or changed behind the app’s back', async () => {
    const meta = await incident(null);
    const log = (await timeline.list(meta.incidentId)).find((e) => e.type === 'log.entry')!;
    await expect(
      dataSource.query(
        `UPDATE "${schema}"."entry_text" SET fields = '{"text":"iets anders"}' WHERE seq = $1 AND incident_id = $2`,
        [log.seq, meta.incidentId],
      ),
    ).rejects.toThrow(/never edited/);
    await dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE "${schema}"."entry_text" DISABLE TRIGGER "entry_text_not_edited"`);
      await manager.query(
        `UPDATE "${schema}"."entry_text" SET fields = '{"text":"iets anders"}' WHERE seq = $1 AND incident_id = $2`,
        [log.seq, meta.incidentId],
      );
      await manager.query(`ALTER TABLE "${schema}"."entry_text" ENABLE TRIGGER "entry_text_not_edited"`);
    });
    expect(await timeline.verify(meta.incidentId)).toMatchObject({ valid: false, firstBrokenSeq: log.seq });

    const other = await incident(null);
    const first = (await timeline.list(other.incidentId))[0]!;
    await dataSource.query(`DELETE FROM "${schema}"."entry_text" WHERE seq = 1 AND incident_id = $1`, [
      other.incidentId,
    ]);
    expect(await timeline.verify(other.incidentId)).toMatchObject({ valid: false, firstBrokenSeq: first.seq });
  });
});
