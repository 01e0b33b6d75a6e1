import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { buildEvent, EventSubject, type EventEnvelope } from '#lib/contracts';
import { OutboxEntity, type OutboxRelayService } from '#lib/messaging';
import { taskAssignedEvent, TEST_META } from '../../../../test/support/events.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { CreateTimeline1764288000000 } from '../database/migrations/1764288000000-CreateTimeline.js';
import { TimelineWriterRole1764374400000 } from '../database/migrations/1764374400000-TimelineWriterRole.js';
import { AddAftercare1764475200000 } from '../database/migrations/1764475200000-AddAftercare.js';
import { ErasableText1764489600000 } from '../database/migrations/1764489600000-ErasableText.js';
import { ChainHeadEntity, EntryTextEntity, TimelineEntryEntity } from '../entry/timeline-entry.entity.js';
import { TimelineService } from '../entry/timeline.service.js';
import { AftercareItemEntity } from './aftercare-item.entity.js';
import { AftercareService } from './aftercare.service.js';

/** Aftercare against the real PostgreSQL: the schedule made once, its states, and due items told once. */
describe(AftercareService.name, () => {
  const schema = uniqueSchema('aftercare');
  let dataSource: DataSource;
  let timeline: TimelineService;
  let aftercare: AftercareService;
  let nudges = 0;

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [TimelineEntryEntity, ChainHeadEntity, EntryTextEntity, AftercareItemEntity, OutboxEntity],
      [
        CreateTimeline1764288000000,
        TimelineWriterRole1764374400000,
        AddAftercare1764475200000,
        ErasableText1764489600000,
      ],
    );
    timeline = new TimelineService(dataSource);
    // The relay itself is tested in libs/messaging; here only whether it is asked to publish.
    const relay = { nudge: () => (nudges += 1) } as unknown as OutboxRelayService;
    aftercare = new AftercareService(dataSource, timeline, relay);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  const activated = (calamityType: string, occurredAt: string) => ({
    ...buildEvent(
      EventSubject.IncidentActivated,
      { ...TEST_META, incidentId: randomUUID(), correlationId: randomUUID() },
      { calamityType, summary: 'x', status: 'active', taskCount: 1, catalogVersion: '1' },
    ),
    occurredAt,
  });

  const start = async (calamityType: string, occurredAt = new Date().toISOString()) => {
    const event = activated(calamityType, occurredAt);
    await timeline.append(event);
    await aftercare.scheduleFor(event);
    return event;
  };

  it('makes the schedule once from the trigger, dated from it', async () => {
    const event = await start('suicide', '2026-03-02T08:00:00.000Z');
    expect(await aftercare.scheduleFor(event)).toBe(0); // a redelivered trigger adds nothing
    const items = await aftercare.list(event.incidentId);
    expect(items).toHaveLength(12); // weeks 1 and 6, commemoration, anniversary, eight quarters for peers
    expect(items[0]).toMatchObject({ key: 'check-in-week-1', dueAt: '2026-03-09T08:00:00.000Z', state: 'scheduled' });
    expect(items.every((i) => i.ownerId === null && i.subject === null)).toBe(true);
  });

  it('follows an item scheduled → checked → referred → closed, refusing a skipped step, and writes each change on the timeline', async () => {
    const event = await start('death-of-pupil');
    const [item] = await aftercare.list(event.incidentId);
    const actorId = randomUUID();
    const change = (fields: { state?: string; referredTo?: string; note?: string }) =>
      aftercare.change({ itemId: item!.id, actorId, correlationId: 'c', ...fields });
    await expect(change({ state: 'fine' })).rejects.toBeInstanceOf(RpcException);
    expect((await change({ state: 'checked', note: 'Klas 7B gesproken' })).state).toBe('checked');
    await expect(change({ state: 'referred' })).rejects.toThrow(/referredTo/);
    expect(await change({ state: 'referred', referredTo: 'ggd' })).toMatchObject({
      state: 'referred',
      referredTo: 'ggd',
    });
    expect((await change({ state: 'closed' })).state).toBe('closed');
    const entries = (await timeline.list(event.incidentId)).filter((e) => e.type === 'aftercare.item-changed');
    expect(entries.map((e) => [e.data.from, e.data.state])).toEqual([
      ['scheduled', 'checked'],
      ['checked', 'referred'],
      ['referred', 'closed'],
    ]);
    expect(await timeline.verify(event.incidentId)).toMatchObject({ valid: true });
  });

  it('tells the care coordinator of a due item once, through the outbox, and never the care reference', async () => {
    const event = await start('death-of-pupil', new Date(Date.now() - 8 * 24 * 3_600_000).toISOString());
    const coordinator = randomUUID();
    await timeline.append(
      taskAssignedEvent(
        { taskId: randomUUID(), role: 'care-coordinator', assigneeId: coordinator },
        { incidentId: event.incidentId },
      ),
    );
    const added = await aftercare.add({
      itemId: randomUUID(),
      incidentId: event.incidentId,
      kind: 'check-in',
      title: { nl: 'Gesprek met de broer', en: 'Talk with the brother' },
      subject: 'leerling L-2026-113',
      dueAt: new Date(Date.now() - 60_000).toISOString(),
      actorId: randomUUID(),
      correlationId: 'c',
    });
    const before = nudges;
    expect(await aftercare.runDue()).toBeGreaterThanOrEqual(2); // week 1 of the schedule, and the added item
    expect(await aftercare.runDue()).toBe(0);
    expect(nudges).toBe(before + 1);
    const due = (await dataSource.getRepository(OutboxEntity).find())
      .map((row) => row.envelope as EventEnvelope<typeof EventSubject.AftercareDue>)
      .filter((e) => e.incidentId === event.incidentId);
    expect(due.map((e) => e.payload.ownerId)).toEqual(due.map(() => coordinator));
    expect(due.some((e) => e.payload.itemId === added.id)).toBe(true);
    expect(JSON.stringify(due)).not.toContain('L-2026-113');
    expect((await aftercare.get(added.id))!.notifiedAt).not.toBeNull();
  });
});
