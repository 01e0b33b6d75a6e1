import { afterEach, describe, expect, it } from '@jest/globals';
import { buildEvent, EventSubject, type EventEnvelope } from '#lib/contracts';
import { waitFor } from '../../../../test/support/wait.js';
import type { EventPublisher } from '../jetstream/jetstream.client.js';
import { relayFaultPoint } from './outbox-relay.module.js';
import {
  OutboxRelay,
  relayBatch,
  type BatchResult,
  type OutboxRelayOptions,
  type OutboxStore,
  type PendingEvent,
} from './outbox-relay.js';

const incidentEvent = (n: number, incidentId = '0190a5b2-0000-7000-8000-000000000003'): EventEnvelope =>
  buildEvent(
    EventSubject.IncidentActivated,
    {
      boardId: '0190a5b2-0000-7000-8000-000000000001',
      schoolId: '0190a5b2-0000-7000-8000-000000000002',
      incidentId,
      actor: 'system',
      correlationId: `req-${n}`,
      causationId: null,
      drill: false,
    },
    { calamityType: 'fire', summary: `event ${n}`, status: 'active', taskCount: n, catalogVersion: '2026.11' },
  );

interface Row {
  id: string;
  envelope: EventEnvelope;
  published: boolean;
  attempts: number;
  lastError: string | null;
}

/** The outbox table in memory, with the same claim contract as TypeOrmOutboxStore (rows in insert order). */
class InMemoryOutboxStore implements OutboxStore {
  readonly rows: Row[] = [];
  /** Throw after `work` published, before the rows are marked: the process died between the two. */
  crashBeforeMarking = 0;

  add(...events: EventEnvelope[]): string[] {
    for (const envelope of events) {
      this.rows.push({ id: envelope.id, envelope, published: false, attempts: 0, lastError: null });
    }
    return events.map((e) => e.id);
  }

  pending(): string[] {
    return this.rows.filter((r) => !r.published).map((r) => r.id);
  }

  async claim(
    limit: number,
    work: (batch: PendingEvent[]) => Promise<BatchResult>,
  ): Promise<BatchResult & { claimed: number }> {
    const batch = this.rows.filter((r) => !r.published).slice(0, limit);
    if (batch.length === 0) {
      return { claimed: 0, published: [] };
    }
    const result = await work(batch.map(({ id, envelope }) => ({ id, envelope })));
    if (this.crashBeforeMarking > 0) {
      this.crashBeforeMarking -= 1;
      throw new Error('connection terminated before the rows were marked');
    }
    for (const row of batch) {
      if (result.published.includes(row.id)) {
        row.published = true;
        row.attempts += 1;
      }
      if (result.failed?.id === row.id) {
        row.attempts += 1;
        row.lastError = result.failed.error;
      }
    }
    return { ...result, claimed: batch.length };
  }
}

/** JetStream as the relay sees it: stores each Nats-Msg-Id once, answers `duplicate: true` on a repeat. */
class FakeStream implements EventPublisher {
  /** Every publish attempt, in order, with the Nats-Msg-Id it carried. */
  readonly attempts: { msgId: string; outcome: 'stored' | 'duplicate' | 'failed' }[] = [];
  readonly stored: EventEnvelope[] = [];
  /** Make the next n publishes fail, like NATS being down. */
  failNext = 0;
  /** Fail every publish of these event ids. */
  readonly poisoned = new Set<string>();

  async publishEvent(event: EventEnvelope): Promise<{ seq: number; duplicate: boolean }> {
    await Promise.resolve();
    if (this.failNext > 0 || this.poisoned.has(event.id)) {
      this.failNext = Math.max(0, this.failNext - 1);
      this.attempts.push({ msgId: event.id, outcome: 'failed' });
      throw new Error('TIMEOUT');
    }
    const existing = this.stored.findIndex((e) => e.id === event.id);
    if (existing >= 0) {
      this.attempts.push({ msgId: event.id, outcome: 'duplicate' });
      return { seq: existing + 1, duplicate: true };
    }
    this.stored.push(event);
    this.attempts.push({ msgId: event.id, outcome: 'stored' });
    return { seq: this.stored.length, duplicate: false };
  }

