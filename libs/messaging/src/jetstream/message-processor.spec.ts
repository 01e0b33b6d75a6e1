import { describe, expect, it } from '@jest/globals';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import {
  backoffFor,
  processMessage,
  type ConsumedMessage,
  type Outcome,
  type ProcessorPorts,
  type ProcessorRules,
} from './message-processor.js';
import { taskAssignedEvent } from '../../../../test/support/events.js';

const rules: ProcessorRules = { maxDeliver: 3, backoffMs: [100, 1_000, 5_000], ackWaitMs: 30_000 };

const event = (): EventEnvelope<typeof EventSubject.TaskAssigned> => taskAssignedEvent();

const encode = (value: unknown): Uint8Array =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

/** A JetStream message as the processor sees it, recording what was done to it, in order. */
class FakeMessage implements ConsumedMessage {
  readonly log: string[] = [];
  readonly naks: number[] = [];
  readonly terms: string[] = [];
  workingCalls = 0;
  ackError?: Error;

  constructor(
    readonly data: Uint8Array,
    readonly deliveryCount = 1,
    readonly subject: string = EventSubject.TaskAssigned,
  ) {}

  async ack(): Promise<void> {
    this.log.push('ack');
    await Promise.resolve();
    if (this.ackError) {
      throw this.ackError;
    }
  }
  nak(delayMs: number): void {
    this.log.push('nak');
    this.naks.push(delayMs);
  }
  term(reason: string): void {
    this.log.push('term');
    this.terms.push(reason);
  }
  working(): void {
    this.workingCalls += 1;
  }
}

interface Recorder extends ProcessorPorts {
  handled: EventEnvelope[];
  deadLetters: { reason: string; data: Uint8Array }[];
  outcomes: { outcome: Outcome; subject: string; detail?: string }[];
}

function ports(
  message: FakeMessage,
  options: { handle?: (event: EventEnvelope) => Promise<void>; deadLetterFails?: boolean } = {},
): Recorder {
  const recorder: Recorder = {
    handled: [],
    deadLetters: [],
    outcomes: [],
    handle: async (e) => {
      recorder.handled.push(e);
      message.log.push('handle');
      await (options.handle ?? (() => Promise.resolve()))(e);
      message.log.push('handled');
    },
    deadLetter: async (m, reason) => {
      message.log.push('deadLetter');
      await Promise.resolve();
      if (options.deadLetterFails) {
        throw new Error('CRISIS_DEADLETTER: no responders');
      }
      recorder.deadLetters.push({ reason, data: m.data });
    },
    onOutcome: (outcome, subject, detail) => recorder.outcomes.push({ outcome, subject, detail }),
  };
  return recorder;
}

const failing = (message: string) => (): Promise<void> => Promise.reject(new Error(message));

