import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type EventEnvelope,
  type IncidentCommand,
  type IncidentSummary,
  type IncidentView,
  type TriggerIncidentResponse,
} from '#lib/contracts';
import { addToOutbox, OutboxEntity, OutboxRelayService, outboxRows } from '#lib/messaging';
import { notFound, rowsInsert, rpcError, validationFailed, type RowsInsert } from '#lib/platform';
import { ACTIVATION_SETTINGS, CATALOG, type ActivationSettings } from '../activation.settings.js';
import { tasksFor, type Catalog, type CalamityTypeDefinition } from '../catalog/catalog.types.js';
import { dueAt } from '../protocol/iso-duration.js';
import { assigneeFor } from '../plan/effective-plan.js';
import { isLeader } from '../plan/plan.queries.js';
import { PlanService } from '../plan/plan.service.js';
import { incidentMeta, taskAssigned } from '../task/task-events.js';
import { step, type IncidentStep } from './incident-state.js';
import { IncidentEntity } from './incident.entity.js';
import { toIncidentView } from './incident.mapper.js';
import { TaskEntity } from './task.entity.js';
import type { TriggerIncidentCommand } from './trigger-incident.command.js';

const PRIORITY_RANK: Record<TaskEntity['priority'], number> = { critical: 0, high: 1, normal: 2 };

@Injectable()
export class IncidentService {
  private readonly log = new Logger(IncidentService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelayService,
    @Inject(CATALOG) private readonly catalog: Catalog,
    @Inject(ACTIVATION_SETTINGS) private readonly settings: ActivationSettings,
    private readonly plans: PlanService,
  ) {}

  /**
   * Starts the protocol: the incident, its tasks and the events that announce them, in one statement. The
   * same idempotency key at the same school returns the incident made the first time (a double tap, a retried
   * request), with no second set of tasks and so no second notification.
   */
  async trigger(command: TriggerIncidentCommand): Promise<TriggerIncidentResponse> {
    const calamity = this.catalog.calamityTypes.find((t) => t.id === command.calamityType);
    if (!calamity) {
      throw validationFailed(
        'calamityType',
        `unknown calamity type "${command.calamityType}"`,
        `onbekend type calamiteit "${command.calamityType}"`,
      );
    }
    const incident = await this.create(command, calamity);
    if (incident) {
      this.relay.nudge();
      this.log.log(
        `incident ${incident.id} triggered with ${incident.tasks.length} tasks${incident.drill ? ' (drill)' : ''}`,
      );
      return { created: true, incident };
    }
    // The key was used before (or by a request racing this one, whose commit the insert waited for).
    const existing = await this.findByKey(command.schoolId, command.idempotencyKey);
    if (!existing) {
      throw new Error(`incident with idempotency key at school ${command.schoolId} conflicted but was not found`);
    }
    return { created: false, incident: existing };
  }