  storedIds(): string[] {
    return this.stored.map((e) => e.id);
  }
}

const events = (count: number): EventEnvelope[] => Array.from({ length: count }, (_, i) => incidentEvent(i + 1));

describe('relayBatch', () => {
  it('publishes a batch in outbox order and reports what went out', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const ids = store.add(...events(5));

    const result = await relayBatch(store, stream, 3);

    expect(result).toEqual({ claimed: 3, published: ids.slice(0, 3) });
    expect(stream.storedIds()).toEqual(ids.slice(0, 3));
    expect(store.pending()).toEqual(ids.slice(3));
  });

  it('stops at the first failure: the failed event and everything after it stay pending, in order', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const ids = store.add(...events(4));
    stream.poisoned.add(ids.at(1)!);

    const result = await relayBatch(store, stream, 10);

    expect(result).toEqual({ claimed: 4, published: [ids[0]], failed: { id: ids[1], error: 'TIMEOUT' } });
    // Events 3 and 4 were never tried: they must not overtake event 2.
    expect(stream.attempts.map((a) => a.msgId)).toEqual([ids[0], ids[1]]);
    expect(store.pending()).toEqual(ids.slice(1));
    expect(store.rows[1]).toMatchObject({ attempts: 1, lastError: 'TIMEOUT' });
  });

  it('publishes different incidents side by side, each in its own order; a failure holds up only its incident', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const a = store.add(...[1, 2, 3].map((n) => incidentEvent(n, '0190a5b2-0000-7000-8000-00000000000a')));
    const b = store.add(...[4, 5, 6].map((n) => incidentEvent(n, '0190a5b2-0000-7000-8000-00000000000b')));
    const c = store.add(...[7, 8].map((n) => incidentEvent(n, '0190a5b2-0000-7000-8000-00000000000c')));
    stream.poisoned.add(b[1]!);

    const result = await relayBatch(store, stream, 10);

    const order = stream.attempts.map((x) => x.msgId);
    // Side by side: the second and third incidents did not wait for the first to finish.
    expect(order.indexOf(b[0]!)).toBeLessThan(order.indexOf(a[2]!));
    expect(order.indexOf(c[0]!)).toBeLessThan(order.indexOf(a[2]!));
    // Each incident in its own order; the failed one stops at its failure and nothing of it after is tried.
    expect(order.filter((id) => a.includes(id))).toEqual(a);
    expect(order.filter((id) => b.includes(id))).toEqual(b.slice(0, 2));
    expect(order.filter((id) => c.includes(id))).toEqual(c);
    expect(result.failed).toEqual({ id: b[1], error: 'TIMEOUT' });
    expect(store.pending()).toEqual(b.slice(1));
  });

  it('calls the fault point after the batch is in the stream and before the rows are marked', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const ids = store.add(...events(2));
    let seen: { published: string[]; stored: string[]; pending: string[] } | undefined;

    await relayBatch(store, stream, 10, (published) => {
      seen = { published: [...published], stored: stream.storedIds(), pending: store.pending() };
    });

    expect(seen).toEqual({ published: ids, stored: ids, pending: ids });
    expect(store.pending()).toEqual([]);
  });

  it('reports nothing claimed on an empty outbox', async () => {
    await expect(relayBatch(new InMemoryOutboxStore(), new FakeStream(), 10)).resolves.toEqual({
      claimed: 0,
      published: [],
    });
  });
});

