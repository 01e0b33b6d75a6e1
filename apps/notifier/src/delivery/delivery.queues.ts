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

/**
 * How soon a job whose notifier died (SIGKILL, OOM, a lost machine) runs again elsewhere: its lock lapses after
 * `lockDuration` and the stalled-job check runs every `stalledInterval`. BullMQ's defaults (30 s + 30 s) let a
 * crash hold a crisis-team push for up to a minute; a running job renews its lock every `lockDuration / 2`, so
 * only an event loop blocked for 15 s would be taken for a crash (and a re-run sends nothing twice: devices that
 * have a push are skipped, an SMS with a stored SID is not sent again).
 */
export const WORKER_LOCKS = { lockDuration: 15_000, stalledInterval: 5_000 } as const;

export const PUSH_JOB_OPTIONS = { attempts: 6, backoff: { type: 'exponential' as const, delay: 1_000 }, ...KEEP };
export const SMS_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential' as const, delay: 1_000 }, ...KEEP };
export const ESCALATION_JOB_OPTIONS = { attempts: 10, backoff: { type: 'exponential' as const, delay: 500 }, ...KEEP };