  /**
   * A leader's step on the incident — the next phase, the evaluation, closing, cancelling a false alarm — with
   * its event, in one transaction. Repeating the current phase changes nothing.
   */
  async step(command: IncidentCommand, action: IncidentStep): Promise<IncidentView> {
    const changed = await this.dataSource.transaction(async (manager) => {
      const incident = await manager
        .getRepository(IncidentEntity)
        .createQueryBuilder('i')
        .setLock('pessimistic_write')
        .where('i.id = :id', { id: command.incidentId })
        .getOne();
      if (!incident || !command.schoolIds.includes(incident.schoolId)) {
        throw notFound('Incident', 'Incident');
      }
      const { plan } = await this.plans.forSchool(incident.schoolId, incident.boardId, manager);
      const outcome = step(incident, action, { isLeader: isLeader(plan, command.actorId) });
      if (!outcome.ok) {
        throw rpcError({
          statusCode: outcome.code === 'FORBIDDEN' ? 403 : outcome.code === 'REASON_REQUIRED' ? 400 : 409,
          code: outcome.code,
          ...(outcome.code === 'REASON_REQUIRED' ? { field: 'reason' } : {}),
          message: outcome.message,
          messageNl: outcome.messageNl,
        });
      }
      if (!outcome.changed) {
        return false;
      }
      const meta = { ...incidentMeta(incident, command.actorId, command.correlationId, null) };
      const previous = { status: incident.status, phase: incident.phase };
      incident.status = outcome.status;
      incident.phase = outcome.phase;
      let event: EventEnvelope;
      if (action.kind === 'phase') {
        event = buildEvent(EventSubject.IncidentPhaseChanged, meta, {
          phase: incident.phase,
          status: incident.status,
          previousPhase: previous.phase,
          previousStatus: previous.status,
        });
      } else {
        incident.endedAt = new Date();
        incident.endReason = action.reason?.trim() || null;
        event =
          action.kind === 'close'
            ? buildEvent(EventSubject.IncidentClosed, meta, {
                early: outcome.early ?? false,
                ...(incident.endReason ? { reason: incident.endReason } : {}),
              })
            : buildEvent(EventSubject.IncidentCancelled, meta, { reason: incident.endReason ?? '' });
      }
      await manager.save(incident);
      await addToOutbox(manager, [event]);
      return true;
    });
    if (changed) {
      this.relay.nudge();
      this.log.log(
        `incident ${command.incidentId}: ${action.kind}${action.kind === 'phase' ? ` ${String(action.to)}` : ''}`,
      );
    }
    return (await this.get(command.incidentId))!;
  }

  async get(incidentId: string): Promise<IncidentView | null> {
    const incident = await this.dataSource.getRepository(IncidentEntity).findOneBy({ id: incidentId });
    if (!incident) {
      return null;
    }
    const tasks = await this.dataSource.getRepository(TaskEntity).findBy({ incidentId });
    return toIncidentView(incident, tasks);
  }

  /** The school's incidents, newest first (real ones and drills alike; the caller tells them apart). */
  async list(schoolId: string): Promise<IncidentSummary[]> {
    const rows = await this.dataSource
      .getRepository(IncidentEntity)
      .find({ where: { schoolId }, order: { createdAt: 'DESC' }, take: 500 });
    return rows.map((i) => ({
      id: i.id,
      calamityType: i.calamityType,
      status: i.status,
      drill: i.drill,
      createdAt: i.createdAt.toISOString(),
      endedAt: i.endedAt?.toISOString() ?? null,
    }));
  }

  private async findByKey(schoolId: string, idempotencyKey: string): Promise<IncidentView | null> {
    const incident = await this.dataSource.getRepository(IncidentEntity).findOneBy({ schoolId, idempotencyKey });
    return incident ? this.get(incident.id) : null;
  }

