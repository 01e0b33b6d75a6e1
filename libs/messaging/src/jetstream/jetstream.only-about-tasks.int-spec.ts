import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { buildEvent, EVENT_STREAM, EventSubject, type EventEnvelope } from '#lib/contracts';
import { eventMetrics } from '#lib/observability';
import { TEST_META } from '../../../../test/support/events.js';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { INCIDENT_HEADER, JetStreamClient, NO_TASK, TASK_HEADER } from './jetstream.client.js';
import { durableName, jetStreamDefaults, type JetStreamHandlerExtras } from './jetstream.options.js';
import { JETSTREAM, JetStreamServer } from './jetstream.server.js';

type Sent = EventEnvelope<typeof EventSubject.NotificationSent>;

/** The ids of the events the handler was given, in order. */
const read: string[] = [];

@Controller()
class TaskNotifiedHandler {
  @EventPattern<string>(EventSubject.NotificationSent, JETSTREAM, {
    onlyAboutTasks: true,
  } satisfies JetStreamHandlerExtras)
  onSent(@Payload() event: Sent): void {
    read.push(event.id);
  }
}

const APP = 'itest-tasks-only';
const DURABLE = durableName(APP, EventSubject.NotificationSent);

/** A notification that went out: about a task, or (without `taskId`) an announcement to all staff. */
const sent = (about: { taskId: string } | { announcementId: string }): Sent =>
  buildEvent(EventSubject.NotificationSent, TEST_META, {
    notificationId: randomUUID(),
    ...about,
    personId: randomUUID(),
    channel: 'push',
    attempt: 1,
    devices: 1,
    provider: 'push-service',
  });

const skippedCount = async (): Promise<number> =>
  (await eventMetrics.consumed.get()).values
    .filter((v) => v.labels.outcome === 'skipped' && v.labels.consumer === DURABLE)
    .reduce((sum, v) => sum + v.value, 0);

/**
 * A handler that reads only events about a task (`onlyAboutTasks`, as activation's record that a task's
 * notification went out): the publisher marks each event with its task, and a consumer passes the events about
 * no task by, acknowledged, without handing them over. The stream keeps every event for the consumers that read
 * them all (the timeline).
 */
describe('JetStreamServer: a handler that reads only events about a task', () => {
  let nats: PrivateNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamClient;
  let app: INestApplication;
  const ackWaitMs = 1_000;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    publisher = new JetStreamClient({ servers: [nats.url], name: 'itest-publisher' });
    const moduleRef = await Test.createTestingModule({ controllers: [TaskNotifiedHandler] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.connectMicroservice({
      strategy: new JetStreamServer(
        jetStreamDefaults(APP, [nats.url], 1, { concurrency: 8, fairByIncident: true, ackWaitMs }),
      ),
    });
    await app.startAllMicroservices();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await publisher?.close();
    await nc?.close();
    await nats?.dispose();
  });

  it('marks each published event with the task it is about, or with none', async () => {
    const aboutTask = sent({ taskId: randomUUID() });
    const toAllStaff = sent({ announcementId: randomUUID() });
    const { seq: first } = await publisher.publishEvent(aboutTask);
    const { seq: second } = await publisher.publishEvent(toAllStaff);

    const stored = await Promise.all([first, second].map((seq) => jsm.streams.getMessage(EVENT_STREAM.name, { seq })));
    expect(stored.map((m) => m?.header.get(TASK_HEADER))).toEqual([aboutTask.payload.taskId, NO_TASK]);
    expect(stored.map((m) => m?.json<Sent>().id)).toEqual([aboutTask.id, toAllStaff.id]);
    // Both consumed before the next test counts what the handler reads.
    await waitFor(
      async () =>
        read.includes(aboutTask.id) && (await jsm.consumers.info(EVENT_STREAM.name, DURABLE)).num_pending === 0,
      { timeoutMs: 5_000, message: 'both events to be consumed' },
    );
  });

  it('hands over the events about a task and acknowledges the others unread, for good', async () => {
    read.length = 0;
    const skippedBefore = await skippedCount();
    const events = [
      sent({ taskId: randomUUID() }),
      sent({ announcementId: randomUUID() }),
      sent({ announcementId: randomUUID() }),
      sent({ taskId: randomUUID() }),
      sent({ announcementId: randomUUID() }),
    ];
    for (const event of events) {
      await publisher.publishEvent(event);
    }

    await waitFor(
      async () => {
        const info = await jsm.consumers.info(EVENT_STREAM.name, DURABLE);
        return read.length >= 2 && info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 5_000, message: 'every event to be acknowledged' },
    );
    await sleep(ackWaitMs + 500); // an event passed by without its ack would come again by now
    expect(read).toEqual([events[0]!.id, events[3]!.id]);
    const info = await jsm.consumers.info(EVENT_STREAM.name, DURABLE);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
    expect((await skippedCount()) - skippedBefore).toBe(3);
  }, 10_000);

  it('reads an event without the mark (published before it existed, or replayed) as before', async () => {
    read.length = 0;
    const unmarked = sent({ announcementId: randomUUID() });
    const h = headers();
    h.set(INCIDENT_HEADER, unmarked.incidentId);
    nc.publish(unmarked.type, JSON.stringify(unmarked), { headers: h });
    await nc.flush();

    await waitFor(() => read.includes(unmarked.id), { timeoutMs: 5_000, message: 'the unmarked event to be read' });
    expect(read).toEqual([unmarked.id]);
  });
});
