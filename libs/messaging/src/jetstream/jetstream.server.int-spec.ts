import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, UseFilters, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM, EVENT_STREAM, EventSubject, type EventEnvelope } from '#lib/contracts';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { sleep, waitFor } from '../../../../test/support/wait.js';
import { JetStreamClient } from './jetstream.client.js';
import { durableName, jetStreamDefaults, type JetStreamTransportOptions } from './jetstream.options.js';
import { JETSTREAM, JetStreamContext, JetStreamErrorFilter, JetStreamServer } from './jetstream.server.js';
import { ensureStream } from './streams.js';
import { taskAssignedEvent } from '../../../../test/support/events.js';

type TaskAssigned = EventEnvelope<typeof EventSubject.TaskAssigned>;

/** What the handler saw: every call, with the delivery count the transport reported. */
const calls: { event: TaskAssigned; deliveryCount: number; consumer: string }[] = [];
const deliveriesOf = (id: string): number[] => calls.filter((c) => c.event.id === id).map((c) => c.deliveryCount);

/** The handler's behaviour is chosen by the event's templateId, so each test publishes its own scenario. */
@Controller()
@UseFilters(JetStreamErrorFilter)
class TaskAssignedController {
  @EventPattern<string>(EventSubject.TaskAssigned, JETSTREAM)
  onTaskAssigned(@Payload() event: TaskAssigned, @Ctx() context: JetStreamContext): void {
    calls.push({ event, deliveryCount: context.deliveryCount, consumer: context.consumer });
    if (event.payload.templateId === 'fail-twice' && context.deliveryCount < 3) {
      throw new Error(`database unavailable (delivery ${context.deliveryCount})`);
    }
    if (event.payload.templateId === 'always-fail') {
      throw new Error('template store unavailable');
    }
  }
}

const taskAssigned = (templateId: string): TaskAssigned => taskAssignedEvent({ templateId });

interface DeadLetter {
  subject: string;
  reason: string | undefined;
  originalSubject: string | undefined;
  deliveryCount: string | undefined;
  event: { id?: string };
}