  /**
   * Writes the incident, its tasks and their events (the outbox) as one statement, a data-modifying `WITH`:
   * the tasks and the events are written only if the incident was, and the incident only if its idempotency
   * key is new at the school (`ON CONFLICT … DO NOTHING`; a concurrent trigger with the same key waits for the
   * other's commit and then writes nothing). One round trip with its own commit, where a transaction took
   * seven (the key's lookup, BEGIN, three inserts, COMMIT and the plan's second read). Null when the key was
   * used before.
   */
  private async create(
    command: TriggerIncidentCommand,
    calamity: CalamityTypeDefinition,
  ): Promise<IncidentView | null> {
    const now = new Date();
    const manager = this.dataSource.manager;
    const { plan, versions } = await this.plans.forSchool(command.schoolId, command.boardId);
    const unstaffed = this.plans.unstaffed(plan);
    const incident = manager.create(IncidentEntity, {
      id: randomUUID(),
      boardId: command.boardId,
      schoolId: command.schoolId,
      calamityType: calamity.id,
      summary: command.summary,
      drill: command.drill,
      status: 'active',
      idempotencyKey: command.idempotencyKey,
      catalogVersion: this.catalog.version,
      createdBy: command.actorId,
      correlationId: command.correlationId,
      createdAt: now,
      phase: 1,
      endedAt: null,
      endReason: null,
      planVersions: { ...versions, unstaffedRoles: unstaffed },
    });

    const tasks = plan.tasks(tasksFor(this.catalog, calamity.id), calamity.id).map((template) => {
      const due = dueAt(now, template.deadline);
      // Tasks due days later (aftercare, the anniversary) are announced a lead time before they are due.
      const later = due.getTime() - now.getTime() > this.settings.announceLeadMs;
      const announceAt = later ? new Date(due.getTime() - this.settings.announceLeadMs) : now;
      return manager.create(TaskEntity, {
        id: randomUUID(),
        incidentId: incident.id,
        templateId: template.id,
        role: template.role,
        assigneeId: assigneeFor(plan, template.role),
        status: 'pending',
        titleNl: template.title.nl,
        titleEn: template.title.en,
        phase: template.phase,
        priority: template.priority,
        ackRequired: template.ackRequired,
        instructionNl: template.instruction.nl,
        instructionEn: template.instruction.en,
        dueAt: due,
        announceAt,
        announcedAt: later ? null : now,
        overdueAt: null,
        acknowledgedAt: null,
        completedAt: null,
        note: null,
        createdAt: now,
        updatedAt: now,
      });
    });

    const meta = {
      boardId: incident.boardId,
      schoolId: incident.schoolId,
      incidentId: incident.id,
      actor: command.actorId,
      correlationId: command.correlationId,
      drill: incident.drill,
      occurredAt: now,
    };
    const activated = buildEvent(
      EventSubject.IncidentActivated,
      { ...meta, causationId: command.correlationId },
      {
        calamityType: incident.calamityType,
        summary: incident.summary,
        status: incident.status,
        taskCount: tasks.length,
        catalogVersion: incident.catalogVersion,
      },
    );
    // Most urgent first (the earliest deadline, then the higher priority, then the protocol's order): the
    // notifier takes an incident's assignments in this order, so the ten-minute tasks reach people first.
    const assigned: EventEnvelope[] = tasks
      .filter(
        (task): task is TaskEntity & { assigneeId: string } => task.assigneeId !== null && task.announcedAt !== null,
      )
      .map((task, order) => ({ task, order }))
      .sort(
        (a, b) =>
          a.task.dueAt.getTime() - b.task.dueAt.getTime() ||
          PRIORITY_RANK[a.task.priority] - PRIORITY_RANK[b.task.priority] ||
          a.order - b.order,
      )
      .map(({ task }) => taskAssigned(task, { ...meta, causationId: activated.id }));

    const values: string[] = [];
    const parts: string[] = [];
    const add = (name: string, insert: RowsInsert | null): void => {
      if (insert) {
        parts.push(`"${name}" AS (${insert.sql})`);
        values.push(insert.value);
      }
    };
    const ifCreated = 'EXISTS (SELECT 1 FROM "created")';
    add(
      'created',
      rowsInsert(manager, IncidentEntity, [incident], 1, {
        tail: 'ON CONFLICT ("school_id", "idempotency_key") DO NOTHING RETURNING "id"',
      }),
    );
    add('tasks', rowsInsert(manager, TaskEntity, tasks, values.length + 1, { where: ifCreated }));
    add(
      'events',
      rowsInsert(manager, OutboxEntity, outboxRows([activated, ...assigned]), values.length + 1, { where: ifCreated }),
    );
    const created: unknown[] = await manager.query(`WITH ${parts.join(',\n')}\nSELECT "id" FROM "created"`, values);
    if (created.length === 0) {
      return null;
    }
    const withoutAssignee = [...new Set(tasks.filter((t) => t.assigneeId === null).map((t) => t.role))];
    if (withoutAssignee.length > 0) {
      this.log.warn(`incident ${incident.id}: no one available in the plan for ${withoutAssignee.join(', ')}`);
    }
    return toIncidentView(incident, tasks);
  }
}
