import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type AftercareItemView,
  type AftercareKind,
  type AftercareReferral,
  type AftercareState,
  type EventEnvelope,
  type RpcPattern,
  type RpcRequest,
} from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError, validationFailed } from '#lib/platform';
import { TimelineEntryEntity } from '../entry/timeline-entry.entity.js';
import { TimelineService } from '../entry/timeline.service.js';
import { aftercareSchedule, canMove, dueDate } from './aftercare-schedule.js';
import { AftercareItemEntity } from './aftercare-item.entity.js';

export type AddAftercareItem = RpcRequest<typeof RpcPattern.AddAftercareItem>;
export type ChangeAftercareItem = RpcRequest<typeof RpcPattern.ChangeAftercareItem>;

export function toAftercareView(i: AftercareItemEntity): AftercareItemView {
  return {
    id: i.id,
    incidentId: i.incidentId,
    schoolId: i.schoolId,
    drill: i.drill,
    key: i.key,
    kind: i.kind,
    title: { nl: i.titleNl, en: i.titleEn },
    subject: i.subject,
    ownerId: i.ownerId,
    dueAt: i.dueAt.toISOString(),
    state: i.state,
    referredTo: i.referredTo,
    note: i.note,
    notifiedAt: i.notifiedAt?.toISOString() ?? null,
    updatedAt: i.updatedAt.toISOString(),
  };
}

const ITEM: [string, string] = ['Aftercare item', 'Nazorgpunt'];

/**
 * Aftercare (nazorg): a schedule made from the incident when it is triggered, items the team adds (a check-in
 * with one class or pupil, by a reference the school understands), each with an owner, a due date and a state.
 * A due item becomes `crisis.aftercare.due.v1` (the notifier tells the owner with a link); every change is also
 * an entry on the incident's timeline.
 */
@Injectable()
export class AftercareService {
  private readonly log = new Logger(AftercareService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly timeline: TimelineService,
    private readonly relay: OutboxRelayService,
  ) {}

