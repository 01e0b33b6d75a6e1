import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { FINDING_KINDS, MAX_SEQ, type CrisisPlanContent, type FindingKind } from '#lib/contracts';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  IsObject,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class TriggerIncidentRequestDto {
  @ApiProperty({ example: 'death-of-pupil', description: 'A calamity type id from GET /api/protocols' })
  @IsString()
  @Length(1, 64)
  calamityType!: string;

  @ApiProperty({ format: 'uuid' }) @IsUUID() schoolId!: string;

  @ApiProperty({
    description: 'What is known, briefly. Stays inside Crisisklaar: never in a push or SMS.',
    maxLength: 2000,
  })
  @IsString()
  @MaxLength(2000)
  summary!: string;

  @ApiPropertyOptional({ default: false, description: 'A drill: flagged everywhere and counted apart' })
  @IsOptional()
  @IsBoolean()
  drill?: boolean;

  @ApiProperty({
    description: 'Chosen by the client per trigger; the same key again returns the same incident',
    minLength: 8,
  })
  @IsString()
  @Length(8, 128)
  @Matches(/^[\w.:-]+$/)
  idempotencyKey!: string;
}

export class ChangePhaseRequestDto {
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 1, maximum: 5 },
      { type: 'string', enum: ['evaluation'] },
    ],
  })
  @IsIn([1, 2, 3, 4, 5, 'evaluation'])
  phase!: 1 | 2 | 3 | 4 | 5 | 'evaluation';
}

export class CloseIncidentRequestDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'Required when closing before the evaluation' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class CancelIncidentRequestDto {
  @ApiProperty({ maxLength: 2000, description: 'Why this was a false alarm' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class LocalizedTextDto {
  @ApiProperty() nl!: string;
  @ApiProperty() en!: string;
}

export class TaskDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() templateId!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ nullable: true, type: String }) assigneeId!: string | null;
  @ApiProperty() status!: string;
  @ApiProperty({ type: LocalizedTextDto }) title!: LocalizedTextDto;
  @ApiProperty({ type: LocalizedTextDto }) instruction!: LocalizedTextDto;
  @ApiProperty() dueAt!: string;
  @ApiProperty() phase!: number;
  @ApiProperty({ enum: ['critical', 'high', 'normal'] }) priority!: 'critical' | 'high' | 'normal';
  @ApiProperty() ackRequired!: boolean;
  @ApiProperty({ nullable: true, type: String }) overdueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Completion note or the reason it does not apply' })
  note!: string | null;
  @ApiProperty({ description: 'When the assignee is told (tasks due days later: a lead time before)' })
  announceAt!: string;
}

export class IncidentDto {
  @ApiProperty() id!: string;
  @ApiProperty() boardId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty({ enum: ['reported', 'active', 'stabilising', 'aftercare', 'evaluation', 'closed', 'cancelled'] })
  status!: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) phase!: number;
  @ApiProperty() calamityType!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() drill!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty() catalogVersion!: string;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endReason!: string | null;
  @ApiProperty({ type: [TaskDto] }) tasks!: TaskDto[];
}

export class TimelineEntryDto {
  @ApiProperty() seq!: number;
  @ApiProperty() id!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty() actor!: string;
  @ApiProperty() drill!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
}

export class TimelineVerificationDto {
  @ApiProperty() valid!: boolean;
  @ApiProperty() entries!: number;
  @ApiProperty({ nullable: true, type: Number }) firstBrokenSeq!: number | null;
}

export class ProtocolDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() nameEn!: string;
  @ApiProperty() description!: string;
  @ApiProperty() descriptionEn!: string;
  @ApiProperty() taskCount!: number;
  @ApiProperty() catalogVersion!: string;
}

/** The steps of the legal chain, in the law's order (activation enforces it). */
export const LEGAL_STEP_NAMES = [
  'reported-to-board',
  'inspector-consulted',
  'suspicion-decided',
  'accused-and-parents-informed',
  'police-report-filed',
  'decision-documented',
] as const;

export class RecordLegalStepRequestDto {
  @ApiProperty({ maxLength: 4000, description: 'What was done or decided, and by whom' })
  @IsString()
  @Length(1, 4000)
  note!: string;

  @ApiPropertyOptional({ description: 'When it happened (default: now); may be before it is recorded' })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;

  @ApiPropertyOptional({ description: 'Only with suspicion-decided: is there a reasonable suspicion?' })
  @IsOptional()
  @IsBoolean()
  reasonableSuspicion?: boolean;
}

export class LegalStepDto {
  @ApiProperty({ enum: LEGAL_STEP_NAMES }) step!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty() recordedBy!: string;
  @ApiProperty() note!: string;
  @ApiProperty({ nullable: true, type: Boolean }) reasonableSuspicion!: boolean | null;
}

