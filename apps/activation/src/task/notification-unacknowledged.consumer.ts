import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter } from '#lib/messaging';
import { TaskService } from './task.service.js';

@Controller()
@UseFilters(JetStreamErrorFilter)
export class NotificationUnacknowledgedConsumer {
  constructor(private readonly tasks: TaskService) {}

  @EventPattern<string>(EventSubject.NotificationUnacknowledged, JETSTREAM)
  async handle(@Payload() event: EventEnvelope<typeof EventSubject.NotificationUnacknowledged>): Promise<void> {
    await this.tasks.onUnacknowledged(event);
  }
}
