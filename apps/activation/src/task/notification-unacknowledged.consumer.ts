import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter, type JetStreamHandlerExtras } from '#lib/messaging';
import { TaskService } from './task.service.js';

@Controller()
@UseFilters(JetStreamErrorFilter)
/** What the notifier reports back: a task reached its assignee (notified), or nobody picked it up. */
export class NotificationUnacknowledgedConsumer {
  constructor(private readonly tasks: TaskService) {}

  /** Only notifications about a task: those to all staff, most of them in a burst, pass by unread. */
  @EventPattern<string>(EventSubject.NotificationSent, JETSTREAM, {
    onlyAboutTasks: true,
  } satisfies JetStreamHandlerExtras)
  async sent(@Payload() event: EventEnvelope<typeof EventSubject.NotificationSent>): Promise<void> {
    await this.tasks.onNotified(event);
  }

  @EventPattern<string>(EventSubject.NotificationUnacknowledged, JETSTREAM)
  async handle(@Payload() event: EventEnvelope<typeof EventSubject.NotificationUnacknowledged>): Promise<void> {
    await this.tasks.onUnacknowledged(event);
  }
}