export class LegalChainDto {
  @ApiProperty() incidentId!: string;
  @ApiProperty({ description: 'The signal: when the incident was triggered' }) signalReceivedAt!: string;
  @ApiProperty({ type: [LegalStepDto] }) steps!: LegalStepDto[];
  @ApiProperty({ type: [String], description: 'The step(s) that may be recorded now' }) next!: string[];
  @ApiProperty() complete!: boolean;
}

export const LOG_CATEGORY_NAMES = ['decision', 'contact', 'action', 'observation'] as const;

export class AddLogEntryRequestDto {
  @ApiProperty({ maxLength: 4000, example: 'Familie gebeld; zij willen dat de klas morgen wordt ingelicht.' })
  @IsString()
  @Length(1, 4000)
  @Matches(/\S/, { message: 'text must not be blank' })
  text!: string;

  @ApiPropertyOptional({ enum: LOG_CATEGORY_NAMES, default: 'observation' })
  @IsOptional()
  @IsIn(LOG_CATEGORY_NAMES)
  category?: (typeof LOG_CATEGORY_NAMES)[number];

  @ApiPropertyOptional({ description: 'When it happened (default: now); may be earlier than now, never later' })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;

  @ApiPropertyOptional({ description: 'The seq of the log entry this one corrects (nothing is ever edited)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  corrects?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same entry' })
  @IsOptional()
  @IsUUID()
  entryId?: string;
}

class LabelDto {
  @ApiProperty() nl!: string;
  @ApiProperty() en!: string;
}

export class DeliveryDto {
  @ApiProperty() notificationId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The task; null for an announcement' })
  taskId!: string | null;
  @ApiProperty({ nullable: true, type: String }) announcementId!: string | null;
  @ApiProperty({ nullable: true, type: String }) aftercareItemId!: string | null;
  @ApiProperty() personId!: string;
  @ApiProperty({ enum: ['push', 'sms'] }) channel!: 'push' | 'sms';
  @ApiProperty() attempt!: number;
  @ApiProperty({
    enum: ['queued', 'sent', 'local_outbox', 'delivered', 'acknowledged', 'failed', 'expired', 'unreachable'],
    description: 'local_outbox: no SMS provider configured; the SMS was kept locally and NOT sent',
  })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'no_push_subscription' }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['push-service', 'twilio', 'local-outbox'] })
  provider!: string | null;
  @ApiProperty({ type: LabelDto, description: 'The state in words, Dutch first' }) label!: LabelDto;
  @ApiProperty() queuedAt!: string;
  @ApiProperty({ nullable: true, type: String }) sentAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) acknowledgedAt!: string | null;
  @ApiProperty() updatedAt!: string;
}

/** Filters and paging of the timeline; every filter given applies. */
export class TimelineQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({
    description: 'Only these entry types, comma-separated',
    example: 'log.entry,crisis.task.acknowledged.v1',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  type?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only the log entries people wrote' })
  @IsOptional()
  @IsIn(['true', 'false'])
  manual?: 'true' | 'false';

  @ApiPropertyOptional({ example: 'family-liaison', description: 'Only entries about this crisis role' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/)
  role?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only entries by or about this person' })
  @IsOptional()
  @IsUUID()
  person?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 5,
    description: 'Only what happened while the incident was in this phase',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  phase?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SEQ, description: 'Paging: entries after this seq' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  afterSeq?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'Paging: at most this many entries (default 100)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'html'], default: 'json', description: 'html: a printable page' })
  @IsOptional()
  @IsIn(['json', 'html'])
  format?: 'json' | 'html';
}

export class AddFindingRequestDto {
  @ApiProperty({ enum: FINDING_KINDS, description: 'went-well, improve, or plan-change (with proposedPlan)' })
  @IsIn(FINDING_KINDS)
  kind!: FindingKind;

  @ApiProperty({ maxLength: 4000, example: 'De BHV-lijst was niet actueel: twee mensen waren vertrokken.' })
  @IsString()
  @Length(1, 4000)
  @Matches(/\S/, { message: 'text must not be blank' })
  text!: string;

  @ApiPropertyOptional({
    description: 'For plan-change: the proposed content of the school plan (as PUT /api/schools/:id/plan takes it)',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  proposedPlan?: CrisisPlanContent;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same finding' })
  @IsOptional()
  @IsUUID()
  findingId?: string;
}

class IncidentSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() calamityType!: string;
  @ApiProperty() status!: string;
  @ApiProperty() drill!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
}

/** A school's incidents for review: real incidents and drills apart. */
export class SchoolIncidentsDto {
  @ApiProperty({ type: [IncidentSummaryDto] }) incidents!: IncidentSummaryDto[];
  @ApiProperty({ type: [IncidentSummaryDto], description: 'Drills, reported apart from real incidents' })
  drills!: IncidentSummaryDto[];
}
