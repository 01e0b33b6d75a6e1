import { describe, expect, it } from '@jest/globals';
import type { TaskStatus } from '../incident/task.entity.js';
import { transition, type TaskAction } from './task-state.js';

const assignee = { id: 'a', isLeader: false };
const leader = { id: 'l', isLeader: true };
const stranger = { id: 's', isLeader: false };
const task = (status: TaskStatus, assigneeId: string | null = 'a') => ({ status, assigneeId });

describe('task lifecycle', () => {
  it.each<[TaskStatus, TaskAction, TaskStatus]>([
    ['pending', 'acknowledge', 'acknowledged'],
    ['notified', 'acknowledge', 'acknowledged'],
    ['pending', 'complete', 'done'],
    ['acknowledged', 'complete', 'done'],
    ['notified', 'dismiss', 'not_applicable'],
    ['acknowledged', 'dismiss', 'not_applicable'],
  ])('%s --%s--> %s for the assignee', (from, action, to) => {
    expect(transition(task(from), action, assignee)).toEqual({ ok: true, status: to, changed: true });
  });

  it('lets a leader act on any task of the school, and reassign an open one back to pending', () => {
    expect(transition(task('acknowledged'), 'complete', leader)).toMatchObject({ ok: true, status: 'done' });
    expect(transition(task('acknowledged'), 'reassign', leader)).toEqual({
      ok: true,
      status: 'pending',
      changed: true,
    });
  });

  it('refuses someone who is neither the assignee nor a leader', () => {
    for (const action of ['acknowledge', 'complete', 'dismiss', 'reassign'] as const) {
      expect(transition(task('pending'), action, stranger)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
  });

  it('keeps reassigning for leaders, even for the assignee', () => {
    expect(transition(task('pending'), 'reassign', assignee)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('treats a repeated step as done already, not as an error (phones retry)', () => {
    expect(transition(task('acknowledged'), 'acknowledge', assignee)).toEqual({
      ok: true,
      status: 'acknowledged',
      changed: false,
    });
    expect(transition(task('done'), 'complete', assignee)).toEqual({ ok: true, status: 'done', changed: false });
    expect(transition(task('not_applicable'), 'dismiss', assignee)).toEqual({
      ok: true,
      status: 'not_applicable',
      changed: false,
    });
  });

  it.each<[TaskStatus, TaskAction]>([
    ['done', 'acknowledge'],
    ['done', 'dismiss'],
    ['done', 'reassign'],
    ['not_applicable', 'complete'],
    ['not_applicable', 'acknowledge'],
  ])('refuses %s --%s--> as an invalid transition, in Dutch and English', (from, action) => {
    const result = transition(task(from), action, leader);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_TRANSITION' });
    expect(result.ok ? '' : result.messageNl).toMatch(/De taak is al/);
  });

  it('cannot acknowledge a task nobody has', () => {
    expect(transition(task('pending', null), 'acknowledge', leader)).toMatchObject({ ok: false, code: 'NOT_ASSIGNED' });
  });
});
