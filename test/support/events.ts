import { buildEvent, EventSubject, type EventEnvelope, type EventMeta, type TaskAssignedPayload } from '#lib/contracts';

/** Builders of valid contract payloads and events for tests; override what a test is about. */

export const TEST_META: EventMeta = {
  boardId: '0190a5b2-0000-7000-8000-000000000001',
  schoolId: '0190a5b2-0000-7000-8000-000000000002',
  incidentId: '0190a5b2-0000-7000-8000-000000000003',
  actor: 'system',
  correlationId: 'req-1',
  causationId: null,
  drill: false,
};

export function taskAssignedPayload(overrides: Partial<TaskAssignedPayload> = {}): TaskAssignedPayload {
  return {
    taskId: '0190a5b2-0000-7000-8000-0000000000aa',
    templateId: 'inform-parents',
    role: 'communication',
    assigneeId: '0190a5b2-0000-7000-8000-0000000000bb',
    title: { nl: 'Informeer de ouders', en: 'Inform the parents' },
    dueAt: '2026-11-28T09:30:00.000Z',
    phase: 1,
    priority: 'critical',
    ackRequired: true,
    ...overrides,
  };
}

/** A new `crisis.task.assigned.v1` event (a fresh event id on every call). */
export function taskAssignedEvent(
  payload: Partial<TaskAssignedPayload> = {},
  meta: Partial<EventMeta> = {},
): EventEnvelope<typeof EventSubject.TaskAssigned> {
  return buildEvent(EventSubject.TaskAssigned, { ...TEST_META, ...meta }, taskAssignedPayload(payload));
}