describe('JetStreamServer: a Nest microservice on a private nats-server', () => {
  const APP = 'itest';
  const DURABLE = durableName(APP, EventSubject.TaskAssigned);
  let nats: PrivateNatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamClient;
  let options: JetStreamTransportOptions;
  let app: INestApplication | undefined;

  async function startApp(): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ controllers: [TaskAssignedController] }).compile();
    // No Nest logger: the handlers below fail on purpose, and the tests assert what an operator would see.
    const started = moduleRef.createNestApplication({ logger: false });
    // As in the apps: Nest's core NATS transport (request/reply) runs beside the JetStream server. It must not
    // subscribe the event handlers too, or every event would be handled twice, unacknowledged and unordered.
    started.connectMicroservice({ transport: Transport.NATS, options: { servers: [nats.url], queue: APP } });
    started.connectMicroservice({ strategy: new JetStreamServer(options) });
    await started.startAllMicroservices();
    await started.init();
    return started;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    options = jetStreamDefaults(APP, [nats.url], 1, { backoffMs: [50], ackWaitMs: 2_000, maxDeliver: 3 });
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
    publisher = new JetStreamClient({ servers: [nats.url], name: 'itest-publisher', publishTimeoutMs: 1_000 });
    app = await startApp();
  });

  afterAll(async () => {
    await app?.close();
    await publisher?.close();
    await nc?.close();
    await nats?.dispose();
  });

  const consumerInfo = (): Promise<ConsumerInfo> => jsm.consumers.info(EVENT_STREAM.name, DURABLE);

  /** Waits until the durable consumer has nothing outstanding: every delivered message was acked or termed. */
  const settled = (): Promise<ConsumerInfo> =>
    waitFor(
      async () => {
        const info = await consumerInfo();
        return info.num_ack_pending === 0 && info.num_pending === 0 && info.num_redelivered === 0 ? info : undefined;
      },
      { timeoutMs: 5_000, message: `consumer ${DURABLE} to have no pending or unacked messages` },
    );

  async function deadLetters(): Promise<DeadLetter[]> {
    const { state } = await jsm.streams.info(DEAD_LETTER_STREAM.name);
    const letters: DeadLetter[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
      const m = await jsm.streams.getMessage(DEAD_LETTER_STREAM.name, { seq });
      if (m) {
        letters.push({
          subject: m.subject,
          reason: m.header.get('Crisisklaar-Dead-Letter-Reason'),
          originalSubject: m.header.get('Crisisklaar-Original-Subject'),
          deliveryCount: m.header.get('Crisisklaar-Delivery-Count'),
          event: m.json<{ id?: string }>(),
        });
      }
    }
    return letters;
  }

  const deadLetterOf = (id: string): Promise<DeadLetter> =>
    waitFor(async () => (await deadLetters()).find((l) => l.event.id === id), {
      timeoutMs: 5_000,
      message: `a dead letter for ${id}`,
    });

  it('delivers a valid event to its @EventPattern handler once (not also over core NATS) and acks it', async () => {
    const event = taskAssigned('ok');
    await publisher.publishEvent(event);

    await waitFor(() => deliveriesOf(event.id).length > 0, { message: 'the handler to be called' });
    expect(calls.find((c) => c.event.id === event.id)).toEqual({ event, deliveryCount: 1, consumer: DURABLE });
    const info = await settled();
    expect(info.config.durable_name).toBe(DURABLE);
    expect(info.config.filter_subject).toBe(EventSubject.TaskAssigned);
    await sleep(300); // a second, core-NATS delivery would arrive within this
    expect(deliveriesOf(event.id)).toEqual([1]);
  });

  it('redelivers an event whose handler failed, after the backoff, until it succeeds', async () => {
    const event = taskAssigned('fail-twice');
    await publisher.publishEvent(event);

    await waitFor(() => deliveriesOf(event.id).length >= 3, { message: 'three deliveries' });
    await settled();
    expect(deliveriesOf(event.id)).toEqual([1, 2, 3]);
    expect((await deadLetters()).some((l) => l.event.id === event.id)).toBe(false);
  });

  // Runs before the dead-letter tests: on nats-server < 2.11 their termed messages come back (known bug below).
  it('resumes the same durable consumer after a restart: acked events stay done, events sent while down arrive', async () => {
    await settled();
    const acked = new Set(calls.map((c) => c.event.id));
    const callsBefore = calls.length;
    await app?.close();
    app = undefined;

    const whileDown = taskAssigned('ok');
    await publisher.publishEvent(whileDown);

    app = await startApp();
    await waitFor(() => deliveriesOf(whileDown.id).length > 0, {
      message: 'the event published while the app was down',
    });
    await settled();
    await sleep(200);

    expect(deliveriesOf(whileDown.id)).toEqual([1]);
    expect(calls.slice(callsBefore).filter((c) => acked.has(c.event.id))).toEqual([]); // nothing acked came again
    const consumers = await jsm.consumers.list(EVENT_STREAM.name).next();
    expect(consumers.map((c) => c.name)).toEqual([DURABLE]);
  });

  it('keeps consuming after the NATS server restarted', async () => {
    await nats.restart();
    const event = taskAssigned('ok');
    // The first publish can time out while the publisher reconnects; the outbox would retry it the same way.
    await waitFor(() => publisher.publishEvent(event), {
      timeoutMs: 8_000,
      message: 'a publish to succeed after the restart',
    });

    await waitFor(() => deliveriesOf(event.id).length > 0, {
      timeoutMs: 8_000,
      message: 'a delivery after the restart',
    });
    await settled();
    expect(deliveriesOf(event.id)).toEqual([1]);
  }, 20_000);

  it('ensureStream creates a stream once, then leaves it unchanged, and updates a changed setting', async () => {
    const settings = { name: 'ITEST_ENSURE', subjects: ['ensure.>'], replicas: 1, duplicateWindowMs: 60_000 };

    await expect(ensureStream(jsm, settings)).resolves.toBe('created');
    await expect(ensureStream(jsm, settings)).resolves.toBe('unchanged');
    await expect(ensureStream(jsm, { ...settings, subjects: ['ensure.>'] })).resolves.toBe('unchanged');

    await expect(ensureStream(jsm, { ...settings, duplicateWindowMs: 120_000 })).resolves.toBe('updated');
    const info = await jsm.streams.info('ITEST_ENSURE');
    expect(info.config.duplicate_window).toBe(120_000 * 1_000_000);
    expect(info.config.storage).toBe('file');
  });

  it('moves an event whose handler keeps failing to the dead-letter stream after maxDeliver', async () => {
    const event = taskAssigned('always-fail');
    await publisher.publishEvent(event);

    const letter = await deadLetterOf(event.id);
    expect(deliveriesOf(event.id)).toEqual([1, 2, 3]);
    expect(letter.reason).toMatch(/^handler failed 3 times: /);
    expect(letter.originalSubject).toBe(EventSubject.TaskAssigned);
    expect(letter.deliveryCount).toBe('3');
    expect(letter.subject.startsWith('deadletter.')).toBe(true);
    expect(letter.event).toEqual(event); // the original message, intact
  });

  it('dead-letters an invalid event at once, naming the field, without calling the handler', async () => {
    const event = taskAssigned('ok');
    const invalid = { ...event, payload: { ...event.payload, assigneeId: 'jan.de.vries' } } as TaskAssigned;
    await publisher.publishEvent(invalid);

    const letter = await deadLetterOf(invalid.id);
    expect(letter.reason).toMatch(/^invalid event: payload\.assigneeId: /);
    expect(letter.deliveryCount).toBe('1');
    expect(deliveriesOf(invalid.id)).toEqual([]);
  });

  describe('dead letters', () => {
    it('does not deliver a dead-lettered message again (also on nats-server < 2.11, which ignores +TERM with a reason)', async () => {
      const event = taskAssigned('always-fail');
      await publisher.publishEvent(event);
      await deadLetterOf(event.id);

      await sleep(options.ackWaitMs + 500); // a message left unacked would be redelivered by now
      expect(deliveriesOf(event.id)).toEqual([1, 2, 3]);
      expect((await deadLetters()).filter((l) => l.event.id === event.id)).toHaveLength(1);
      expect((await consumerInfo()).num_ack_pending).toBe(0);
    }, 10_000);

    it("names the handler's error in the dead-letter reason", async () => {
      const event = taskAssigned('always-fail');
      await publisher.publishEvent(event);

      const letter = await deadLetterOf(event.id);
      expect(letter.reason).toBe('handler failed 3 times: template store unavailable');
    });

    it('files dead letters under deadletter.<app>.<original subject>', async () => {
      const event = taskAssigned('always-fail');
      await publisher.publishEvent(event);

      const letter = await deadLetterOf(event.id);
      expect(letter.subject).toBe(`deadletter.${APP}.${EventSubject.TaskAssigned}`);
    });
  });
});
