import { buildEvent, EventSubject, type EventMeta } from '#lib/contracts';
import type { IncidentEntity } from '../incident/incident.entity.js';
import type { TaskEntity } from '../incident/task.entity.js';

/** The meta of an event about `incident`, caused by `actor` within `correlationId`. */
export function incidentMeta(
  incident: IncidentEntity,
  actor: string,
  correlationId: string,
  causationId: string | null,
): EventMeta {
  return {
    boardId: incident.boardId,
    schoolId: incident.schoolId,
    incidentId: incident.id,
    actor,
    correlationId,
    causationId,
    drill: incident.drill,
  };
}

/** `crisis.task.assigned.v1` for a task that has an assignee. */
export function taskAssigned(task: TaskEntity & { assigneeId: string }, meta: EventMeta) {
  return buildEvent(EventSubject.TaskAssigned, meta, {
    taskId: task.id,
    templateId: task.templateId,
    role: task.role,
    assigneeId: task.assigneeId,
    title: { nl: task.titleNl, en: task.titleEn },
    dueAt: task.dueAt.toISOString(),
    phase: task.phase,
    priority: task.priority,
    ackRequired: task.ackRequired,
  });
}
