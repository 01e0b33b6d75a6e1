import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { EventSubject, type EventEnvelope } from '#lib/contracts';
import { taskAssignedEvent } from '../../../../test/support/events.js';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { JetStreamClient } from './jetstream.client.js';
import { jetStreamDefaults } from './jetstream.options.js';
import { JETSTREAM, JetStreamContext, JetStreamServer } from './jetstream.server.js';

type TaskAssigned = EventEnvelope<typeof EventSubject.TaskAssigned>;

/** Every handled event in the order the handler started it, with its delivery count. */
const handled: { incidentId: string; taskId: string; deliveryCount: number }[] = [];
/** Handlers running now per incident, and the most that ever ran at once per incident and in all. */
const running = new Map<string, number>();
const most = { perIncident: new Map<string, number>(), all: 0 };

@Controller()
class SlowHandler {
  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM)
  async onTaskAssigned(@Payload() event: TaskAssigned, @Ctx() context: JetStreamContext): Promise<void> {
    handled.push({ incidentId: event.incidentId, taskId: event.payload.taskId, deliveryCount: context.deliveryCount });
    const now = (running.get(event.incidentId) ?? 0) + 1;
    running.set(event.incidentId, now);
    most.perIncident.set(event.incidentId, Math.max(most.perIncident.get(event.incidentId) ?? 0, now));
    most.all = Math.max(
      most.all,
      [...running.values()].reduce((a, b) => a + b, 0),
    );
    try {
      await sleep(40); // a handler's transaction under load
    } finally {
      running.set(event.incidentId, running.get(event.incidentId)! - 1);
    }
  }
}

/** Each batch the batching handler was given: its events' incidents and tasks, in the order it got them. */
const batches: { incidentId: string; taskId: string }[][] = [];

@Controller()
class BatchingHandler {
  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM, { batchPerIncident: 8 })
  async onTasksAssigned(@Payload() events: TaskAssigned[]): Promise<void> {
    batches.push(events.map((e) => ({ incidentId: e.incidentId, taskId: e.payload.taskId })));
    await sleep(150); // one transaction for the whole batch
  }
}

/**
 * `fairByIncident` against a private nats-server: a burst of one incident's events does not hold up another
 * incident's first event, the events of one incident keep their order, and an event waiting its turn longer
 * than the ack wait is not delivered again.
 */
