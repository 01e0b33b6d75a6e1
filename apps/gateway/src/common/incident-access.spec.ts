import { describe, expect, it } from '@jest/globals';
import type { IncidentView, TaskView } from '#lib/contracts';
import { assignmentsBeingTold } from './incident-access.js';

const TRIGGERED = '2026-12-06T08:00:00.000Z';

const task = (id: string, changes: Partial<TaskView>): TaskView => ({
  id,
  incidentId: 'i-1',
  templateId: 'fire.alarm-and-evacuate',
  role: 'leader',
  assigneeId: 'p-1',
  status: 'pending',
  title: { nl: 'Ontruim', en: 'Evacuate' },
  instruction: { nl: 'Ontruim de school', en: 'Evacuate the school' },
  dueAt: '2026-12-06T08:10:00.000Z',
  phase: 1,
  priority: 'critical',
  ackRequired: true,
  overdueAt: null,
  acknowledgedAt: null,
  completedAt: null,
  note: null,
  announceAt: TRIGGERED,
  ...changes,
});

const incident = (tasks: TaskView[]) => ({ tasks }) as unknown as IncidentView;

describe('assignmentsBeingTold', () => {
  it('names the tasks whose assignees are to be told by now and have not been: what a message to all staff waits for', () => {
    const view = incident([
      task('told-now', {}),
      task('nobody-for-the-role', { assigneeId: null }),
      task('already-notified', { status: 'notified' }),
      task('picked-up', { status: 'acknowledged' }),
      task('told-in-three-days', { announceAt: '2026-12-09T08:00:00.000Z' }),
      task('lead-time-passed', { announceAt: '2026-12-06T07:00:00.000Z' }),
    ]);
    expect(assignmentsBeingTold(view, new Date('2026-12-06T08:00:05.000Z'))).toEqual(['told-now', 'lead-time-passed']);
  });
});
