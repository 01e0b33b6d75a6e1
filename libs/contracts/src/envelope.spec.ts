import { describe, expect, it } from '@jest/globals';
import { buildEvent, metaCausedBy, parseEvent, SYSTEM_ACTOR, type EventEnvelope, type EventMeta } from './envelope.js';
import { schemaVersionOf } from './event-map.js';
import type { TaskAssignedPayload } from './payloads.js';
import { EventSubject } from './subjects.js';
import { uuidv7Time } from './uuidv7.js';
import { taskAssignedPayload } from '../../../test/support/events.js';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const meta: EventMeta = {
  boardId: '0190a5b2-0000-7000-8000-000000000001',
  schoolId: '0190a5b2-0000-7000-8000-000000000002',
  incidentId: '0190a5b2-0000-7000-8000-000000000003',
  actor: '0190a5b2-0000-7000-8000-000000000004',
  correlationId: 'req-7f3a9c',
  causationId: null,
  drill: false,
};

const taskAssigned = (): TaskAssignedPayload => taskAssignedPayload();

/** A consumed message: the event as it comes off the wire. */
const wire = (event: EventEnvelope): Record<string, unknown> =>
  JSON.parse(JSON.stringify(event)) as Record<string, unknown>;

function reasonOf(subject: string, data: unknown): string {
  const parsed = parseEvent(subject, data);
  if (parsed.ok) {
    throw new Error(`expected ${subject} to be rejected, but it parsed`);
  }
  return parsed.reason;
}

