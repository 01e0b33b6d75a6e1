import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type EventEnvelope,
  type MyTaskView,
  type TaskCommand,
  type TaskView,
} from '#lib/contracts';
import { addToOutbox, claimInbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError } from '#lib/platform';
import { IncidentEntity } from '../incident/incident.entity.js';
import { toTaskView } from '../incident/incident.mapper.js';
import { TaskEntity } from '../incident/task.entity.js';
import { assigneeFor, nextInLine } from '../plan/effective-plan.js';
import { isInPlan, isLeader } from '../plan/plan.queries.js';
import { PlanService } from '../plan/plan.service.js';
import { incidentMeta, taskAssigned } from './task-events.js';
import { OPEN_STATUSES, transition } from './task-state.js';

export type TaskChange =
  | { action: 'acknowledge' }
  | { action: 'complete'; note?: string }
  | { action: 'dismiss'; reason: string }
  | { action: 'reassign'; assigneeId: string };

@Injectable()
export class TaskService {
  private readonly log = new Logger(TaskService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelayService,
    private readonly plans: PlanService,
  ) {}

  /** The caller's open and recent tasks of incidents at their schools, most urgent first. */
  async listMine(personId: string, schoolIds: string[]): Promise<MyTaskView[]> {
    if (schoolIds.length === 0) {
      return [];
    }
    const tasks = await this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .where('t.assignee_id = :personId AND t.announced_at IS NOT NULL', { personId })
      .orderBy(`CASE WHEN t.status IN ('pending', 'notified', 'acknowledged') THEN 0 ELSE 1 END`, 'ASC')
      .addOrderBy('t.due_at', 'ASC')
      .limit(200)
      .getMany();
    const incidents = await this.dataSource
      .getRepository(IncidentEntity)
      .findBy({ id: In([...new Set(tasks.map((t) => t.incidentId))]), schoolId: In(schoolIds) });
    const byId = new Map(incidents.map((i) => [i.id, i]));
    return tasks
      .filter((t) => byId.has(t.incidentId))
      .map((t) => ({
        ...toTaskView(t),
        schoolId: byId.get(t.incidentId)!.schoolId,
        drill: byId.get(t.incidentId)!.drill,
      }));
  }

