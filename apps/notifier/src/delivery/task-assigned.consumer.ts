import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter } from '#lib/messaging';
import { NotificationService } from './notification.service.js';

@Controller()
@UseFilters(JetStreamErrorFilter)
export class TaskAssignedConsumer {
  constructor(private readonly notifications: NotificationService) {}

  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM)
  async handle(@Payload() event: EventEnvelope<typeof EventSubject.TaskAssigned>): Promise<void> {
    await this.notifications.onTaskAssigned(event);
  }

  @EventPattern<string>(EventSubject.TaskReassigned, JETSTREAM)
  async reassigned(@Payload() event: EventEnvelope<typeof EventSubject.TaskReassigned>): Promise<void> {
    await this.notifications.onTaskReassigned(event);
  }
}
