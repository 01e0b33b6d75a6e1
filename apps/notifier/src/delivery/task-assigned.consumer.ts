import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JetStreamErrorFilter } from '#lib/messaging';
import { NotificationService } from './notification.service.js';

@Controller()
@UseFilters(JetStreamErrorFilter)
export class TaskAssignedConsumer {
  constructor(private readonly notifications: NotificationService) {}

  @EventPattern<string>(EventSubject.TaskAssigned)
  async handle(@Payload() event: EventEnvelope<typeof EventSubject.TaskAssigned>): Promise<void> {
    await this.notifications.onTaskAssigned(event);
  }
}
