import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter } from '#lib/messaging';
import { AnnouncementService } from './announcement.service.js';

/**
 * A staff message the leader approved and the team released in the app (the staff briefing, the talking points for
 * teachers) reaches every recipient as an announcement: the text is read in the app, push and SMS carry the link.
 * The release id is the announcement id, so a redelivered event notifies nobody twice.
 */
@Controller()
@UseFilters(JetStreamErrorFilter)
export class MessageReleasedConsumer {
  constructor(private readonly announcements: AnnouncementService) {}

  @EventPattern<string>(EventSubject.MessageReleased, JETSTREAM)
  async released(@Payload() event: EventEnvelope<typeof EventSubject.MessageReleased>): Promise<void> {
    if (event.payload.via !== 'app') {
      return;
    }
    await this.announcements.create({
      announcementId: event.payload.releaseId,
      incidentId: event.incidentId,
      schoolId: event.schoolId,
      boardId: event.boardId,
      drill: event.drill,
      authorId: event.actor,
      audience: 'all-staff',
      text: event.payload.text,
      recipientIds: event.payload.recipientIds.filter((id) => id !== event.actor),
      correlationId: event.correlationId,
    });
  }
}
