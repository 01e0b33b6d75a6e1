import type { NotificationChannel } from '#lib/contracts';

/**
 * running: a channel is being tried or its wait runs; reached: delivered where no acknowledgement is asked;
 * acknowledged: the person picked the task up; stopped: the task finished, moved or the incident closed;
 * exhausted: every channel was tried without an acknowledgement (and activation was told).
 */
export type ChainState = 'running' | 'reached' | 'acknowledged' | 'stopped' | 'exhausted';

export type TaskPriority = 'critical' | 'high' | 'normal';

/** How long to wait for an acknowledgement per channel, by task priority. */
export type EscalationWaits = Record<TaskPriority, number>;

export interface ChainSnapshot {
  channels: readonly NotificationChannel[];
  step: number;
  state: ChainState;
  ackRequired: boolean;
}

/** What happened to a chain: its wait ran out, or its current channel answered. */
export type ChainInput =
  | { kind: 'timer'; step: number }
  | { kind: 'channel-failed'; step: number }
  | { kind: 'channel-reached'; step: number };

export type ChainDecision =
  | { kind: 'ignore' }
  | {
      kind: 'next-channel';
      step: number;
      channel: NotificationChannel;
      reason: 'no_acknowledgement' | 'channel_failed';
    }
  | { kind: 'exhausted' }
  | { kind: 'reached' };

/**
 * The escalation rule, decided from the chain alone: a late timer or a callback about an earlier step changes
 * nothing; an acknowledged or stopped chain never moves again. A channel that fails moves on at once (waiting
 * would only lose minutes); a channel that reached the person moves on only when its wait runs out.
 */
export function decide(chain: ChainSnapshot, input: ChainInput): ChainDecision {
  if (chain.state !== 'running' || input.step !== chain.step) {
    return { kind: 'ignore' };
  }
  if (input.kind === 'channel-reached') {
    return chain.ackRequired ? { kind: 'ignore' } : { kind: 'reached' };
  }
  if (input.kind === 'timer' && !chain.ackRequired) {
    return { kind: 'ignore' };
  }
  const next = chain.step + 1;
  const channel = chain.channels[next];
  if (channel === undefined) {
    return { kind: 'exhausted' };
  }
  return {
    kind: 'next-channel',
    step: next,
    channel,
    reason: input.kind === 'timer' ? 'no_acknowledgement' : 'channel_failed',
  };
}

/** The person's channels in their order of preference, each once; SMS is always a fallback when it is missing. */
export function channelPlan(preference: readonly NotificationChannel[] | undefined): NotificationChannel[] {
  const order: NotificationChannel[] = [];
  for (const channel of [...(preference ?? []), 'push', 'sms'] as const) {
    if (!order.includes(channel)) {
      order.push(channel);
    }
  }
  return order;
}

/** The end of the wait that starts now for a task of `priority` (null: nothing to wait for). */
export function deadlineFrom(
  now: Date,
  priority: TaskPriority,
  waits: EscalationWaits,
  ackRequired: boolean,
): Date | null {
  return ackRequired ? new Date(now.getTime() + waits[priority] * 1000) : null;
}

/** How long a step may stay undelivered to its channel (still queued) before the chain moves on anyway, in waits. */
export const QUEUED_STEP_LIMIT_WAITS = 3;
/** While a step's notification is still queued, its timer looks again this often (at most one wait). */
export const QUEUED_RECHECK_MS = 5_000;

/**
 * When the wait of a chain's current step really ends. The wait is for the person to react to what reached them,
 * so it runs from the moment the channel took the notification (`sentAt`), not from when it was queued: under a
 * backlog a step must not time out before its push or SMS even left. Returns the later end, or null when the
 * timer may decide now. A step still queued is looked at again shortly, and moves on after
 * {@link QUEUED_STEP_LIMIT_WAITS} waits all the same (the queue may be stuck; the next channel may work).
 */
export function waitEndsAt(
  step: { status: string; createdAt: Date; sentAt: Date | null } | null,
  waitMs: number,
  now: Date,
): Date | null {
  if (!step) {
    return null;
  }
  if (step.status === 'queued') {
    const queuedFor = now.getTime() - step.createdAt.getTime();
    return queuedFor < QUEUED_STEP_LIMIT_WAITS * waitMs
      ? new Date(now.getTime() + Math.min(waitMs, QUEUED_RECHECK_MS))
      : null;
  }
  if (step.sentAt && step.sentAt.getTime() + waitMs > now.getTime()) {
    return new Date(step.sentAt.getTime() + waitMs);
  }
  return null;
}

/** Queue priority of a notification (BullMQ: 1 is served first): crisis-team tasks before messages to all staff. */
export function queuePriority(kind: 'task' | 'announcement', priority: TaskPriority, audience?: string): number {
  if (kind === 'announcement') {
    return audience === 'all-staff' ? 20 : 5;
  }
  return priority === 'critical' ? 1 : priority === 'high' ? 2 : 10;
}

/** Places within one priority class of the send queues (see {@link jobPriority}). */
export const RANKS_PER_CLASS = 64;

/**
 * A send job's BullMQ priority (lower goes first): its class (the notification's priority: a critical task 1 …
 * an all-staff announcement 20) and, within the class, its rank among the notifications of its incident that were
 * queued together (a trigger's assignments that started in one transaction, an announcement's recipients), the
 * most urgent first. Every class keeps its place (a crisis-team SMS before any all-staff SMS); within a class,
 * every incident's first goes before any incident's second, so when fifty schools trigger at once the first
 * person of the fiftieth school does not wait behind the thirty-odd of each school that triggered a moment
 * earlier. A job queued on its own (a chain's next step, a job re-queued after Redis lost it) has rank 0.
 */
export function jobPriority(classPriority: number, rank: number): number {
  return classPriority * RANKS_PER_CLASS + Math.min(Math.max(0, rank), RANKS_PER_CLASS - 1);
}