describe('processMessage', () => {
  it('acks only after the handler resolved, and hands the handler the parsed event', async () => {
    const sent = event();
    const message = new FakeMessage(encode(sent));
    let finish!: () => void;
    const recorder = ports(message, { handle: () => new Promise<void>((resolve) => (finish = resolve)) });

    const outcome = processMessage(message, rules, recorder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(message.log).toEqual(['handle']); // the handler (its transaction) is still running: no ack yet

    finish();
    await expect(outcome).resolves.toBe('acked');
    expect(message.log).toEqual(['handle', 'handled', 'ack']);
    expect(recorder.handled).toEqual([sent]);
    expect(message.naks).toEqual([]);
    expect(message.terms).toEqual([]);
    expect(recorder.outcomes).toEqual([{ outcome: 'acked', subject: EventSubject.TaskAssigned, detail: undefined }]);
  });

  it.each([
    [1, 100],
    [2, 1_000],
  ])(
    'naks a failed delivery %i with its backoff (%i ms) and neither acks nor dead-letters',
    async (deliveryCount, delay) => {
      const message = new FakeMessage(encode(event()), deliveryCount);
      const recorder = ports(message, { handle: failing('database unavailable') });

      await expect(processMessage(message, rules, recorder)).resolves.toBe('retry');
      expect(message.log).toEqual(['handle', 'nak']);
      expect(message.naks).toEqual([delay]);
      expect(recorder.deadLetters).toEqual([]);
      expect(recorder.outcomes).toEqual([
        { outcome: 'retry', subject: EventSubject.TaskAssigned, detail: 'database unavailable' },
      ]);
    },
  );

  it.each([3, 5])(
    'dead-letters with the reason, then terms, when delivery %i fails (maxDeliver 3)',
    async (deliveryCount) => {
      const message = new FakeMessage(encode(event()), deliveryCount);
      const recorder = ports(message, { handle: failing('database unavailable') });

      await expect(processMessage(message, rules, recorder)).resolves.toBe('dead-lettered');
      expect(message.log).toEqual(['handle', 'deadLetter', 'term']);
      expect(recorder.deadLetters).toEqual([
        { reason: `handler failed ${deliveryCount} times: database unavailable`, data: message.data },
      ]);
      expect(message.terms).toEqual([`handler failed ${deliveryCount} times: database unavailable`]);
      expect(message.naks).toEqual([]);
      expect(recorder.outcomes.map((o) => o.outcome)).toEqual(['dead-lettered']);
    },
  );

  it('keeps the whole reason in the dead letter but a short one on the term', async () => {
    const message = new FakeMessage(encode(event()), 3);
    const recorder = ports(message, { handle: failing('x'.repeat(500)) });

    await processMessage(message, rules, recorder);
    expect(recorder.deadLetters.at(0)?.reason).toHaveLength('handler failed 3 times: '.length + 500);
    expect(message.terms.at(0)?.length).toBeLessThanOrEqual(200);
  });

  it('dead-letters a message that is not JSON at once, without calling the handler', async () => {
    const message = new FakeMessage(encode('{"id": "0190a5b2-'));
    const recorder = ports(message);

    await expect(processMessage(message, rules, recorder)).resolves.toBe('dead-lettered');
    expect(recorder.handled).toEqual([]);
    expect(recorder.deadLetters).toEqual([{ reason: 'message is not valid JSON', data: message.data }]);
    expect(message.log).toEqual(['deadLetter', 'term']);
  });

  it('dead-letters an invalid event at once, naming the field, without calling the handler', async () => {
    const bad = event() as unknown as { payload: Record<string, unknown> };
    bad.payload.assigneeId = 'jan.de.vries';
    const message = new FakeMessage(encode(bad));
    const recorder = ports(message);

    await expect(processMessage(message, rules, recorder)).resolves.toBe('dead-lettered');
    expect(recorder.handled).toEqual([]);
    expect(recorder.deadLetters).toHaveLength(1);
    expect(recorder.deadLetters.at(0)?.reason).toMatch(/^invalid event: payload\.assigneeId: /);
    expect(message.log).toEqual(['deadLetter', 'term']);
    expect(message.naks).toEqual([]);
  });

  it('dead-letters an event published on the wrong subject', async () => {
    const message = new FakeMessage(encode(event()), 1, EventSubject.NotificationSent);
    const recorder = ports(message);

    await expect(processMessage(message, rules, recorder)).resolves.toBe('dead-lettered');
    expect(recorder.handled).toEqual([]);
    expect(recorder.deadLetters.at(0)?.reason).toContain('does not match the subject crisis.notification.sent.v1');
  });

  it('naks instead of terming when the dead letter cannot be stored, so nothing is lost', async () => {
    const message = new FakeMessage(encode(event()), 3);
    const recorder = ports(message, { handle: failing('database unavailable'), deadLetterFails: true });

    await expect(processMessage(message, rules, recorder)).resolves.toBe('retry');
    expect(message.log).toEqual(['handle', 'deadLetter', 'nak']);
    expect(message.terms).toEqual([]);
    expect(message.naks).toEqual([5_000]);
    expect(recorder.outcomes).toEqual([
      { outcome: 'retry', subject: EventSubject.TaskAssigned, detail: expect.stringContaining('dead letter failed') },
    ]);
  });

  it('naks an invalid message when the dead letter cannot be stored', async () => {
    const message = new FakeMessage(encode('not json'));
    const recorder = ports(message, { deadLetterFails: true });

    await expect(processMessage(message, rules, recorder)).resolves.toBe('retry');
    expect(message.terms).toEqual([]);
    expect(message.naks).toEqual([100]);
  });

  it('counts a lost ack confirmation as acked: the effect happened, redelivery is the inbox problem', async () => {
    const message = new FakeMessage(encode(event()));
    message.ackError = new Error('TIMEOUT');
    const recorder = ports(message);

    await expect(processMessage(message, rules, recorder)).resolves.toBe('acked');
    expect(message.log).toEqual(['handle', 'handled', 'ack']);
    expect(message.naks).toEqual([]);
    expect(message.terms).toEqual([]);
    expect(recorder.deadLetters).toEqual([]);
    expect(recorder.outcomes).toEqual([
      { outcome: 'acked', subject: EventSubject.TaskAssigned, detail: expect.stringContaining('ack not confirmed') },
    ]);
  });

  it('tells the server the handler is still working while it runs longer than a third of ackWait, and stops after', async () => {
    const message = new FakeMessage(encode(event()));
    const recorder = ports(message, { handle: () => new Promise((resolve) => setTimeout(resolve, 260)) });

    await processMessage(message, { ...rules, ackWaitMs: 300 }, recorder);
    const whileRunning = message.workingCalls;
    expect(whileRunning).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(message.workingCalls).toBe(whileRunning);
  });
});

describe('backoffFor', () => {
  const backoff = [250, 1_000, 5_000];
  it.each([
    [1, 250],
    [2, 1_000],
    [3, 5_000],
    [4, 5_000], // the last value repeats
    [50, 5_000],
    [0, 250], // clamped: a delivery count is at least 1
  ])('delivery %i waits %i ms', (deliveryCount, expected) => {
    expect(backoffFor(deliveryCount, backoff)).toBe(expected);
  });

  it('is 0 without a backoff list', () => {
    expect(backoffFor(3, [])).toBe(0);
  });
});
