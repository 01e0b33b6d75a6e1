import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_STREAM, EVENT_STREAM, EventSubject, type EventEnvelope } from '#lib/contracts';
import { taskAssignedEvent } from '../../../../test/support/events.js';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { JetStreamClient } from './jetstream.client.js';
import { durableName, jetStreamDefaults } from './jetstream.options.js';
import { JETSTREAM, JetStreamServer } from './jetstream.server.js';
import { ensureStream } from './streams.js';

type TaskAssigned = EventEnvelope<typeof EventSubject.TaskAssigned>;

/** Every call of the handler: the incidents and templates it was given, in order, and whether it succeeded. */
const calls: { incidentIds: string[]; taskIds: string[]; ok: boolean }[] = [];
/** A task id the handler fails on, whatever else is in the batch. */
const POISON = 'poison';

@Controller()
class BatchHandler {
  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM)
  async onTaskAssigned(@Payload() events: TaskAssigned[]): Promise<void> {
    const taskIds = events.map((e) => e.payload.templateId ?? e.payload.taskId);
    await sleep(30); // the handler's one transaction
    const ok = !taskIds.includes(POISON);
    calls.push({ incidentIds: events.map((e) => e.incidentId), taskIds, ok });
    if (!ok) {
      throw new Error('the store refused one of them');
    }
  }
}

/**
 * `batch` against a private nats-server: what waits is handed to the handler at once, in the stream's order, and
 * acked; a batch that fails is handled again a message at a time, so the others are recorded and only the bad
 * one is retried and dead-lettered.
 */