  /**
   * One step of a task's lifecycle, with its event, in one transaction. The task is locked for the step, so
   * two phones acting at once are applied one after the other.
   */
  async change(command: TaskCommand, change: TaskChange): Promise<TaskView> {
    const result = await this.dataSource.transaction(async (manager) => {
      const task = await manager
        .getRepository(TaskEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.id = :id', { id: command.taskId })
        .getOne();
      const incident = task && (await manager.getRepository(IncidentEntity).findOneBy({ id: task.incidentId }));
      if (!task || !incident || !command.schoolIds.includes(incident.schoolId)) {
        throw notFound('Task', 'Taak');
      }
      if (incident.status === 'closed' || incident.status === 'cancelled') {
        throw rpcError({
          statusCode: 409,
          code: 'INCIDENT_CLOSED',
          message: 'The incident is closed',
          messageNl: 'Het incident is afgesloten',
        });
      }
      const { plan } = await this.plans.forSchool(incident.schoolId, incident.boardId, manager);
      const outcome = transition(task, change.action, {
        id: command.actorId,
        isLeader: isLeader(plan, command.actorId),
      });
      if (!outcome.ok) {
        throw rpcError({
          statusCode: outcome.code === 'FORBIDDEN' ? 403 : 409,
          code: outcome.code,
          message: outcome.message,
          messageNl: outcome.messageNl,
        });
      }
      if (!outcome.changed) {
        return { task, changed: false };
      }
      if (change.action === 'reassign' && !isInPlan(plan, change.assigneeId)) {
        throw rpcError({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          field: 'assigneeId',
          message: 'assigneeId: not a member of this school’s crisis team',
          messageNl: 'assigneeId: hoort niet bij het crisisteam van deze school',
        });
      }
      const event = this.apply(task, incident, change, command, outcome.status);
      await manager.save(task);
      await addToOutbox(manager, [event]);
      return { task, changed: true };
    });
    if (result.changed) {
      this.relay.nudge();
      this.log.log(`task ${result.task.id}: ${change.action} → ${result.task.status}`);
    }
    return toTaskView(result.task);
  }

  private apply(
    task: TaskEntity,
    incident: IncidentEntity,
    change: TaskChange,
    command: TaskCommand,
    status: TaskEntity['status'],
  ): EventEnvelope {
    const now = new Date();
    const meta = incidentMeta(incident, command.actorId, command.correlationId, null);
    task.status = status;
    task.updatedAt = now;
    switch (change.action) {
      case 'acknowledge':
        task.acknowledgedAt = now;
        return buildEvent(EventSubject.TaskAcknowledged, meta, {
          taskId: task.id,
          role: task.role,
          assigneeId: task.assigneeId!,
        });
      case 'complete':
        task.completedAt = now;
        task.note = change.note ?? null;
        return buildEvent(EventSubject.TaskCompleted, meta, {
          taskId: task.id,
          role: task.role,
          assigneeId: task.assigneeId ?? command.actorId,
          ...(change.note ? { note: change.note } : {}),
        });
      case 'dismiss':
        task.note = change.reason;
        return buildEvent(EventSubject.TaskDismissed, meta, {
          taskId: task.id,
          role: task.role,
          reason: change.reason,
        });
      case 'reassign': {
        const from = task.assigneeId;
        task.assigneeId = change.assigneeId;
        task.acknowledgedAt = null;
        task.announcedAt = task.announcedAt ?? now;
        return buildEvent(EventSubject.TaskReassigned, meta, {
          taskId: task.id,
          role: task.role,
          fromAssigneeId: from,
          toAssigneeId: change.assigneeId,
          reason: 'manual',
          title: { nl: task.titleNl, en: task.titleEn },
          dueAt: task.dueAt.toISOString(),
          priority: task.priority,
        });
      }
    }
  }

  /**
   * A notification about the task reached its assignee's device or phone: pending → notified. Only forward,
   * only for the current assignee, so a late or repeated event changes nothing.
   */
  async onNotified(event: EventEnvelope<typeof EventSubject.NotificationSent>): Promise<boolean> {
    const { taskId, personId } = event.payload;
    if (!taskId) {
      return false; // an announcement, not a task
    }
    const result = await this.dataSource
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ status: 'notified', updatedAt: new Date() })
      .where(`id = :taskId AND assignee_id = :personId AND status = 'pending'`, { taskId, personId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Nobody picked the task up on any channel: it goes to the next deputy of the role (in plan order), or, when
   * the role has nobody left, the leader gets a task saying the role is unstaffed. Once only per event (inbox);
   * nothing happens when the task was acknowledged, finished or moved meanwhile: an acknowledgement stops the
   * chain.
   */
  async onUnacknowledged(
    event: EventEnvelope<typeof EventSubject.NotificationUnacknowledged>,
  ): Promise<'reassigned' | 'unstaffed' | 'ignored'> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, 'activation.notification-unacknowledged', event))) {
        return 'ignored' as const;
      }
      const task = await manager
        .getRepository(TaskEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.id = :id', { id: event.payload.taskId })
        .getOne();
      if (
        !task ||
        task.assigneeId !== event.payload.personId ||
        (task.status !== 'pending' && task.status !== 'notified')
      ) {
        return 'ignored' as const;
      }
      const incident = await manager.getRepository(IncidentEntity).findOneByOrFail({ id: task.incidentId });
      if (incident.status === 'closed' || incident.status === 'cancelled') {
        return 'ignored' as const;
      }
      const meta = incidentMeta(incident, 'system', event.correlationId, event.id);
      const { plan } = await this.plans.forSchool(incident.schoolId, incident.boardId, manager);
      const next = nextInLine(plan, task.role, task.assigneeId);
      const now = new Date();
      if (next) {
        const from = task.assigneeId;
        task.assigneeId = next;
        task.status = 'pending';
        task.updatedAt = now;
        await manager.save(task);
        await addToOutbox(manager, [
          buildEvent(EventSubject.TaskReassigned, meta, {
            taskId: task.id,
            role: task.role,
            fromAssigneeId: from,
            toAssigneeId: next,
            reason: 'unacknowledged',
            title: { nl: task.titleNl, en: task.titleEn },
            dueAt: task.dueAt.toISOString(),
            priority: task.priority,
          }),
        ]);
        return 'reassigned' as const;
      }
      const leader = task.role === 'leader' ? nextInLine(plan, 'leader', task.assigneeId) : assigneeFor(plan, 'leader');
      if (!leader) {
        this.log.error(`incident ${incident.id}: role ${task.role} is unstaffed and the plan has no leader`);
        return 'unstaffed' as const;
      }
      const alert = manager.create(TaskEntity, {
        id: randomUUID(),
        incidentId: incident.id,
        templateId: 'system.role-unstaffed',
        role: 'leader',
        assigneeId: leader,
        status: 'pending',
        titleNl: `Niemand pakt een taak op van de rol ${task.role}: wijs iemand aan`,
        titleEn: `Nobody picks up a task of the role ${task.role}: assign someone`,
        instructionNl: `De taak "${task.titleNl}" is bij iedereen in het plan voor deze rol onbeantwoord gebleven. Draag hem over aan iemand die nu kan.`,
        instructionEn: `The task "${task.titleEn}" went unanswered by everyone in the plan for this role. Reassign it to someone available now.`,
        phase: task.phase,
        priority: 'critical',
        ackRequired: true,
        dueAt: new Date(now.getTime() + 15 * 60_000),
        announceAt: now,
        announcedAt: now,
        overdueAt: null,
        acknowledgedAt: null,
        completedAt: null,
        note: null,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(TaskEntity, alert);
      await addToOutbox(manager, [taskAssigned({ ...alert, assigneeId: leader }, meta)]);
      return 'unstaffed' as const;
    });
    if (outcome !== 'ignored') {
      this.relay.nudge();
      this.log.warn(`task ${event.payload.taskId} unacknowledged by its assignee: ${outcome}`);
    }
    return outcome;
  }

  /**
   * Announces tasks whose time has come (tasks due days after the trigger) and flags overdue ones. Works
   * from PostgreSQL alone, so a restart misses nothing; `SKIP LOCKED` lets several instances share it.
   */
  async runSchedule(now = new Date()): Promise<{ announced: number; overdue: number }> {
    const announced = await this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(TaskEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('t.announced_at IS NULL AND t.announce_at <= :now', { now })
        .andWhere('t.status IN (:...open)', { open: OPEN_STATUSES })
        .limit(500)
        .getMany();
      const events: EventEnvelope[] = [];
      for (const task of due) {
        task.announcedAt = now;
        task.updatedAt = now;
        const incident = await manager.getRepository(IncidentEntity).findOneByOrFail({ id: task.incidentId });
        if (task.assigneeId !== null) {
          events.push(
            taskAssigned(
              { ...task, assigneeId: task.assigneeId },
              incidentMeta(incident, 'system', incident.correlationId, null),
            ),
          );
        }
      }
      await manager.save(due);
      await addToOutbox(manager, events);
      return due.length;
    });
    const overdue = await this.dataSource.transaction(async (manager) => {
      const late = await manager
        .getRepository(TaskEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('t.overdue_at IS NULL AND t.due_at < :now', { now })
        .andWhere('t.status IN (:...open)', { open: OPEN_STATUSES })
        .limit(500)
        .getMany();
      const events: EventEnvelope[] = [];
      for (const task of late) {
        task.overdueAt = now;
        task.updatedAt = now;
        const incident = await manager.getRepository(IncidentEntity).findOneByOrFail({ id: task.incidentId });
        if (incident.status === 'closed' || incident.status === 'cancelled') {
          continue;
        }
        events.push(
          buildEvent(EventSubject.TaskOverdue, incidentMeta(incident, 'system', incident.correlationId, null), {
            taskId: task.id,
            role: task.role,
            assigneeId: task.assigneeId,
            dueAt: task.dueAt.toISOString(),
          }),
        );
      }
      await manager.save(late);
      await addToOutbox(manager, events);
      return events.length;
    });
    if (announced + overdue > 0) {
      this.relay.nudge();
    }
    return { announced, overdue };
  }
}
