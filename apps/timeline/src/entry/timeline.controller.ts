import { Controller, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import {
  EVENT_STREAM,
  RpcPattern,
  type EventEnvelope,
  type TimelineEntryView,
  type TimelineVerification,
} from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter } from '#lib/messaging';
import { validateRpc } from '#lib/platform';
import { TimelineService } from './timeline.service.js';

class ListTimelineQuery {
  @IsUUID() incidentId!: string;
  @IsOptional() @IsInt() @Min(0) afterSeq?: number;
  @IsOptional() @IsInt() @Min(1) @Max(5000) limit?: number;
}

class VerifyTimelineQuery {
  @IsUUID() incidentId!: string;
}

@Controller()
@UseFilters(JetStreamErrorFilter)
export class TimelineController {
  private readonly log = new Logger(TimelineController.name);

  constructor(private readonly timeline: TimelineService) {}

  /** Every event of the stream, through the timeline's own durable consumer. */
  @EventPattern<string>(EVENT_STREAM.subjects[0], JETSTREAM)
  async record(@Payload() event: EventEnvelope): Promise<void> {
    const outcome = await this.timeline.append(event);
    this.log.log(
      `${outcome === 'appended' ? 'recorded' : 'already had'} ${event.type} ${event.id} of incident ${event.incidentId}`,
    );
  }

  @MessagePattern(RpcPattern.ListTimeline)
  list(@Payload() data: unknown): Promise<TimelineEntryView[]> {
    const query = validateRpc(ListTimelineQuery, data);
    return this.timeline.list(query.incidentId, query.afterSeq, query.limit);
  }

  @MessagePattern(RpcPattern.VerifyTimeline)
  verify(@Payload() data: unknown): Promise<TimelineVerification> {
    return this.timeline.verify(validateRpc(VerifyTimelineQuery, data).incidentId);
  }
}
