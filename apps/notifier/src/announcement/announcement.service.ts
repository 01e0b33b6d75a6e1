import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { In, type DataSource } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type AnnouncementView,
  type EventEnvelope,
  type RpcRequest,
  type RpcPattern,
} from '#lib/contracts';
import { addToOutbox } from '#lib/messaging';
import { rpcError } from '#lib/platform';
import { ContactEntity } from '../contact/contact.entity.js';
import type { NotificationEntity } from '../delivery/notification.entity.js';
import { noEffects, NotificationService } from '../delivery/notification.service.js';
import { EscalationEntity } from '../escalation/escalation.entity.js';
import { queuePriority } from '../escalation/escalation-policy.js';
import { EscalationService } from '../escalation/escalation.service.js';
import { AnnouncementEntity } from './announcement.entity.js';

export type CreateAnnouncement = RpcRequest<typeof RpcPattern.CreateAnnouncement>;

export function toAnnouncementView(a: AnnouncementEntity): AnnouncementView {
  return {
    id: a.id,
    incidentId: a.incidentId,
    schoolId: a.schoolId,
    audience: a.audience,
    role: a.role,
    text: a.text,
    authorId: a.authorId,
    drill: a.drill,
    createdAt: a.createdAt.toISOString(),
    recipients: a.recipients,
  };
}

/** How long a message's SMS wait at most for the crisis team's assignments to be queued before them. */
const SMS_WAIT_MAX_MS = 10_000;
/** How often, while they wait, the notifier looks whether those assignments' chains have started. */
const SMS_WAIT_POLL_MS = 50;

/**
 * Messages of the crisis team to an audience ("staff meeting at 08:00"). The text stays here and is read in
 * the app; each recipient gets a push (SMS when push does not reach them) that carries only the link. All-staff
 * messages queue behind crisis-team tasks: their jobs have a lower priority, and their SMS wait until the
 * trigger's assignments that the caller names are queued (a message sent right after a trigger would otherwise
 * find the rate-limited SMS line without the crisis team's SMS still on their way, and take a slot before them).
 */
