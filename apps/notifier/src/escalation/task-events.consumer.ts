import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter, type JetStreamHandlerExtras } from '#lib/messaging';
import { EscalationService } from './escalation.service.js';

/** The most assignments of one incident whose chains start in one transaction (a trigger has thirty-odd). */
const ASSIGNMENTS_PER_BATCH = 50;

/** The task and incident events that start and end notification chains, each from a durable consumer. */
@Controller()
@UseFilters(JetStreamErrorFilter)
export class TaskEventsConsumer {
  constructor(private readonly escalation: EscalationService) {}

  /**
   * A trigger's first assignment arrives alone and its chain starts at once; the rest of the trigger, waiting
   * meanwhile, comes in batches that grow (4, 16, then the rest; the consumer takes one batch of an incident at a
   * time), each started in one transaction.
   */
  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM, {
    batchPerIncident: ASSIGNMENTS_PER_BATCH,
  } satisfies JetStreamHandlerExtras)
  async assigned(@Payload() events: EventEnvelope<typeof EventSubject.TaskAssigned>[]): Promise<void> {
    await this.escalation.onTasksAssigned(events);
  }

  @EventPattern<string>(EventSubject.TaskReassigned, JETSTREAM)
  async reassigned(@Payload() event: EventEnvelope<typeof EventSubject.TaskReassigned>): Promise<void> {
    await this.escalation.onTaskEvent(event);
  }

  @EventPattern<string>(EventSubject.TaskAcknowledged, JETSTREAM)
  async acknowledged(@Payload() event: EventEnvelope<typeof EventSubject.TaskAcknowledged>): Promise<void> {
    await this.escalation.onStopEvent(event);
  }

  @EventPattern<string>(EventSubject.TaskCompleted, JETSTREAM)
  async completed(@Payload() event: EventEnvelope<typeof EventSubject.TaskCompleted>): Promise<void> {
    await this.escalation.onStopEvent(event);
  }

  @EventPattern<string>(EventSubject.TaskDismissed, JETSTREAM)
  async dismissed(@Payload() event: EventEnvelope<typeof EventSubject.TaskDismissed>): Promise<void> {
    await this.escalation.onStopEvent(event);
  }

  @EventPattern<string>(EventSubject.IncidentClosed, JETSTREAM)
  async closed(@Payload() event: EventEnvelope<typeof EventSubject.IncidentClosed>): Promise<void> {
    await this.escalation.onStopEvent(event);
  }

  @EventPattern<string>(EventSubject.AftercareDue, JETSTREAM)
  async aftercareDue(@Payload() event: EventEnvelope<typeof EventSubject.AftercareDue>): Promise<void> {
    await this.escalation.onAftercareDue(event);
  }

  @EventPattern<string>(EventSubject.IncidentCancelled, JETSTREAM)
  async cancelled(@Payload() event: EventEnvelope<typeof EventSubject.IncidentCancelled>): Promise<void> {
    await this.escalation.onStopEvent(event);
  }
}