  /** The schedule of a new incident, made once however often the trigger event comes. */
  async scheduleFor(event: EventEnvelope<typeof EventSubject.IncidentActivated>): Promise<number> {
    const now = new Date();
    const rows = aftercareSchedule(event.payload.calamityType).map((planned) => ({
      id: randomUUID(),
      incidentId: event.incidentId,
      schoolId: event.schoolId,
      boardId: event.boardId,
      drill: event.drill,
      key: planned.key,
      kind: planned.kind,
      titleNl: planned.title.nl,
      titleEn: planned.title.en,
      subject: null,
      ownerId: null,
      dueAt: dueDate(event.occurredAt, planned.daysAfterTrigger),
      state: 'scheduled' as const,
      referredTo: null,
      note: null,
      notifiedAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AftercareItemEntity)
      .values(rows)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length;
  }

  async list(incidentId: string): Promise<AftercareItemView[]> {
    const rows = await this.dataSource
      .getRepository(AftercareItemEntity)
      .find({ where: { incidentId }, order: { dueAt: 'ASC', key: 'ASC' } });
    return rows.map(toAftercareView);
  }

  async get(itemId: string): Promise<AftercareItemView | null> {
    const found = await this.dataSource.getRepository(AftercareItemEntity).findOneBy({ id: itemId });
    return found ? toAftercareView(found) : null;
  }

  /** An item the team adds; the same `itemId` again returns the first. */
  async add(command: AddAftercareItem): Promise<AftercareItemView> {
    const repo = this.dataSource.getRepository(AftercareItemEntity);
    const existing = await repo.findOneBy({ id: command.itemId });
    if (existing) {
      return toAftercareView(existing);
    }
    const anchor = await this.dataSource
      .getRepository(TimelineEntryEntity)
      .findOne({ where: { incidentId: command.incidentId }, order: { seq: 'ASC' } });
    if (!anchor) {
      throw notFound('Incident', 'Incident');
    }
    const now = new Date();
    const item = repo.create({
      id: command.itemId,
      incidentId: command.incidentId,
      schoolId: anchor.schoolId,
      boardId: anchor.boardId,
      drill: anchor.drill,
      key: `custom-${command.itemId}`,
      kind: command.kind as AftercareKind,
      titleNl: command.title.nl,
      titleEn: command.title.en,
      subject: command.subject ?? null,
      ownerId: command.ownerId ?? null,
      dueAt: new Date(command.dueAt),
      state: 'scheduled',
      referredTo: null,
      note: null,
      notifiedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    await repo.insert(item);
    await this.record(item, command.actorId, 'aftercare.item-added', command.correlationId, {});
    return toAftercareView(item);
  }

  /** A step of an item (scheduled → checked → fine, or → referred → closed), a new owner, or a note. */
  async change(command: ChangeAftercareItem): Promise<AftercareItemView> {
    const { item, from } = await this.dataSource.transaction(async (manager) => {
      const found = await this.lock(manager, command.itemId);
      if (!found) {
        throw notFound(...ITEM);
      }
      const previous = found.state;
      if (command.state !== undefined && command.state !== found.state) {
        const to = command.state as AftercareState;
        if (!canMove(found.state, to)) {
          throw rpcError({
            statusCode: 409,
            code: 'INVALID_TRANSITION',
            message: `An aftercare item that is ${found.state} cannot become ${to}`,
            messageNl: `Een nazorgpunt dat ${found.state} is kan niet ${to} worden`,
          });
        }
        if (to === 'referred' && !command.referredTo) {
          throw validationFailed(
            'referredTo',
            'referredTo: to whom (gp, ggd, slachtofferhulp, other)',
            'referredTo: naar wie (gp, ggd, slachtofferhulp, other)',
          );
        }
        found.state = to;
        if (to === 'referred') {
          found.referredTo = command.referredTo as AftercareReferral;
        }
      }
      if (command.ownerId) {
        found.ownerId = command.ownerId;
      }
      if (command.note !== undefined) {
        found.note = command.note;
      }
      found.updatedAt = new Date();
      await manager.save(found);
      return { item: found, from: previous };
    });
    await this.record(item, command.actorId, 'aftercare.item-changed', command.correlationId, {
      from,
      ...(command.ownerId ? { ownerId: command.ownerId } : {}),
      ...(command.note !== undefined ? { note: command.note } : {}),
    });
    return toAftercareView(item);
  }

  /**
   * Tells the owners of items whose time has come (`crisis.aftercare.due.v1`, through the outbox), once each.
   * An item without an owner gets the incident's care coordinator (else its leader) as owner first. Works from
   * PostgreSQL alone, so a restart misses nothing; `SKIP LOCKED` lets several instances share it.
   */
  async runDue(now = new Date()): Promise<number> {
    const sent = await this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(AftercareItemEntity)
        .createQueryBuilder('i')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(`i.state = 'scheduled' AND i.notified_at IS NULL AND i.due_at <= :now`, { now })
        .orderBy('i.due_at', 'ASC')
        .limit(200)
        .getMany();
      let count = 0;
      for (const item of due) {
        item.ownerId = item.ownerId ?? (await this.defaultOwner(manager, item.incidentId));
        if (!item.ownerId) {
          this.log.warn(`aftercare item ${item.id} is due but its incident has no care coordinator or leader yet`);
          continue;
        }
        item.notifiedAt = now;
        item.updatedAt = now;
        await manager.save(item);
        await addToOutbox(manager, [
          buildEvent(
            EventSubject.AftercareDue,
            {
              boardId: item.boardId,
              schoolId: item.schoolId,
              incidentId: item.incidentId,
              actor: 'system',
              correlationId: item.id,
              causationId: null,
              drill: item.drill,
            },
            { itemId: item.id, ownerId: item.ownerId, kind: item.kind, dueAt: item.dueAt.toISOString() },
          ),
        ]);
        count += 1;
      }
      return count;
    });
    if (sent > 0) {
      this.relay.nudge();
      this.log.log(`${sent} aftercare item(s) due: their owners are told`);
    }
    return sent;
  }

  /** Who holds the care coordinator's tasks of the incident now (else the leader's), from the timeline. */
  private async defaultOwner(manager: EntityManager, incidentId: string): Promise<string | null> {
    for (const role of ['care-coordinator', 'leader']) {
      const latest = await manager
        .getRepository(TimelineEntryEntity)
        .createQueryBuilder('e')
        .where('e.incident_id = :incidentId AND e.type IN (:...types)', {
          incidentId,
          types: [EventSubject.TaskAssigned, EventSubject.TaskReassigned],
        })
        .andWhere(`e.data ->> 'role' = :role`, { role })
        .orderBy('e.seq', 'DESC')
        .getOne();
      const owner = latest && ((latest.data.toAssigneeId ?? latest.data.assigneeId) as string | undefined);
      if (owner) {
        return owner;
      }
    }
    return null;
  }

  private lock(manager: EntityManager, id: string): Promise<AftercareItemEntity | null> {
    return manager
      .getRepository(AftercareItemEntity)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.id = :id', { id })
      .getOne();
  }

  private async record(
    item: AftercareItemEntity,
    actor: string,
    type: string,
    correlationId: string,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await this.timeline.appendRecord({
      incidentId: item.incidentId,
      schoolId: item.schoolId,
      boardId: item.boardId,
      drill: item.drill,
      eventId: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      actor,
      correlationId,
      data: {
        itemId: item.id,
        kind: item.kind,
        state: item.state,
        ...(item.subject ? { subject: item.subject } : {}),
        ...(item.referredTo ? { referredTo: item.referredTo } : {}),
        dueAt: item.dueAt.toISOString(),
        ...extra,
      },
    });
  }
}