@Injectable()
export class AnnouncementService {
  private readonly log = new Logger(AnnouncementService.name);
  /** The longest wait of a message's SMS for the assignments it was given (tests shorten it). */
  smsWaitMaxMs = SMS_WAIT_MAX_MS;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly escalation: EscalationService,
    private readonly notifications: NotificationService,
  ) {}

  /** Idempotent by announcement id: a retried request returns the first result and notifies nobody twice. */
  async create(command: CreateAnnouncement): Promise<AnnouncementView & { created: boolean }> {
    const recipients = [...new Set(command.recipientIds)];
    const outcome = await this.dataSource.transaction(async (manager) => {
      const existing = await manager.findOneBy(AnnouncementEntity, { id: command.announcementId });
      if (existing) {
        if (existing.incidentId !== command.incidentId) {
          throw rpcError({
            statusCode: 409,
            code: 'ANNOUNCEMENT_ID_IN_USE',
            message: 'announcementId: already used for another incident',
            messageNl: 'announcementId: al gebruikt voor een ander incident',
            field: 'announcementId',
          });
        }
        return { announcement: existing, created: false, effects: noEffects() };
      }
      const announcement = manager.create(AnnouncementEntity, {
        id: command.announcementId,
        incidentId: command.incidentId,
        schoolId: command.schoolId,
        boardId: command.boardId,
        audience: command.audience,
        role: command.role ?? null,
        text: command.text,
        authorId: command.authorId,
        drill: command.drill,
        recipients: recipients.length,
        createdAt: new Date(),
      });
      await manager.insert(AnnouncementEntity, announcement);
      const event = buildEvent(
        EventSubject.AnnouncementSent,
        {
          boardId: command.boardId,
          schoolId: command.schoolId,
          incidentId: command.incidentId,
          actor: command.authorId,
          correlationId: command.correlationId,
          causationId: null,
          drill: command.drill,
        },
        {
          announcementId: announcement.id,
          audience: command.audience,
          ...(command.role ? { role: command.role } : {}),
          text: command.text,
          recipients: recipients.length,
        },
      );
      await addToOutbox(manager, [event]);
      const { payload: _payload, ...cause } = event as EventEnvelope;
      const contacts = new Map(
        (await manager.findBy(ContactEntity, { personId: In(recipients) })).map((c) => [c.personId, c]),
      );
      const devices = await this.escalation.withDevices(manager, recipients);
      const priority = queuePriority('announcement', 'normal', command.audience);
      const effects = await this.escalation.startFanOut(
        manager,
        recipients.map((personId) => ({
          causeEventId: randomUUID(),
          cause,
          taskId: null,
          announcementId: announcement.id,
          personId,
          priority: 'normal',
          ackRequired: false,
          queuePriority: priority,
        })),
        contacts,
        devices,
      );
      return { announcement, created: true, effects };
    });
    const sms = outcome.effects.notifications.filter((n) => n.channel === 'sms');
    const waitFor = command.waitForTaskIds ?? [];
    if (sms.length > 0 && waitFor.length > 0) {
      // Committed already: should the notifier stop during the wait, the reconciler queues these SMS (15 s).
      await this.notifications.dispatch({
        notifications: outcome.effects.notifications.filter((n) => n.channel !== 'sms'),
        timers: outcome.effects.timers,
      });
      void this.dispatchAfterTasks(outcome.announcement.id, sms, waitFor);
    } else {
      await this.notifications.dispatch(outcome.effects);
    }
    if (outcome.created) {
      this.log.log(`announcement ${outcome.announcement.id} to ${command.audience}: ${recipients.length} recipient(s)`);
    }
    return { ...toAnnouncementView(outcome.announcement), created: outcome.created };
  }

  /**
   * Queues a message's SMS once every one of `taskIds` has its chain (the chain's jobs are queued right after
   * its transaction commits, by the same notifier), or after {@link smsWaitMaxMs} whatever is missing: a task
   * whose assignment never comes must not keep the staff's SMS back.
   */
  private async dispatchAfterTasks(announcementId: string, sms: NotificationEntity[], named: string[]) {
    const until = Date.now() + this.smsWaitMaxMs;
    const taskIds = [...new Set(named)];
    try {
      for (let missing = await this.tasksWithoutChain(taskIds); missing > 0;) {
        if (Date.now() >= until) {
          this.log.warn(
            `announcement ${announcementId}: ${missing} assignment(s) still not queued after ` +
              `${this.smsWaitMaxMs} ms; its ${sms.length} SMS go now`,
          );
          break;
        }
        await delay(SMS_WAIT_POLL_MS);
        missing = await this.tasksWithoutChain(taskIds);
      }
    } catch (error) {
      this.log.warn(`announcement ${announcementId}: the wait for its assignments failed: ${String(error)}`);
    }
    await this.notifications.dispatch({ notifications: sms, timers: [] }).catch((error: unknown) => {
      this.log.warn(`announcement ${announcementId}: its SMS wait for the reconciler: ${String(error)}`);
    });
  }

  /** How many of `taskIds` (each once) no escalation chain has started for yet. */
  private async tasksWithoutChain(taskIds: string[]): Promise<number> {
    const row = await this.dataSource
      .getRepository(EscalationEntity)
      .createQueryBuilder('e')
      .select('COUNT(DISTINCT e.task_id)::int', 'started')
      .where('e.task_id IN (:...taskIds)', { taskIds })
      .getRawOne<{ started: number }>();
    return taskIds.length - (row?.started ?? 0);
  }

  async get(id: string): Promise<AnnouncementView | null> {
    const found = await this.dataSource.getRepository(AnnouncementEntity).findOneBy({ id });
    return found ? toAnnouncementView(found) : null;
  }

  async list(incidentId: string): Promise<AnnouncementView[]> {
    const rows = await this.dataSource
      .getRepository(AnnouncementEntity)
      .find({ where: { incidentId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toAnnouncementView);
  }

  /** The board's retention passed: the texts of an incident's announcements are erased (who, when, to whom stay). */
  async eraseTexts(incidentId: string): Promise<{ erased: number }> {
    const result = await this.dataSource
      .getRepository(AnnouncementEntity)
      .createQueryBuilder()
      .update()
      .set({ text: ERASED_TEXT })
      .where('incident_id = :incidentId AND text <> :erased', { incidentId, erased: ERASED_TEXT })
      .execute();
    return { erased: result.affected ?? 0 };
  }
}

/** What an erased announcement reads as. */
export const ERASED_TEXT = '[gewist / erased]';
