import { describe, expect, it } from '@jest/globals';
import {
  channelPlan,
  deadlineFrom,
  decide,
  jobPriority,
  QUEUED_RECHECK_MS,
  QUEUED_STEP_LIMIT_WAITS,
  queuePriority,
  RANKS_PER_CLASS,
  waitEndsAt,
  type ChainSnapshot,
} from './escalation-policy.js';

const chain = (overrides: Partial<ChainSnapshot> = {}): ChainSnapshot => ({
  channels: ['push', 'sms'],
  step: 0,
  state: 'running',
  ackRequired: true,
  ...overrides,
});

describe('escalation policy', () => {
  it('moves from push to SMS when the wait for an acknowledgement runs out', () => {
    expect(decide(chain(), { kind: 'timer', step: 0 })).toEqual({
      kind: 'next-channel',
      step: 1,
      channel: 'sms',
      reason: 'no_acknowledgement',
    });
  });

  it('gives up on the person after the last channel, so activation can hand the task to the deputy', () => {
    expect(decide(chain({ step: 1 }), { kind: 'timer', step: 1 })).toEqual({ kind: 'exhausted' });
    expect(decide(chain({ step: 1 }), { kind: 'channel-failed', step: 1 })).toEqual({ kind: 'exhausted' });
  });

  it('does not wait when a channel fails: the next one is tried at once', () => {
    expect(decide(chain(), { kind: 'channel-failed', step: 0 })).toMatchObject({
      kind: 'next-channel',
      channel: 'sms',
      reason: 'channel_failed',
    });
  });

  it('never moves an acknowledged or stopped chain, whatever arrives late', () => {
    for (const state of ['acknowledged', 'stopped', 'exhausted', 'reached'] as const) {
      expect(decide(chain({ state }), { kind: 'timer', step: 0 })).toEqual({ kind: 'ignore' });
      expect(decide(chain({ state }), { kind: 'channel-failed', step: 0 })).toEqual({ kind: 'ignore' });
    }
  });

  it('ignores a timer or a callback about an earlier step (a duplicate job, a late receipt)', () => {
    expect(decide(chain({ step: 1 }), { kind: 'timer', step: 0 })).toEqual({ kind: 'ignore' });
    expect(decide(chain({ step: 1 }), { kind: 'channel-failed', step: 0 })).toEqual({ kind: 'ignore' });
  });

  it('ends a chain that needs no acknowledgement once the message reached the person', () => {
    const info = chain({ ackRequired: false });
    expect(decide(info, { kind: 'channel-reached', step: 0 })).toEqual({ kind: 'reached' });
    expect(decide(info, { kind: 'timer', step: 0 })).toEqual({ kind: 'ignore' });
    expect(decide(info, { kind: 'channel-failed', step: 0 })).toMatchObject({ kind: 'next-channel', channel: 'sms' });
    expect(decide(chain(), { kind: 'channel-reached', step: 0 })).toEqual({ kind: 'ignore' });
  });

  it('orders channels by the person’s preference and always keeps SMS as a fallback', () => {
    expect(channelPlan(undefined)).toEqual(['push', 'sms']);
    expect(channelPlan(['sms'])).toEqual(['sms', 'push']);
    expect(channelPlan(['sms', 'sms', 'push'])).toEqual(['sms', 'push']);
  });

  it('waits per priority, and not at all where no acknowledgement is asked', () => {
    const now = new Date('2026-11-28T08:00:00Z');
    const waits = { critical: 180, high: 300, normal: 900 };
    expect(deadlineFrom(now, 'critical', waits, true)?.toISOString()).toBe('2026-11-28T08:03:00.000Z');
    expect(deadlineFrom(now, 'normal', waits, true)?.toISOString()).toBe('2026-11-28T08:15:00.000Z');
    expect(deadlineFrom(now, 'critical', waits, false)).toBeNull();
  });

  it('serves crisis-team tasks before messages to all staff', () => {
    expect(queuePriority('task', 'critical')).toBeLessThan(queuePriority('announcement', 'normal', 'all-staff'));
    expect(queuePriority('task', 'normal')).toBeLessThan(queuePriority('announcement', 'normal', 'all-staff'));
    expect(queuePriority('announcement', 'normal', 'crisis-team')).toBeLessThan(
      queuePriority('announcement', 'normal', 'all-staff'),
    );
  });

  it('ranks a job within its class only: every incident’s first before any incident’s second, classes kept apart', () => {
    const critical = queuePriority('task', 'critical');
    const high = queuePriority('task', 'high');
    const allStaff = queuePriority('announcement', 'normal', 'all-staff');
    // The fiftieth school's first critical assignment before the first school's second.
    expect(jobPriority(critical, 0)).toBeLessThan(jobPriority(critical, 1));
    // However far down its incident's list, a critical task goes before any high one, and any task before an
    // all-staff message (also past the last rank, which the rest share).
    expect(jobPriority(critical, 500)).toBeLessThan(jobPriority(high, 0));
    expect(jobPriority(critical, RANKS_PER_CLASS - 1)).toBe(jobPriority(critical, 500));
    expect(jobPriority(queuePriority('task', 'normal'), 10_000)).toBeLessThan(jobPriority(allStaff, 0));
    // Within BullMQ's range (1 … 2^21), and never 0 (which BullMQ treats as no priority).
    expect(jobPriority(critical, 0)).toBeGreaterThanOrEqual(1);
    expect(jobPriority(allStaff, 10_000)).toBeLessThanOrEqual(2 ** 21);
  });
});

describe('waitEndsAt: the wait runs from when the channel took the notification', () => {
  const wait = 180_000;
  const t0 = new Date('2026-11-28T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('lets the timer decide when the notification left on time', () => {
    expect(waitEndsAt({ status: 'sent', createdAt: t0, sentAt: at(200) }, wait, at(wait + 200))).toBeNull();
    expect(waitEndsAt({ status: 'delivered', createdAt: t0, sentAt: at(0) }, wait, at(wait + 5_000))).toBeNull();
  });

  it('moves the end to a full wait after a late hand-over', () => {
    // Queued at t0, taken by Twilio only 100 s later: the person gets the whole 180 s from then.
    expect(waitEndsAt({ status: 'sent', createdAt: t0, sentAt: at(100_000) }, wait, at(wait))).toEqual(at(280_000));
  });

  it('keeps looking while the notification is still queued, and moves on after three waits all the same', () => {
    expect(waitEndsAt({ status: 'queued', createdAt: t0, sentAt: null }, wait, at(wait))).toEqual(
      at(wait + QUEUED_RECHECK_MS),
    );
    expect(waitEndsAt({ status: 'queued', createdAt: t0, sentAt: null }, 2_000, at(2_000))).toEqual(at(4_000));
    expect(
      waitEndsAt({ status: 'queued', createdAt: t0, sentAt: null }, wait, at(QUEUED_STEP_LIMIT_WAITS * wait)),
    ).toBeNull();
  });

  it('does not hold up a step whose channel failed or that has no notification', () => {
    expect(waitEndsAt({ status: 'failed', createdAt: t0, sentAt: null }, wait, at(wait))).toBeNull();
    expect(waitEndsAt(null, wait, at(wait))).toBeNull();
  });
});
