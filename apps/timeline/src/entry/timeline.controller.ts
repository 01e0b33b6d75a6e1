import { Controller, Inject, Logger, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import {
  MAX_SEQ,
  EVENT_STREAM,
  EventSubject,
  RpcPattern,
  FINDING_KINDS,
  type CrisisPlanContent,
  type EvaluationReport,
  type FindingKind,
  type EventEnvelope,
  type TimelineEntryView,
  type TimelineVerification,
} from '#lib/contracts';
import { JETSTREAM, JetStreamErrorFilter, JetStreamServer } from '#lib/messaging';
import { validateRpc } from '#lib/platform';
import { AftercareService } from '../aftercare/aftercare.service.js';
import { evaluationReport } from '../report/evaluation-report.js';
import { LOG_CATEGORIES, TimelineService, type LogEntryInput } from './timeline.service.js';

class ListTimelineQuery {
  @IsUUID() incidentId!: string;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_SEQ) afterSeq?: number;
  @IsOptional() @IsInt() @Min(1) @Max(5000) limit?: number;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) types?: string[];
  @IsOptional() @IsBoolean() manualOnly?: boolean;
  @IsOptional() @IsString() @Length(1, 64) role?: string;
  @IsOptional() @IsUUID() personId?: string;
  @IsOptional() @IsInt() @Min(1) @Max(5) phase?: number;
}

class AddLogEntryCommand implements LogEntryInput {
  @IsUUID() incidentId!: string;
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsBoolean() drill!: boolean;
  @IsUUID() entryId!: string;
  @IsUUID() authorId!: string;
  @IsString() @Length(1, 4000) text!: string;
  @IsIn(LOG_CATEGORIES) category!: (typeof LOG_CATEGORIES)[number];
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsOptional() @IsInt() @Min(1) corrects?: number;
  @IsString() @Length(1, 128) correlationId!: string;
}

class AddFindingCommand {
  @IsUUID() incidentId!: string;
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsBoolean() drill!: boolean;
  @IsUUID() findingId!: string;
  @IsUUID() authorId!: string;
  @IsIn(FINDING_KINDS) kind!: FindingKind;
  @IsString() @Length(1, 4000) text!: string;
  @IsOptional() @IsObject() proposedPlan?: CrisisPlanContent;
  @IsString() @Length(1, 128) correlationId!: string;
}

class FindingAppliedCommand {
  @IsUUID() incidentId!: string;
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsBoolean() drill!: boolean;
  @IsInt() @Min(1) findingSeq!: number;
  @IsInt() @Min(1) planVersion!: number;
  @IsUUID() actorId!: string;
  @IsString() @Length(1, 128) correlationId!: string;
}

class VerifyTimelineQuery {
  @IsUUID() incidentId!: string;
}

@Controller()
@UseFilters(JetStreamErrorFilter)
export class TimelineController {
  private readonly log = new Logger(TimelineController.name);

  constructor(
    private readonly timeline: TimelineService,
    private readonly aftercare: AftercareService,
    @Inject(JetStreamServer) private readonly events: JetStreamServer,
  ) {}

  /**
   * Every event of the stream, through the timeline's own durable consumer: what arrived together, in the
   * stream's order, recorded in one transaction (the transport's `batch`).
   */
  @EventPattern<string>(EVENT_STREAM.subjects[0], JETSTREAM)
  async record(@Payload() events: EventEnvelope[]): Promise<void> {
    const outcomes = await this.timeline.appendMany(events);
    for (const [i, event] of events.entries()) {
      if (event.type === EventSubject.IncidentActivated) {
        // The aftercare schedule is made from the trigger; made once, however often the event comes.
        await this.aftercare.scheduleFor(event as EventEnvelope<typeof EventSubject.IncidentActivated>);
      }
      this.log.log(
        `${outcomes[i] === 'appended' ? 'recorded' : 'already had'} ${event.type} ${event.id} of incident ${event.incidentId}`,
      );
    }
  }

  @MessagePattern(RpcPattern.ListTimeline)
  list(@Payload() data: unknown): Promise<TimelineEntryView[]> {
    const query = validateRpc(ListTimelineQuery, data);
    return this.timeline.list(query.incidentId, query.afterSeq, query.limit, {
      ...(query.types ? { types: query.types } : {}),
      ...(query.manualOnly ? { manualOnly: true } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.personId ? { personId: query.personId } : {}),
      ...(query.phase ? { phase: query.phase } : {}),
    });
  }

  /**
   * A person's entry comes after the events the timeline already received: those that wait for the consumer's
   * linger are recorded first.
   */
  @MessagePattern(RpcPattern.AddLogEntry)
  async addLogEntry(@Payload() data: unknown): Promise<TimelineEntryView> {
    const command = validateRpc(AddLogEntryCommand, data);
    await this.events.handOverWaiting();
    return this.timeline.addLogEntry({ ...command });
  }

  /** The evaluation report, computed from the incident's whole timeline at this moment. */
  @MessagePattern(RpcPattern.GetReport)
  async report(@Payload() data: unknown): Promise<EvaluationReport> {
    const { incidentId } = validateRpc(VerifyTimelineQuery, data);
    return evaluationReport(incidentId, await this.timeline.all(incidentId), new Date());
  }

  @MessagePattern(RpcPattern.AddFinding)
  async addFinding(@Payload() data: unknown): Promise<TimelineEntryView> {
    const command = validateRpc(AddFindingCommand, data);
    await this.events.handOverWaiting();
    return this.timeline.addFinding(command);
  }

  @MessagePattern(RpcPattern.RecordFindingApplied)
  async findingApplied(@Payload() data: unknown): Promise<TimelineEntryView> {
    const command = validateRpc(FindingAppliedCommand, data);
    await this.events.handOverWaiting();
    return this.timeline.recordFindingApplied(command);
  }

  @MessagePattern(RpcPattern.VerifyTimeline)
  verify(@Payload() data: unknown): Promise<TimelineVerification> {
    return this.timeline.verify(validateRpc(VerifyTimelineQuery, data).incidentId);
  }
}