describe('OutboxRelay', () => {
  let relay: OutboxRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  const quiet: OutboxRelayOptions = { batchSize: 10, pollIntervalMs: 60_000, maxBackoffMs: 60_000 };

  it('drains the whole outbox, batch after batch, in order', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const ids = store.add(...events(25));
    const batches: number[] = [];
    relay = new OutboxRelay(store, stream, { ...quiet, onBatch: (r) => batches.push(r.published.length) });

    relay.start();
    await relay.drainNow();

    expect(stream.storedIds()).toEqual(ids);
    expect(stream.attempts.every((a) => a.outcome === 'stored')).toBe(true);
    expect(store.pending()).toEqual([]);
    expect(batches.slice(0, 3)).toEqual([10, 10, 5]);
  });

  it('publishes events committed while a round is running right after it, without waiting for the poll', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    relay = new OutboxRelay(store, stream, quiet); // polls only every minute: only nudges can explain a publish
    relay.start();

    const first = store.add(...events(3));
    relay.nudge();
    const second = store.add(incidentEvent(4)); // committed while the first round runs
    relay.nudge();

    await waitFor(() => store.pending().length === 0, {
      timeoutMs: 1_000,
      message: 'the outbox to drain after two nudges',
    });
    expect(stream.storedIds()).toEqual([...first, ...second]);
  });

  it('retries after a failure until the events are out, without reordering them', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const failures: string[] = [];
    const ids = store.add(...events(3));
    stream.failNext = 3; // NATS is down for three attempts
    relay = new OutboxRelay(store, stream, {
      batchSize: 10,
      pollIntervalMs: 5,
      maxBackoffMs: 20,
      onBatch: (r) => r.failed && failures.push(r.failed.id),
    });

    relay.start();
    await waitFor(() => store.pending().length === 0, { timeoutMs: 2_000, message: 'the relay to recover' });

    expect(failures).toEqual([ids[0], ids[0], ids[0]]);
    expect(stream.storedIds()).toEqual(ids);
    expect(store.rows[0]).toMatchObject({ published: true, attempts: 4, lastError: 'TIMEOUT' });
  });

  it('republishes the same ids after a crash between publish and mark, and the stream deduplicates them', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    const errors: unknown[] = [];
    const ids = store.add(...events(2));
    store.crashBeforeMarking = 1;
    relay = new OutboxRelay(store, stream, { ...quiet, onError: (e) => errors.push(e) });

    await relay.drainNow(); // publishes both, then "crashes" before marking them
    expect(errors).toHaveLength(1);
    expect(store.pending()).toEqual(ids);

    await relay.drainNow(); // the next round finds them still pending
    expect(store.pending()).toEqual([]);
    expect(stream.attempts).toEqual([
      { msgId: ids[0], outcome: 'stored' },
      { msgId: ids[1], outcome: 'stored' },
      { msgId: ids[0], outcome: 'duplicate' },
      { msgId: ids[1], outcome: 'duplicate' },
    ]);
    expect(stream.storedIds()).toEqual(ids);
  });

  it('publishes nothing more once stopped', async () => {
    const store = new InMemoryOutboxStore();
    const stream = new FakeStream();
    relay = new OutboxRelay(store, stream, { ...quiet, pollIntervalMs: 5 });
    relay.start();
    await relay.stop();

    store.add(incidentEvent(1));
    relay.nudge();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.attempts).toEqual([]);
  });
});

describe('relayFaultPoint', () => {
  const log = { error: () => undefined };

  it('is off unless FAULT_INJECTION names it', () => {
    expect(relayFaultPoint({ NODE_ENV: 'test' }, log)).toBeUndefined();
    expect(relayFaultPoint({ NODE_ENV: 'test', FAULT_INJECTION: 'something-else' }, log)).toBeUndefined();
    expect(relayFaultPoint({ NODE_ENV: 'test', FAULT_INJECTION: 'relay-crash-after-publish' }, log)).toBeInstanceOf(
      Function,
    );
  });

  it('is refused in production', () => {
    expect(() =>
      relayFaultPoint({ NODE_ENV: 'production', FAULT_INJECTION: 'relay-crash-after-publish' }, log),
    ).toThrow(/refused with NODE_ENV=production/);
  });
});
