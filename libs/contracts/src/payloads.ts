// class-transformer's @Type reads design-time metadata: the contracts must load on their own, first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
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
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** Dutch first, English second: every text a person reads comes in both. */
export class LocalizedText {
  @IsString() @Length(1, 500) nl!: string;
  @IsString() @Length(1, 500) en!: string;
}

export const NOTIFICATION_CHANNELS = ['push', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** `crisis.incident.activated.v1`: the protocol was triggered; the incident and its tasks exist. */
export class IncidentActivatedPayload {
  /** Calamity type id from the catalog, e.g. `death-of-pupil`. Internal only: never in a push or SMS. */
  @IsString() @Length(1, 64) calamityType!: string;
  /** What the reporter typed. Free text: never in a push or SMS. */
  @IsString() @MaxLength(2000) summary!: string;
  @IsString() @Length(1, 32) status!: string;
  @IsInt() @Min(0) taskCount!: number;
  /** The protocol catalog version the incident runs on; a later catalog change never rewrites it. */
  @IsString() @Length(1, 64) catalogVersion!: string;
}

export const INCIDENT_STATUSES = [
  'reported',
  'active',
  'stabilising',
  'aftercare',
  'evaluation',
  'closed',
  'cancelled',
] as const;

/** `crisis.incident.phase-changed.v1`: the leader moved the incident on (phases 1–5, then the evaluation). */
export class IncidentPhaseChangedPayload {
  @IsInt() @Min(1) @Max(5) phase!: number;
  @IsIn(INCIDENT_STATUSES) status!: (typeof INCIDENT_STATUSES)[number];
  @IsInt() @Min(1) @Max(5) previousPhase!: number;
  @IsIn(INCIDENT_STATUSES) previousStatus!: (typeof INCIDENT_STATUSES)[number];
}

/** `crisis.incident.closed.v1`: after the evaluation, or earlier by the leader with a reason. */
export class IncidentClosedPayload {
  @IsBoolean() early!: boolean;
  @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

/** `crisis.incident.cancelled.v1`: a false alarm, with the reason. */
export class IncidentCancelledPayload {
  @IsString() @Length(1, 2000) reason!: string;
}

/** `crisis.legal.step-recorded.v1`: a step of the statutory chain after a signal of a sexual offence by staff. */
export class LegalStepRecordedPayload {
  @IsString() @Length(1, 64) step!: string;
  @IsISO8601({ strict: true }) stepOccurredAt!: string;
  @IsString() @Length(1, 4000) note!: string;
  @IsOptional() @IsBoolean() reasonableSuspicion?: boolean;
}

/** `crisis.task.assigned.v1`: a task of the incident went to a person (the role's primary, or a deputy). */
export class TaskAssignedPayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 128) templateId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsUUID() assigneeId!: string;
  @IsObject() @ValidateNested() @Type(() => LocalizedText) title!: LocalizedText;
  @IsISO8601({ strict: true }) dueAt!: string;
  @IsInt() @Min(0) @Max(5) phase!: number;
  @IsIn(['critical', 'high', 'normal']) priority!: 'critical' | 'high' | 'normal';
  @IsBoolean() ackRequired!: boolean;
}

/** `crisis.task.acknowledged.v1`: the assignee picked the task up ("Ik pak het op"); escalation stops. */
export class TaskAcknowledgedPayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsUUID() assigneeId!: string;
}

/** `crisis.task.completed.v1`: the task is done, with what the person noted. */
export class TaskCompletedPayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsUUID() assigneeId!: string;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/** `crisis.task.dismissed.v1`: the task does not apply to this incident, and why. */
export class TaskDismissedPayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsString() @Length(1, 2000) reason!: string;
}

export const REASSIGN_REASONS = ['manual', 'unacknowledged', 'unavailable'] as const;

/** `crisis.task.reassigned.v1`: the task went to another person (the leader's choice, or the next deputy). */
export class TaskReassignedPayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsOptional() @IsUUID() fromAssigneeId!: string | null;
  @IsUUID() toAssigneeId!: string;
  @IsIn(REASSIGN_REASONS) reason!: (typeof REASSIGN_REASONS)[number];
  @IsObject() @ValidateNested() @Type(() => LocalizedText) title!: LocalizedText;
  @IsISO8601({ strict: true }) dueAt!: string;
  @IsIn(['critical', 'high', 'normal']) priority!: 'critical' | 'high' | 'normal';
}

/** `crisis.task.overdue.v1`: the due time passed and the task is not done (a flag, not an end). */
export class TaskOverduePayload {
  @IsUUID() taskId!: string;
  @IsString() @Length(1, 64) role!: string;
  @IsOptional() @IsUUID() assigneeId!: string | null;
  @IsISO8601({ strict: true }) dueAt!: string;
}

/**
 * What every notification event names: the notification, what it is about (a task, or an announcement of the
 * crisis team) and whom it is for. Never the text itself.
 */
export class NotificationRef {
  @IsUUID() notificationId!: string;
  @IsOptional() @IsUUID() taskId?: string;
  @IsOptional() @IsUUID() announcementId?: string;
  @IsUUID() personId!: string;
  @IsIn(NOTIFICATION_CHANNELS) channel!: NotificationChannel;
  @IsInt() @Min(1) attempt!: number;
}

