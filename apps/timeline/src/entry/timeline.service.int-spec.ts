import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { buildEvent, EventSubject, type EventEnvelope } from '#lib/contracts';
import { taskAssignedEvent, TEST_META } from '../../../../test/support/events.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { CreateTimeline1764288000000 } from '../database/migrations/1764288000000-CreateTimeline.js';
import {
  TIMELINE_WRITER_ROLE,
  TimelineWriterRole1764374400000,
} from '../database/migrations/1764374400000-TimelineWriterRole.js';
import { ErasableText1764489600000 } from '../database/migrations/1764489600000-ErasableText.js';
import {
  ChainHeadEntity,
  EntryTextEntity,
  RetentionPolicyEntity,
  TimelineEntryEntity,
} from './timeline-entry.entity.js';
import { chainHash, GENESIS_HASH } from './hash-chain.js';
import { LOG_ENTRY_TYPE, TimelineService, type LogEntryInput } from './timeline.service.js';

function assigned(incidentId: string, n: number): EventEnvelope {
  return taskAssignedEvent({ taskId: randomUUID(), templateId: `t.${n}`, role: 'leader' }, { incidentId });
}

describe(TimelineService.name, () => {
  const schema = uniqueSchema('timeline');
  let dataSource: DataSource;
  let timeline: TimelineService;

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [TimelineEntryEntity, ChainHeadEntity, EntryTextEntity, RetentionPolicyEntity],
      [CreateTimeline1764288000000, TimelineWriterRole1764374400000, ErasableText1764489600000],
    );
    timeline = new TimelineService(dataSource);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('appends an event once, however often it is delivered', async () => {
    const incidentId = randomUUID();
    const event = assigned(incidentId, 1);
    expect(await timeline.append(event)).toBe('appended');
    expect(await timeline.append(event)).toBe('duplicate');
    expect(await timeline.append(event)).toBe('duplicate');
    const entries = await timeline.list(incidentId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ seq: 1, eventId: event.id, type: event.type, occurredAt: event.occurredAt });
  });

  it('keeps one gapless sequence and a valid chain when many events of one incident arrive at once', async () => {
    const incidentId = randomUUID();
    const events = Array.from({ length: 25 }, (_, i) => assigned(incidentId, i));
    const outcomes = await Promise.all([...events, ...events.slice(0, 5)].map((e) => timeline.append(e)));
    expect(outcomes.filter((o) => o === 'appended')).toHaveLength(25);
    const entries = await timeline.list(incidentId);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(entries.map((e) => e.eventId)).size).toBe(25);
    expect(await timeline.verify(incidentId)).toEqual({ valid: true, entries: 25, firstBrokenSeq: null });
  });

  it('narrows the review by role, by person and by the phase the incident was in, and pages through it', async () => {
    const incidentId = randomUUID();
    const [anna, bram] = [randomUUID(), randomUUID()];
    const meta = { ...TEST_META, incidentId, correlationId: randomUUID() };
    const at = (minutes: number) => new Date(Date.parse('2026-11-28T08:00:00Z') + minutes * 60_000).toISOString();
    const events: EventEnvelope[] = [
      {
        ...taskAssignedEvent({ taskId: randomUUID(), role: 'family-liaison', assigneeId: anna }, meta),
        occurredAt: at(1),
      },
      { ...taskAssignedEvent({ taskId: randomUUID(), role: 'logkeeper', assigneeId: bram }, meta), occurredAt: at(2) },
      {
        ...buildEvent(EventSubject.IncidentPhaseChanged, meta, {
          phase: 2,
          status: 'active',
          previousPhase: 1,
          previousStatus: 'active',
        }),
        occurredAt: at(3),
      },
      {
        ...buildEvent(
          EventSubject.TaskAcknowledged,
          { ...meta, actor: anna },
          {
            taskId: randomUUID(),
            role: 'family-liaison',
            assigneeId: anna,
          },
        ),
        occurredAt: at(4),
      },
    ];
    for (const event of events) {
      await timeline.append(event);
    }
    const seqs = (entries: { seq: number }[]) => entries.map((e) => e.seq);
    expect(seqs(await timeline.list(incidentId, 0, 100, { role: 'family-liaison' }))).toEqual([1, 4]);
    expect(seqs(await timeline.list(incidentId, 0, 100, { personId: bram }))).toEqual([2]);
    expect(seqs(await timeline.list(incidentId, 0, 100, { personId: anna }))).toEqual([1, 4]);
    expect(seqs(await timeline.list(incidentId, 0, 100, { phase: 1 }))).toEqual([1, 2]);
    expect(seqs(await timeline.list(incidentId, 0, 100, { phase: 2 }))).toEqual([3, 4]);
    expect(seqs(await timeline.list(incidentId, 0, 100, { phase: 2, role: 'family-liaison' }))).toEqual([4]);
    expect(seqs(await timeline.list(incidentId, 1, 2))).toEqual([2, 3]);
  });

  it('keeps incidents apart: each has its own chain from seq 1', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await timeline.append(assigned(a, 1));
    await timeline.append(assigned(b, 1));
    await timeline.append(assigned(a, 2));
    expect((await timeline.list(a)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await timeline.list(b)).map((e) => e.seq)).toEqual([1]);
  });

  describe('appendMany (what the consumer received together, in one transaction)', () => {
    const cancelled = (incidentId: string, reason: string): EventEnvelope =>
      buildEvent(EventSubject.IncidentCancelled, { ...TEST_META, incidentId, correlationId: randomUUID() }, { reason });

    it('appends in the order given, each incident its own chain, as one append after another would', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await timeline.append(assigned(a, 0)); // a chain a single append began
      const batch = [assigned(a, 1), assigned(b, 1), cancelled(a, 'loos alarm, Anna de Vries'), assigned(b, 2)];
      expect(await timeline.appendMany(batch)).toEqual(['appended', 'appended', 'appended', 'appended']);
      await timeline.append(assigned(a, 3)); // and a single append continues it

      const [listA, listB] = [await timeline.list(a), await timeline.list(b)];
      expect(listA.map((e) => [e.seq, e.eventId])).toEqual([
        [1, expect.any(String)],
        [2, batch[0]!.id],
        [3, batch[2]!.id],
        [4, expect.any(String)],
      ]);
      expect(listB.map((e) => [e.seq, e.eventId])).toEqual([
        [1, batch[1]!.id],
        [2, batch[3]!.id],
      ]);
      // The personal text is kept apart (erasable) and shown with its entry; the chain covers its digest.
      expect(listA[2]!.data).toMatchObject({ reason: 'loos alarm, Anna de Vries' });
      const [stored] = await dataSource.query<{ data: Record<string, unknown> }[]>(
        `SELECT data FROM "${schema}"."entry" WHERE event_id = $1`,
        [batch[2]!.id],
      );
      expect(stored!.data).not.toHaveProperty('reason');
      expect(await timeline.verify(a)).toEqual({ valid: true, entries: 4, firstBrokenSeq: null });
      expect(await timeline.verify(b)).toEqual({ valid: true, entries: 2, firstBrokenSeq: null });
    });

    it('adds nothing for an event recorded before or twice in the batch, and chains the rest without a gap', async () => {
      const incidentId = randomUUID();
      const [before, e1, e2] = [assigned(incidentId, 1), assigned(incidentId, 2), assigned(incidentId, 3)];
      await timeline.append(before);
      expect(await timeline.appendMany([before, e1, e1, e2])).toEqual([
        'duplicate',
        'appended',
        'duplicate',
        'appended',
      ]);
      expect((await timeline.list(incidentId)).map((e) => [e.seq, e.eventId])).toEqual([
        [1, before.id],
        [2, e1.id],
        [3, e2.id],
      ]);
      expect(await timeline.verify(incidentId)).toEqual({ valid: true, entries: 3, firstBrokenSeq: null });
    });

    it('keeps one gapless, valid chain when batches and single appends of one incident run at once', async () => {
      const incidentId = randomUUID();
      const events = Array.from({ length: 60 }, (_, i) => assigned(incidentId, i));
      await Promise.all([
        timeline.appendMany(events.slice(0, 20)),
        ...events.slice(20, 30).map((e) => timeline.append(e)),
        timeline.appendMany(events.slice(30, 60)),
        timeline.appendMany(events.slice(10, 40)), // redeliveries, racing their first delivery
      ]);
      const entries = await timeline.list(incidentId);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(new Set(entries.map((e) => e.eventId)).size).toBe(60);
      expect(await timeline.verify(incidentId)).toEqual({ valid: true, entries: 60, firstBrokenSeq: null });
    });
  });

  it('writes as a role that may add entries but not change or remove them, even with the trigger off', async () => {
    const incidentId = randomUUID();
    await timeline.append(assigned(incidentId, 1));
    // With the trigger off (inside a transaction that is rolled back), only the role's privileges stand guard.
    const attempt = dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE "${schema}"."entry" DISABLE TRIGGER "entry_append_only"`);
      await manager.query(`SET LOCAL ROLE ${TIMELINE_WRITER_ROLE}`);
      await manager.query('SAVEPOINT attempt');
      await expect(
        manager.query(`UPDATE "${schema}"."entry" SET actor = 'someone-else' WHERE incident_id = $1`, [incidentId]),
      ).rejects.toThrow(/permission denied/);
      await manager.query('ROLLBACK TO SAVEPOINT attempt');
      await expect(
        manager.query(`DELETE FROM "${schema}"."entry" WHERE incident_id = $1`, [incidentId]),
      ).rejects.toThrow(/permission denied/);
      throw new Error('roll back the trigger change');
    });
    await expect(attempt).rejects.toThrow('roll back the trigger change');
    expect((await timeline.list(incidentId))[0]!.actor).toBe('system');
  });

  it('gives its connection back clean after a write that failed: no transaction left open, not the writer role', async () => {
    const actingAs = (): Promise<unknown> => dataSource.query('SELECT current_user AS "user"');
    const before = await actingAs();
    const broken = { ...assigned(randomUUID(), 1), incidentId: 'not-a-uuid' };
    for (let i = 0; i < 3; i += 1) {
      await expect(timeline.append(broken)).rejects.toThrow(/uuid/);
    }
    // The pool hands out the connection it got back last: the one the failed writes used.
    const incidentId = randomUUID();
    expect(await timeline.append(assigned(incidentId, 1))).toBe('appended');
    expect(await actingAs()).toEqual(before);
    expect(await timeline.verify(incidentId)).toEqual({ valid: true, entries: 1, firstBrokenSeq: null });
  });

  it('refuses UPDATE and DELETE of an entry', async () => {
    const incidentId = randomUUID();
    await timeline.append(assigned(incidentId, 1));
    await expect(
      dataSource.query(`UPDATE "${schema}"."entry" SET actor = 'someone-else' WHERE incident_id = $1`, [incidentId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      dataSource.query(`DELETE FROM "${schema}"."entry" WHERE incident_id = $1`, [incidentId]),
    ).rejects.toThrow(/append-only/);
    expect((await timeline.list(incidentId))[0]!.actor).toBe('system');
  });

  it('names the first broken entry when someone with the power to bypass the guard edits the past', async () => {
    const incidentId = randomUUID();
    for (let i = 0; i < 4; i += 1) {
      await timeline.append(assigned(incidentId, i));
    }
    await dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE "${schema}"."entry" DISABLE TRIGGER "entry_append_only"`);
      await manager.query(
        `UPDATE "${schema}"."entry" SET data = jsonb_set(data, '{role}', '"spokesperson"') WHERE incident_id = $1 AND seq = 2`,
        [incidentId],
      );
      await manager.query(`ALTER TABLE "${schema}"."entry" ENABLE TRIGGER "entry_append_only"`);
    });
    expect(await timeline.verify(incidentId)).toEqual({ valid: false, entries: 4, firstBrokenSeq: 2 });
  });

  it('verifies a chain longer than one page of the reader, and names a broken entry on a later page', async () => {
    const incidentId = randomUUID();
    const count = 10_001; // more than two pages of 5,000
    let prev = GENESIS_HASH;
    const rows: unknown[][] = [];
    for (let seq = 1; seq <= count; seq += 1) {
      const content = {
        incidentId,
        seq,
        eventId: randomUUID(),
        type: 'crisis.task.acknowledged.v1',
        occurredAt: new Date(1_780_000_000_000 + seq).toISOString(),
        recordedAt: new Date(1_780_000_000_000 + seq).toISOString(),
        actor: 'system',
        drill: false,
        data: { taskId: `t${seq}` },
        hashVersion: 2 as const,
        textDigest: null,
      };
      const hash = chainHash(prev, content);
      rows.push([
        randomUUID(),
        incidentId,
        seq,
        content.eventId,
        content.occurredAt,
        JSON.stringify(content.data),
        prev,
        hash,
      ]);
      prev = hash;
    }
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await dataSource.query(
        `INSERT INTO "${schema}"."entry" (id, incident_id, seq, event_id, school_id, board_id, type, occurred_at,
           recorded_at, actor, drill, correlation_id, data, prev_hash, hash, hash_version, text_digest)
         VALUES ${part
           .map((_, r) => {
             const p = (k: number) => `$${r * 8 + k}`;
             return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, '${randomUUID()}', '${randomUUID()}',
               'crisis.task.acknowledged.v1', ${p(5)}, ${p(5)}, 'system', false, 'c', ${p(6)}::jsonb, ${p(7)}, ${p(8)}, 2, NULL)`;
           })
           .join(', ')}`,
        part.flat(),
      );
    }
    expect(await timeline.verify(incidentId)).toEqual({ valid: true, entries: count, firstBrokenSeq: null });
    await dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE "${schema}"."entry" DISABLE TRIGGER "entry_append_only"`);
      await manager.query(
        `UPDATE "${schema}"."entry" SET data = '{"taskId":"forged"}' WHERE incident_id = $1 AND seq = 7777`,
        [incidentId],
      );
      await manager.query(`ALTER TABLE "${schema}"."entry" ENABLE TRIGGER "entry_append_only"`);
    });
    expect(await timeline.verify(incidentId)).toEqual({ valid: false, entries: count, firstBrokenSeq: 7777 });
    // Entries removed across a whole page of the reader (seqs 5,000 to 10,000): the entry after the gap is named.
    await dataSource.transaction(async (manager) => {
      await manager.query(`ALTER TABLE "${schema}"."entry" DISABLE TRIGGER "entry_append_only"`);
      await manager.query(`DELETE FROM "${schema}"."entry" WHERE incident_id = $1 AND seq BETWEEN 5000 AND 10000`, [
        incidentId,
      ]);
      await manager.query(`ALTER TABLE "${schema}"."entry" ENABLE TRIGGER "entry_append_only"`);
    });
    expect(await timeline.verify(incidentId)).toEqual({
      valid: false,
      entries: count - 5001,
      firstBrokenSeq: 10_001,
    });
  });

  describe('log entries people write', () => {
    const entry = (incidentId: string, overrides: Partial<LogEntryInput> = {}): LogEntryInput => ({
      incidentId,
      schoolId: randomUUID(),
      boardId: randomUUID(),
      drill: false,
      entryId: randomUUID(),
      authorId: randomUUID(),
      text: 'Familie gebeld om 14:05',
      category: 'contact',
      occurredAt: '2026-11-28T13:05:00.000Z',
      correlationId: 'c',
      ...overrides,
    });

    it('appends an entry to the chain with the time it happened, once per entry id', async () => {
      const incidentId = randomUUID();
      await timeline.append(assigned(incidentId, 1));
      const input = entry(incidentId);
      const written = await timeline.addLogEntry(input);
      const again = await timeline.addLogEntry(input);
      expect(again).toEqual(written);
      expect(written).toMatchObject({
        seq: 2,
        type: LOG_ENTRY_TYPE,
        occurredAt: '2026-11-28T13:05:00.000Z',
        actor: input.authorId,
      });
      expect(written.data).toEqual({ text: 'Familie gebeld om 14:05', category: 'contact' });
      expect(Date.parse(written.recordedAt)).toBeGreaterThan(Date.parse(written.occurredAt));
      expect((await timeline.verify(incidentId)).valid).toBe(true);
    });

    it('corrects by a new entry that points at the old one; the old one stays as it was', async () => {
      const incidentId = randomUUID();
      const first = await timeline.addLogEntry(entry(incidentId, { text: 'Familie gebeld om 14:50' }));
      const correction = await timeline.addLogEntry(
        entry(incidentId, { text: 'Was 14:05, niet 14:50', corrects: first.seq }),
      );
      expect(correction.data).toMatchObject({ corrects: first.seq });
      expect((await timeline.list(incidentId))[0]!.data.text).toBe('Familie gebeld om 14:50');
    });

    it('refuses a correction of an entry that is missing or not a log entry, storing nothing', async () => {
      const incidentId = randomUUID();
      await timeline.append(assigned(incidentId, 1));
      for (const corrects of [1, 99]) {
        await expect(timeline.addLogEntry(entry(incidentId, { corrects }))).rejects.toBeInstanceOf(RpcException);
      }
      expect(await timeline.list(incidentId)).toHaveLength(1);
    });

    it('lists only the written log, or only some types, on request', async () => {
      const incidentId = randomUUID();
      await timeline.append(assigned(incidentId, 1));
      await timeline.addLogEntry(entry(incidentId));
      await timeline.append(assigned(incidentId, 2));
      expect((await timeline.list(incidentId, 0, 100, { manualOnly: true })).map((e) => e.seq)).toEqual([2]);
      expect(
        (await timeline.list(incidentId, 0, 100, { types: ['crisis.task.assigned.v1'] })).map((e) => e.seq),
      ).toEqual([1, 3]);
      expect((await timeline.list(incidentId, 1, 1)).map((e) => e.seq)).toEqual([2]);
    });
  });
});
