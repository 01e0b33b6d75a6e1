import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
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
import { noEffects, NotificationService } from '../delivery/notification.service.js';
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

/**
 * Messages of the crisis team to an audience ("staff meeting at 08:00"). The text stays here and is read in
 * the app; each recipient gets a push (SMS when push does not reach them) that carries only the link. All-staff
 * messages queue behind crisis-team tasks.
 */
@Injectable()
export class AnnouncementService {
  private readonly log = new Logger(AnnouncementService.name);

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
    await this.notifications.dispatch(outcome.effects);
    if (outcome.created) {
      this.log.log(`announcement ${outcome.announcement.id} to ${command.audience}: ${recipients.length} recipient(s)`);
    }
    return { ...toAnnouncementView(outcome.announcement), created: outcome.created };
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