/** `crisis.notification.sent.v1`: a notification was handed to its channel (push service or SMS provider). */
export class NotificationSentPayload extends NotificationRef {
  /** How many of the person's devices (push subscriptions) accepted it; 1 for an SMS. */
  @IsInt() @Min(1) devices!: number;
  /** `local-outbox`: no SMS provider is configured; the message was kept in the local outbox, NOT sent. */
  @IsOptional() @IsIn(['push-service', 'twilio', 'local-outbox']) provider?: 'push-service' | 'twilio' | 'local-outbox';
}

export const NOTIFICATION_FAILURE_STATUSES = ['failed', 'expired', 'unreachable'] as const;

/** `crisis.notification.failed.v1`: a notification did not reach the person on this channel. Never silent. */
export class NotificationFailedPayload extends NotificationRef {
  /** A stable reason code, e.g. `no_push_subscription`, `push_rejected`, `sms_undelivered`. */
  @IsString() @Length(1, 64) reason!: string;
  @IsOptional() @IsString() @MaxLength(500) detail?: string;
  /** failed (the channel refused or lost it), expired (too late, e.g. SMS validity), unreachable (no address). */
  @IsOptional() @IsIn(NOTIFICATION_FAILURE_STATUSES) status?: (typeof NOTIFICATION_FAILURE_STATUSES)[number];
}

/** `crisis.notification.delivered.v1`: the channel reports the message reached the phone (SMS receipt). */
export class NotificationDeliveredPayload extends NotificationRef {}

/** `crisis.notification.acknowledged.v1`: the person picked the task up after this notification reached them. */
export class NotificationAcknowledgedPayload extends NotificationRef {
  /** Seconds from queueing this notification to the acknowledgement. */
  @IsInt() @Min(0) afterSeconds!: number;
}

/** `crisis.notification.escalated.v1`: no acknowledgement (or no delivery) on one channel, so the next one is tried. */
export class NotificationEscalatedPayload {
  @IsUUID() taskId!: string;
  @IsUUID() personId!: string;
  @IsIn(NOTIFICATION_CHANNELS) fromChannel!: NotificationChannel;
  @IsIn(NOTIFICATION_CHANNELS) toChannel!: NotificationChannel;
  @IsIn(['no_acknowledgement', 'channel_failed']) reason!: 'no_acknowledgement' | 'channel_failed';
}

/** `crisis.notification.reply-received.v1`: a person answered an SMS. The text stays inside Crisisklaar. */
export class NotificationReplyReceivedPayload {
  @IsUUID() personId!: string;
  @IsOptional() @IsUUID() taskId?: string;
  @IsString() @MaxLength(1600) text!: string;
  /** acknowledged: the reply picked the task up; not-understood: logged and answered with the link; refused: activation said no. */
  @IsIn(['acknowledged', 'not-understood', 'refused']) outcome!: 'acknowledged' | 'not-understood' | 'refused';
}

export const ANNOUNCEMENT_AUDIENCES = ['all-staff', 'crisis-team', 'role'] as const;
export type AnnouncementAudience = (typeof ANNOUNCEMENT_AUDIENCES)[number];

/** `crisis.announcement.sent.v1`: the crisis team sent a message to an audience; push and SMS carry only a link. */
export class AnnouncementSentPayload {
  @IsUUID() announcementId!: string;
  @IsIn(ANNOUNCEMENT_AUDIENCES) audience!: AnnouncementAudience;
  @IsOptional() @IsString() @Length(1, 64) role?: string;
  /** Typed announcements are short (2,000); a released staff message may be longer. */
  @IsString() @Length(1, 20000) text!: string;
  @IsInt() @Min(0) recipients!: number;
}

/**
 * `crisis.notification.unacknowledged.v1`: every channel was tried and the person did not pick the task up.
 * Activation hands the task to the next deputy, or tells the leader the role is unstaffed.
 */
export class NotificationUnacknowledgedPayload {
  @IsUUID() taskId!: string;
  @IsUUID() personId!: string;
  @IsIn(NOTIFICATION_CHANNELS) lastChannel!: NotificationChannel;
  @IsInt() @Min(1) attempts!: number;
}

/**
 * `crisis.aftercare.due.v1`: an aftercare item (nazorg) is due; the notifier tells its owner with a link only.
 * The care reference (who is checked on) stays in the timeline, never in this event.
 */
export class AftercareDuePayload {
  @IsUUID() itemId!: string;
  @IsUUID() ownerId!: string;
  @IsString() @Length(1, 32) kind!: string;
  @IsISO8601({ strict: true }) dueAt!: string;
}

/** Aftercare (nazorg) items: their kinds, their states, and where a referral goes. */
export const AFTERCARE_KINDS = ['check-in', 'commemoration', 'anniversary', 'peer-attention', 'other'] as const;
export type AftercareKind = (typeof AFTERCARE_KINDS)[number];
/** scheduled → checked → fine, or → referred (GP, GGD, Slachtofferhulp) → closed. */
export const AFTERCARE_STATES = ['scheduled', 'checked', 'fine', 'referred', 'closed'] as const;
export type AftercareState = (typeof AFTERCARE_STATES)[number];
export const AFTERCARE_REFERRALS = ['gp', 'ggd', 'slachtofferhulp', 'other'] as const;
export type AftercareReferral = (typeof AFTERCARE_REFERRALS)[number];