describe('JetStreamServer: batches (batch)', () => {
  let nats: PrivateNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamClient;
  let app: INestApplication | undefined;
  let server: JetStreamServer | undefined;

  const start = async (name: string, batchLingerMs?: number): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({ controllers: [BatchHandler] }).compile();
    const started = moduleRef.createNestApplication({ logger: false });
    started.connectMicroservice({
      strategy: (server = new JetStreamServer(
        jetStreamDefaults(name, [nats.url], 1, {
          batch: 8,
          batchLingerMs,
          ackWaitMs: 1_000,
          maxDeliver: 2,
          backoffMs: [100],
        }),
      )),
    });
    await started.startAllMicroservices();
    await started.init();
    return started;
  };

  /** Publishes one incident's events; each test's consumer is new and reads the stream from its start. */
  const publishAll = async (templateIds: string[]): Promise<string> => {
    const incidentId = randomUUID();
    for (const templateId of templateIds) {
      await publisher.publishEvent(taskAssignedEvent({ taskId: randomUUID(), templateId }, { incidentId }));
    }
    return incidentId;
  };
  /** The handler's calls about that incident only. */
  const callsAbout = (incidentId: string) =>
    calls
      .filter((c) => c.incidentIds.includes(incidentId))
      .map((c) => ({ taskIds: c.taskIds.filter((_, i) => c.incidentIds[i] === incidentId), ok: c.ok }));

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    // The streams exist before a consumer starts, so that events can wait for it.
    const defaults = jetStreamDefaults('batch', [nats.url]);
    await ensureStream(jsm, defaults.stream);
    await ensureStream(jsm, defaults.deadLetterStream);
    publisher = new JetStreamClient({ servers: [nats.url], name: 'batch-publisher' });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await publisher?.close();
    await nc?.close();
    await nats?.dispose();
  });

  it('hands the handler what waits, up to the batch size, in the order published, and acks each once', async () => {
    calls.length = 0;
    const published = Array.from({ length: 40 }, (_, i) => `t.${i}`);
    const incidentId = await publishAll(published); // before the consumer starts: all 40 wait
    app = await start('batchorder');
    await waitFor(() => callsAbout(incidentId).flatMap((c) => c.taskIds).length >= 40, { timeoutMs: 20_000 });
    await sleep(1_500); // longer than the ack wait: anything left unacked would come again now

    const ours = callsAbout(incidentId);
    expect(ours.flatMap((c) => c.taskIds)).toEqual(published); // in order, each once
    // The first is taken at once, alone; the rest gather while a batch is handled, at most 8 at a time.
    const sizes = ours.map((c) => c.taskIds.length);
    expect(Math.max(...sizes)).toBe(8);
    expect(sizes.length).toBeLessThanOrEqual(7);
    const info = await jsm.consumers.info(EVENT_STREAM.name, durableName('batchorder', EventSubject.TaskAssigned));
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  }, 60_000);

  describe('with a linger (batchLingerMs)', () => {
    const LINGER_MS = 1_500;
    /** Starts a consumer with the linger and waits until it has taken what the stream held before (earlier tests). */
    const startIdle = async (name: string): Promise<void> => {
      const before = await publishAll(['before']);
      app = await start(name, LINGER_MS);
      await waitFor(() => callsAbout(before).length > 0, { timeoutMs: 20_000 });
      await sleep(200);
    };

    it('gathers events that arrive one by one at an idle consumer into one batch', async () => {
      calls.length = 0;
      await startIdle('batchlinger');
      const incidentId = randomUUID();
      const published = ['l.1', 'l.2', 'l.3', 'l.4', 'l.5'];
      for (const templateId of published) {
        await publisher.publishEvent(taskAssignedEvent({ taskId: randomUUID(), templateId }, { incidentId }));
        await sleep(50);
      }
      await waitFor(() => callsAbout(incidentId).length > 0, { timeoutMs: 20_000 });
      await sleep(500);

      // Without the linger the first is taken at once, alone, and the others follow in smaller batches.
      expect(callsAbout(incidentId)).toEqual([{ taskIds: published, ok: true }]);
    }, 60_000);

    it('hands over a lone event after the linger, and a full batch at once', async () => {
      calls.length = 0;
      await startIdle('batchlingerlone');
      const lone = await publishAll(['alone']);
      await sleep(LINGER_MS / 3);
      expect(callsAbout(lone)).toEqual([]); // still gathering
      await waitFor(() => callsAbout(lone).length > 0, { timeoutMs: 20_000 });
      expect(callsAbout(lone)).toEqual([{ taskIds: ['alone'], ok: true }]);

      await sleep(200);
      const full = Array.from({ length: 8 }, (_, i) => `f.${i}`);
      const published = performance.now();
      const burst = await publishAll(full);
      await waitFor(() => callsAbout(burst).length > 0, { timeoutMs: 20_000 });
      // Eight waiting is a whole batch: it does not wait for the linger.
      expect(performance.now() - published).toBeLessThan(LINGER_MS);
      expect(callsAbout(burst)).toEqual([{ taskIds: full, ok: true }]);
    }, 60_000);

    it('hands over what waits for the linger when asked, and returns once it is handled', async () => {
      calls.length = 0;
      await startIdle('batchhandover');
      await server!.handOverWaiting(); // nothing waits: returns at once

      const waiting = await publishAll(['w.1', 'w.2', 'w.3']);
      await sleep(200); // they have arrived and wait for the linger
      expect(callsAbout(waiting)).toEqual([]);
      await server!.handOverWaiting();
      // Handled before handOverWaiting returned, long before the linger would have handed them over.
      expect(callsAbout(waiting)).toEqual([{ taskIds: ['w.1', 'w.2', 'w.3'], ok: true }]);

      // What arrives afterwards waits for the linger again.
      const later = await publishAll(['later']);
      await sleep(200);
      expect(callsAbout(later)).toEqual([]);
      await waitFor(() => callsAbout(later).length > 0, { timeoutMs: 20_000 });
    }, 60_000);
  });

  it('handles a failed batch a message at a time: the others once, the bad one retried, then dead-lettered', async () => {
    calls.length = 0;
    const published = ['a', 'b', POISON, 'c', 'd'];
    const incidentId = await publishAll(published);
    app = await start('batchpoison');
    const poisoned = () => callsAbout(incidentId).filter((c) => c.taskIds.includes(POISON));
    await waitFor(() => poisoned().length >= 3, { timeoutMs: 20_000 });
    await sleep(1_500);

    const ours = callsAbout(incidentId);
    const failedBatch = ours.findIndex((c) => c.taskIds.includes(POISON));
    expect(ours[failedBatch]!.ok).toBe(false);
    expect(ours[failedBatch]!.taskIds.length).toBeGreaterThan(1);
    // After it, one at a time: each good event recorded once, the bad one on each of its deliveries.
    expect(ours.slice(failedBatch + 1).every((c) => c.taskIds.length === 1)).toBe(true);
    const recorded = ours.filter((c) => c.ok).flatMap((c) => c.taskIds);
    expect(recorded.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(poisoned()).toHaveLength(3); // in the batch, then alone on deliveries 1 and 2 (maxDeliver)
    const letters = (await jsm.streams.info(DEAD_LETTER_STREAM.name)).state.messages;
    expect(letters).toBe(1);
  }, 60_000);

  it('dead-letters an invalid event of a batch on its own, and records the others once each', async () => {
    calls.length = 0;
    const incidentId = randomUUID();
    const valid = ['x', 'y', 'z'].map((templateId) =>
      taskAssignedEvent({ taskId: randomUUID(), templateId }, { incidentId }),
    );
    const invalid = {
      ...valid[1]!,
      id: randomUUID(),
      payload: { ...valid[1]!.payload, templateId: 'invalid', assigneeId: 'jan.de.vries' },
    } as TaskAssigned;
    for (const event of [valid[0]!, invalid, valid[1]!, valid[2]!]) {
      await publisher.publishEvent(event);
    }
    app = await start('batchinvalid');
    const recorded = () =>
      callsAbout(incidentId)
        .filter((c) => c.ok)
        .flatMap((c) => c.taskIds);
    await waitFor(() => recorded().length >= 3, { timeoutMs: 20_000 });
    const letter = await waitFor(
      async () => {
        const { state } = await jsm.streams.info(DEAD_LETTER_STREAM.name);
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
          const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM.name, { seq });
          if (m?.json<{ id: string }>().id === invalid.id) {
            return m;
          }
        }
        return undefined;
      },
      { timeoutMs: 5_000, message: 'a dead letter for the invalid event' },
    );

    // This consumer reads the stream from its start, so a batch may also hold the poisoned event of the test
    // before; what counts is that each valid event was recorded once, in order, and the invalid one never reached
    // the handler.
    expect(recorded()).toEqual(['x', 'y', 'z']);
    expect(callsAbout(incidentId).some((c) => c.taskIds.includes('invalid'))).toBe(false);
    expect(letter.header.get('Crisisklaar-Dead-Letter-Reason')).toMatch(/^invalid event: payload\.assigneeId: /);
  }, 60_000);
});
