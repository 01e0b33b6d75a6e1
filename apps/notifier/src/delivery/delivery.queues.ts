/**
 * Queue names. WARNING: renaming one strands the jobs already waiting in Redis (the reconciler would
 * re-drive them from PostgreSQL, but only after its interval).
 */
export const WEB_PUSH_QUEUE = 'notification-web-push';

export interface PushJobData {
  notificationId: string;
}

/** Deterministic job id: one job per task, person, channel and attempt (BullMQ ids may not contain `:`). */
export function notificationJobId(taskId: string, personId: string, channel: string, attempt: number): string {
  return `${taskId}_${personId}_${channel}_${attempt}`;
}

export const PUSH_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};
