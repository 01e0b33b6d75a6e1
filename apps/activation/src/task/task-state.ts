import type { TaskStatus } from '../incident/task.entity.js';

export type TaskAction = 'acknowledge' | 'complete' | 'dismiss' | 'reassign';

/** Statuses in which a task still waits for someone. */
export const OPEN_STATUSES: readonly TaskStatus[] = ['pending', 'notified', 'acknowledged'];

export type TransitionResult =
  | { ok: true; status: TaskStatus; changed: boolean }
  | { ok: false; code: 'FORBIDDEN' | 'INVALID_TRANSITION' | 'NOT_ASSIGNED'; message: string; messageNl: string };

/**
 * The task lifecycle: pending → notified → acknowledged → done; not applicable from any open state; reassign
 * puts an open task back to pending for its new assignee. Only the assignee or a leader acts on a task;
 * reassigning is the leader's. Repeating what already happened (a second "acknowledge") changes nothing and
 * is not an error: phones retry.
 */
export function transition(
  task: { status: TaskStatus; assigneeId: string | null },
  action: TaskAction,
  actor: { id: string; isLeader: boolean },
): TransitionResult {
  const isAssignee = task.assigneeId !== null && task.assigneeId === actor.id;
  if (action === 'reassign' ? !actor.isLeader : !isAssignee && !actor.isLeader) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message:
        action === 'reassign' ? 'Only a leader may reassign a task' : 'Only the assignee or a leader may do this',
      messageNl:
        action === 'reassign'
          ? 'Alleen een leider mag een taak overdragen'
          : 'Alleen wie de taak heeft of een leider mag dit',
    };
  }
  const open = OPEN_STATUSES.includes(task.status);
  switch (action) {
    case 'acknowledge':
      if (task.status === 'acknowledged') {
        return { ok: true, status: 'acknowledged', changed: false };
      }
      if (task.assigneeId === null) {
        return {
          ok: false,
          code: 'NOT_ASSIGNED',
          message: 'Nobody has this task yet: reassign it first',
          messageNl: 'Niemand heeft deze taak nog: draag hem eerst over',
        };
      }
      return open ? { ok: true, status: 'acknowledged', changed: true } : closed(task.status);
    case 'complete':
      if (task.status === 'done') {
        return { ok: true, status: 'done', changed: false };
      }
      return open ? { ok: true, status: 'done', changed: true } : closed(task.status);
    case 'dismiss':
      if (task.status === 'not_applicable') {
        return { ok: true, status: 'not_applicable', changed: false };
      }
      return open ? { ok: true, status: 'not_applicable', changed: true } : closed(task.status);
    case 'reassign':
      return open ? { ok: true, status: 'pending', changed: true } : closed(task.status);
  }
}

function closed(status: TaskStatus): TransitionResult {
  return {
    ok: false,
    code: 'INVALID_TRANSITION',
    message: `The task is already ${status === 'done' ? 'done' : 'marked not applicable'}`,
    messageNl: `De taak is al ${status === 'done' ? 'afgerond' : 'als niet van toepassing gemarkeerd'}`,
  };
}