describe('buildEvent', () => {
  it('gives every event a fresh UUIDv7 id, increasing in the order the events were built', () => {
    const ids = Array.from({ length: 50 }, () => buildEvent(EventSubject.TaskAssigned, meta, taskAssigned()).id);
    for (const id of ids) {
      expect(id).toMatch(UUIDV7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('takes the schema version from the subject and copies meta and payload', () => {
    const payload = taskAssigned();
    const event = buildEvent(EventSubject.TaskAssigned, meta, payload);
    expect(event).toMatchObject({ ...meta, type: 'crisis.task.assigned.v1', schemaVersion: 1, payload });
    expect(event.schemaVersion).toBe(schemaVersionOf(EventSubject.TaskAssigned));
  });

  it('stamps occurredAt as ISO-8601 UTC: now by default, or the time the producer gives', () => {
    const before = Date.now();
    const now = buildEvent(EventSubject.TaskAssigned, meta, taskAssigned());
    expect(now.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(now.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(now.occurredAt)).toBeLessThanOrEqual(Date.now());
    // The id carries the time it was made too.
    expect(uuidv7Time(now.id)).toBeGreaterThanOrEqual(before);

    const given = buildEvent(
      EventSubject.TaskAssigned,
      { ...meta, occurredAt: new Date('2026-11-28T10:15:00+01:00') },
      taskAssigned(),
    );
    expect(given.occurredAt).toBe('2026-11-28T09:15:00.000Z');
  });
});

describe('metaCausedBy', () => {
  const cause = buildEvent(
    EventSubject.IncidentActivated,
    { ...meta, drill: true },
    {
      calamityType: 'death-of-pupil',
      summary: 'x',
      status: 'active',
      taskCount: 3,
      catalogVersion: '2026.11',
    },
  );

  it('chains an event to its cause: same tenant, incident, drill flag and correlation, causation = the cause id', () => {
    const effect = buildEvent(EventSubject.TaskAssigned, metaCausedBy(cause), taskAssigned());
    expect(effect).toMatchObject({
      boardId: cause.boardId,
      schoolId: cause.schoolId,
      incidentId: cause.incidentId,
      drill: true,
      correlationId: 'req-7f3a9c',
      causationId: cause.id,
      actor: SYSTEM_ACTOR,
    });
    expect(effect.id).not.toBe(cause.id);
    expect(effect.id > cause.id).toBe(true);
  });

  it('names the actor when a person caused the follow-up', () => {
    expect(metaCausedBy(cause, 'person-42').actor).toBe('person-42');
  });
});

describe('parseEvent', () => {
  const valid = (): Record<string, unknown> => wire(buildEvent(EventSubject.TaskAssigned, meta, taskAssigned()));

  it('accepts a valid event and returns it unchanged', () => {
    const data = valid();
    const parsed = parseEvent(EventSubject.TaskAssigned, data);
    expect(parsed).toEqual({ ok: true, event: data });
  });

  it('accepts an event with a causation id, and one with optional payload fields left out', () => {
    const caused = wire(buildEvent(EventSubject.TaskAssigned, { ...meta, causationId: 'evt-1' }, taskAssigned()));
    expect(parseEvent(EventSubject.TaskAssigned, caused).ok).toBe(true);
    const failed = wire(
      buildEvent(EventSubject.NotificationFailed, meta, {
        notificationId: '0190a5b2-0000-7000-8000-0000000000c1',
        taskId: '0190a5b2-0000-7000-8000-0000000000aa',
        personId: '0190a5b2-0000-7000-8000-0000000000bb',
        channel: 'push',
        attempt: 1,
        reason: 'no_push_subscription',
      }),
    );
    expect(parseEvent(EventSubject.NotificationFailed, failed).ok).toBe(true);
  });

  it('rejects an event that arrived on another subject than its type', () => {
    const reason = reasonOf(EventSubject.IncidentActivated, valid());
    expect(reason).toContain('type: crisis.task.assigned.v1 does not match the subject crisis.incident.activated.v1');
  });

  it('rejects a type that does not match the subject even when the payload would fit', () => {
    const reason = reasonOf(EventSubject.TaskAssigned, { ...valid(), type: 'crisis.task.assigned.v2' });
    expect(reason).toMatch(/^type: crisis\.task\.assigned\.v2 does not match the subject crisis\.task\.assigned\.v1$/);
  });

  it('rejects a schema version other than the subject one', () => {
    expect(reasonOf(EventSubject.TaskAssigned, { ...valid(), schemaVersion: 2 })).toContain(
      'schemaVersion: expected 1, got 2',
    );
  });

  it.each(['id', 'boardId', 'schoolId', 'incidentId', 'actor', 'correlationId', 'occurredAt', 'drill'])(
    'rejects an event without %s and names that field',
    (field) => {
      const data = valid();
      delete data[field];
      expect(reasonOf(EventSubject.TaskAssigned, data)).toMatch(new RegExp(`(^|; )${field}: `));
    },
  );

  it('rejects malformed envelope fields, naming each one', () => {
    const reason = reasonOf(EventSubject.TaskAssigned, {
      ...valid(),
      id: 'evt-1',
      occurredAt: 'yesterday',
      drill: 'no',
    });
    expect(reason).toMatch(/(^|; )id: /);
    expect(reason).toMatch(/(^|; )occurredAt: /);
    expect(reason).toMatch(/(^|; )drill: /);
  });

  it('rejects a bad payload with a reason that names the payload field', () => {
    const data = valid();
    data.payload = { ...taskAssigned(), assigneeId: 'jan.de.vries' };
    const reason = reasonOf(EventSubject.TaskAssigned, data);
    expect(reason).toMatch(/^payload\.assigneeId: /);
    expect(reason).not.toMatch(/(^|; )(taskId|payload\.taskId):/);
  });

  it('names nested payload fields with their full path and lists every problem', () => {
    const data = valid();
    data.payload = { ...taskAssigned(), title: { nl: 'Informeer de ouders' }, priority: 'urgent', phase: 9 };
    const reason = reasonOf(EventSubject.TaskAssigned, data);
    expect(reason).toContain('payload.title.en: ');
    expect(reason).toContain('payload.priority: ');
    expect(reason).toContain('payload.phase: ');
    expect(reason).not.toContain('payload.title.nl');
  });

  it.each([[[]], [[{ nl: 'Informeer de ouders', en: 'Inform the parents' }]], ['Informeer de ouders']])(
    "rejects a task's title given as %p instead of one text in Dutch and English",
    (title) => {
      const data = valid();
      data.payload = { ...taskAssigned(), title };
      expect(reasonOf(EventSubject.TaskAssigned, data)).toMatch(/^payload\.title: /);
    },
  );

  it('rejects a missing or non-object payload', () => {
    const data = valid();
    delete data.payload;
    expect(reasonOf(EventSubject.TaskAssigned, data)).toBe('payload: must be an object');
    expect(reasonOf(EventSubject.TaskAssigned, { ...valid(), payload: ['x'] })).toBe('payload: must be an object');
  });

  it('rejects an unknown subject before looking at the data', () => {
    expect(reasonOf('crisis.task.deleted.v1', valid())).toBe('unknown subject crisis.task.deleted.v1');
    // A subject name inherited from Object.prototype is not a subject either.
    expect(reasonOf('constructor', valid())).toBe('unknown subject constructor');
  });

  it.each([null, undefined, 'crisis', 42, true, [valid()]])('rejects %p: not a JSON object', (data) => {
    expect(reasonOf(EventSubject.TaskAssigned, data)).toBe('message is not a JSON object');
  });
});
