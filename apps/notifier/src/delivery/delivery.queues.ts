import type { NotificationChannel } from '#lib/contracts';

/**
 * Queue names, one per channel plus the escalation timers. WARNING: renaming one strands the jobs already
 * waiting in Redis (the reconciler would re-drive them from PostgreSQL, but only after its interval).
 */
export const WEB_PUSH_QUEUE = 'notification-web-push';
export const SMS_QUEUE = 'notification-sms';
export const ESCALATION_QUEUE = 'notification-escalation';

export const CHANNEL_QUEUES: Record<NotificationChannel, string> = { push: WEB_PUSH_QUEUE, sms: SMS_QUEUE };
export const ALL_QUEUES = [WEB_PUSH_QUEUE, SMS_QUEUE, ESCALATION_QUEUE] as const;

export interface PushJobData {
  notificationId: string;
  /** How often a push service's Retry-After already delayed this job. */
  retryAfterWaits?: number;
}
export interface SmsJobData {
  notificationId: string;
}

export interface EscalationJobData {
  chainId: string;
  step: number;
}

/** Deterministic job id: one job per subject (task or announcement), person, channel and attempt (no `:`). */
export function notificationJobId(subjectId: string, personId: string, channel: string, attempt: number): string {
  return `${subjectId}_${personId}_${channel}_${attempt}`;
}

/** One timer job per chain and step: a second add of the same wait is a no-op. */
export function escalationJobId(chainId: string, step: number): string {
  return `esc_${chainId}_${step}`;
}

const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  // Failed jobs stay for a week for a look in /admin/queues; their data is ids only (no personal data).
  removeOnFail: { age: 7 * 24 * 3600 },
};

export const PUSH_JOB_OPTIONS = { attempts: 6, backoff: { type: 'exponential' as const, delay: 1_000 }, ...KEEP };
export const SMS_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential' as const, delay: 1_000 }, ...KEEP };
export const ESCALATION_JOB_OPTIONS = { attempts: 10, backoff: { type: 'exponential' as const, delay: 500 }, ...KEEP };
