import { describe, expect, it } from '@jest/globals';
import { channelPlan, deadlineFrom, decide, queuePriority, type ChainSnapshot } from './escalation-policy.js';

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
});
