import type { IncidentView, TaskView } from '#lib/contracts';
import type { IncidentEntity } from './incident.entity.js';
import type { TaskEntity } from './task.entity.js';

export function toTaskView(task: TaskEntity): TaskView {
  return {
    id: task.id,
    incidentId: task.incidentId,
    templateId: task.templateId,
    role: task.role,
    assigneeId: task.assigneeId,
    status: task.status,
    title: { nl: task.titleNl, en: task.titleEn },
    instruction: { nl: task.instructionNl, en: task.instructionEn },
    dueAt: task.dueAt.toISOString(),
    phase: task.phase,
    priority: task.priority,
    ackRequired: task.ackRequired,
    overdueAt: task.overdueAt?.toISOString() ?? null,
    acknowledgedAt: task.acknowledgedAt?.toISOString() ?? null,
    completedAt: task.completedAt?.toISOString() ?? null,
    note: task.note,
    announceAt: task.announceAt.toISOString(),
  };
}

export function toIncidentView(incident: IncidentEntity, tasks: TaskEntity[]): IncidentView {
  return {
    id: incident.id,
    boardId: incident.boardId,
    schoolId: incident.schoolId,
    status: incident.status,
    phase: incident.phase,
    calamityType: incident.calamityType,
    summary: incident.summary,
    drill: incident.drill,
    createdAt: incident.createdAt.toISOString(),
    createdBy: incident.createdBy,
    catalogVersion: incident.catalogVersion,
    endedAt: incident.endedAt?.toISOString() ?? null,
    endReason: incident.endReason,
    planVersions: { school: incident.planVersions.school ?? null, board: incident.planVersions.board ?? null },
    unstaffedRoles: incident.planVersions.unstaffedRoles ?? [],
    tasks: [...tasks]
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.templateId.localeCompare(b.templateId))
      .map(toTaskView),
  };
}