describe('JetStreamServer: incidents take turns (fairByIncident)', () => {
  let nats: PrivateNatsServer;
  let publisher: JetStreamClient;
  let app: INestApplication | undefined;

  const start = async (
    fairByIncident: boolean,
    app: string,
    ackWaitMs = 1_000,
    more: { concurrency?: number; perIncident?: number } = {},
    handler: typeof SlowHandler | typeof BatchingHandler = SlowHandler,
  ): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({ controllers: [handler] }).compile();
    const started = moduleRef.createNestApplication({ logger: false });
    started.connectMicroservice({
      strategy: new JetStreamServer(
        jetStreamDefaults(app, [nats.url], 1, { concurrency: 1, ackWaitMs, fairByIncident, ...more }),
      ),
    });
    await started.startAllMicroservices();
    await started.init();
    return started;
  };

  /** 40 events of a big incident, then one of a second incident; the order in which the handler took them. */
  const burstThenOne = async (): Promise<{ big: string; small: string; order: string[] }> => {
    handled.length = 0;
    const big = randomUUID();
    const small = randomUUID();
    await Promise.all(
      Array.from({ length: 40 }, () =>
        publisher.publishEvent(taskAssignedEvent({ taskId: randomUUID() }, { incidentId: big })),
      ),
    );
    await publisher.publishEvent(taskAssignedEvent({ taskId: randomUUID() }, { incidentId: small }));
    // Each test's consumer is new and reads the stream from its start: only this burst's events count.
    const ours = () => handled.filter((h) => h.incidentId === big || h.incidentId === small);
    await waitFor(() => ours().length >= 41, { timeoutMs: 20_000, message: 'all 41 events handled' });
    await sleep(1_500); // longer than the ack wait: anything redelivered would show now
    return { big, small, order: ours().map((h) => h.incidentId) };
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    publisher = new JetStreamClient({ servers: [nats.url], name: 'fairness-publisher' });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await publisher?.close();
    await nats?.dispose();
  });

  it('takes a second incident’s first event within a turn, not after the first incident’s 40', async () => {
    app = await start(true, 'fair');
    const { big, small, order } = await burstThenOne();
    expect(order).toHaveLength(41);
    // The handler started on a few of the burst while it was being published; then the second incident's turn.
    expect(order.indexOf(small)).toBeLessThanOrEqual(5);
    expect(order.filter((id) => id === big)).toHaveLength(40);
    // Waiting 1.6 s for its turn with an ack wait of 1 s: every event was delivered once, never redelivered.
    expect(handled.every((h) => h.deliveryCount === 1)).toBe(true);
  }, 60_000);

  it('keeps the events of one incident in the order they were published', async () => {
    app = await start(true, 'fairorder');
    handled.length = 0;
    const incidentId = randomUUID();
    const published: string[] = [];
    for (let i = 0; i < 15; i += 1) {
      const event = taskAssignedEvent({ taskId: randomUUID() }, { incidentId });
      published.push(event.payload.taskId);
      await publisher.publishEvent(event);
    }
    await waitFor(() => handled.filter((h) => h.incidentId === incidentId).length === 15, { timeoutMs: 20_000 });
    expect(handled.filter((h) => h.incidentId === incidentId).map((h) => h.taskId)).toEqual(published);
  }, 60_000);

  it('runs at most perIncident of one incident at once, and gives the other slots to other incidents', async () => {
    app = await start(true, 'perincident', 10_000, { concurrency: 6, perIncident: 2 });
    handled.length = 0;
    most.perIncident.clear();
    most.all = 0;
    // Three schools trigger at once, 12 assignments each.
    const incidents: string[] = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(
      incidents.flatMap((incidentId) =>
        Array.from({ length: 12 }, () =>
          publisher.publishEvent(taskAssignedEvent({ taskId: randomUUID() }, { incidentId })),
        ),
      ),
    );
    const ours = () => handled.filter((h) => incidents.includes(h.incidentId));
    await waitFor(() => ours().length === 36, { timeoutMs: 20_000, message: 'all 36 events handled' });
    await waitFor(() => [...running.values()].every((n) => n === 0), { timeoutMs: 5_000 });
    for (const incidentId of incidents) {
      expect(most.perIncident.get(incidentId)).toBe(2);
    }
    // The bound is per incident, not a smaller pool: the three incidents filled all six slots side by side.
    expect(most.all).toBe(6);
  }, 60_000);

  it('hands a batching handler its incident’s waiting events together, in order, one batch of an incident at a time', async () => {
    app = await start(true, 'batches', 1_000, { concurrency: 4, perIncident: 1 }, BatchingHandler);
    batches.length = 0;
    const school = randomUUID();
    const other = randomUUID();
    const publishFor = async (incidentId: string, count: number) => {
      const taskIds: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const event = taskAssignedEvent({ taskId: randomUUID() }, { incidentId });
        taskIds.push(event.payload.taskId);
        await publisher.publishEvent(event);
      }
      return taskIds;
    };
    // Each test's consumer is new and reads the stream from its start: only these two schools' batches count.
    const ours = () => batches.filter((b) => b[0]!.incidentId === school || b[0]!.incidentId === other);
    const ofIncident = (incidentId: string) => ours().filter((b) => b[0]!.incidentId === incidentId);
    const [leader] = await publishFor(school, 1);
    await waitFor(() => ours().length === 1, { timeoutMs: 10_000, message: 'the first assignment handled' });
    // The rest of the trigger, and another school's three, arrive while the first is being handled.
    const rest = await publishFor(school, 12);
    const others = await publishFor(other, 3);
    await waitFor(() => ours().flat().length === 16, { timeoutMs: 20_000, message: 'all 16 events handled' });
    await sleep(1_500); // longer than the ack wait: a batch acked late or not at all would come again now
    // The first went alone, at once; every batch holds one incident's events only, at most 8.
    expect(ours()[0]).toEqual([{ incidentId: school, taskId: leader }]);
    expect(batches.every((b) => b.length <= 8 && b.every((e) => e.incidentId === b[0]!.incidentId))).toBe(true);
    // The other school did not wait for the first school's batches: its first went while those were handled.
    expect(
      ofIncident(other)
        .flat()
        .map((e) => e.taskId),
    ).toEqual(others);
    expect(ours().indexOf(ofIncident(other)[0]!)).toBeLessThan(ours().indexOf(ofIncident(school).at(-1)!));
    // The first school's rest in order, in batches that grow while more waited: 4, then 8 (the handler's most).
    expect(ofIncident(school).map((b) => b.length)).toEqual([1, 4, 8]);
    expect(
      ofIncident(school)
        .flat()
        .map((e) => e.taskId),
    ).toEqual([leader, ...rest]);
    // Each event handled once: acked with its batch, never delivered again.
    expect(ours().flat()).toHaveLength(16);
  }, 60_000);

  it('without it, keeps the stream’s order: the second incident waits behind the burst', async () => {
    // The client's own read-ahead (64) would outwait a 1 s ack wait here; that is not what this test is about.
    app = await start(false, 'fifo', 30_000);
    const { small, order } = await burstThenOne();
    expect(order).toHaveLength(41);
    expect(order.indexOf(small)).toBe(40);
  }, 60_000);
});
