import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import { deadLetterSubject, type EventEnvelope } from '#lib/contracts';
import { eventMetrics, runWithContext } from '#lib/observability';
import {
  describeFindings,
  refusesProduction,
  StartupError,
  streamFindings,
  type DurabilityFinding,
} from '#lib/platform';
import {
  durableName,
  NATS_CONNECTION,
  type JetStreamHandlerExtras,
  type JetStreamTransportOptions,
} from './jetstream.options.js';
import { FairQueue } from './fair-queue.js';
import { INCIDENT_HEADER, NO_TASK, TASK_HEADER } from './jetstream.client.js';
import { processMessage, readEvent, type ConsumedMessage } from './message-processor.js';
import { ensureStream } from './streams.js';

/** Messages a durable consumer may have delivered and not yet acknowledged (the server stops delivering). */
const MAX_ACK_PENDING = 1000;
/** Delivered messages that may wait for their turn with `fairByIncident`; the rest of the window is in flight. */
const FAIR_BUFFER = MAX_ACK_PENDING - 100;

type Handler = NonNullable<ReturnType<JetStreamServer['getHandlerByPattern']>>;

/** What an `@EventPattern` handler receives besides the event: where it came from. */
export class JetStreamContext {
  constructor(
    readonly subject: string,
    readonly deliveryCount: number,
    readonly consumer: string,
  ) {}
}

/**
 * The transport id of the JetStream server. Event handlers name it — `@EventPattern(subject, JETSTREAM)` — so
 * that only this server subscribes them. Without it, Nest's core NATS server (request/reply) would subscribe
 * every event subject too and run each event a second time, unacknowledged and out of order.
 */
export const JETSTREAM = Symbol('JETSTREAM');

/**
 * Lets an event handler's own error reach the transport (Nest's default filter would turn it into
 * `{status: 'error', message: 'Internal server error'}`), so retries and dead letters say what went wrong.
 * Request/reply errors keep Nest's handling.
 */
@Catch()
export class JetStreamErrorFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getArgByIndex(1) instanceof JetStreamContext) {
      return throwError(() => exception);
    }
    return super.catch(exception, host) as Observable<never>;
  }
}

/**
 * A Nest transport for durable events: one durable pull consumer per `@EventPattern` (the pattern is the filter
 * subject, wildcards allowed), explicit acks after the handler resolved, nak with backoff on failure, and a
 * dead-letter stream for what cannot be processed. NestJS has no JetStream transport of its own.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  override readonly propagatesEventHandlerErrors = true;
  override transportId = JETSTREAM;
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private readonly running: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  /** One per batching consumer: hands over at once what waits for its linger (see {@link handOverWaiting}). */
  private readonly handOvers = new Set<() => Promise<void>>();
  private readonly log = new Logger(JetStreamServer.name);

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /**
   * Logs what the streams promise (storage, replicas, duplicate window) and, in production mode, refuses to start
   * on a setting that can lose acknowledged events (RELIABILITY.md §1). The server's fsync setting is not visible
   * to a client: README states the server configuration production needs.
   */
  private async checkDurability(jsm: JetStreamManager): Promise<void> {
    const production = this.options.production === true;
    const findings: DurabilityFinding[] = [];
    for (const settings of [this.options.stream, this.options.deadLetterStream]) {
      const { config } = await jsm.streams.info(settings.name);
      const facts = {
        name: settings.name,
        storage: String(config.storage),
        replicas: config.num_replicas,
        duplicateWindowMs: Math.round(config.duplicate_window / 1_000_000),
      };
      this.log.log(
        `stream ${facts.name}: ${facts.storage} storage, ${facts.replicas} replica(s), duplicate window ${facts.duplicateWindowMs / 1000} s`,
      );
      findings.push(...streamFindings(facts, production));
    }
    for (const line of describeFindings(findings)) {
      this.log.warn(`durability: ${line}`);
    }
    if (refusesProduction(findings, production)) {
      throw new StartupError(
        `unsafe for production (NODE_ENV=production):\n${describeFindings(findings)
          .map((l) => `  - ${l}`)
          .join('\n')}`,
      );
    }
  }

  /** True while the connection to NATS is open (for health checks). */
  isConnected(): boolean {
    return this.nc !== undefined && !this.nc.isClosed();
  }

  private async start(): Promise<void> {
    const { options } = this;
    this.nc = await connect({
      servers: options.servers,
      name: `${options.app}-consumer`,
      ...NATS_CONNECTION,
    });
    const jsm = await jetstreamManager(this.nc);
    await ensureStream(jsm, options.stream);
    await ensureStream(jsm, options.deadLetterStream);
    await this.checkDurability(jsm);
    this.js = jetstream(this.nc);

    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) {
        continue;
      }
      const name = durableName(options.app, pattern);
      const config = {
        durable_name: name,
        filter_subject: pattern,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs),
        // Unlimited on the server: our processor dead-letters after `maxDeliver` attempts, and a consumer
        // that crashed on the last attempt must still get the message again rather than lose it.
        max_deliver: -1,
        max_ack_pending: MAX_ACK_PENDING,
      };
      try {
        await jsm.consumers.info(options.stream.name, name);
        await jsm.consumers.update(options.stream.name, name, {
          ack_wait: config.ack_wait,
          max_deliver: config.max_deliver,
          max_ack_pending: config.max_ack_pending,
        });
      } catch {
        await jsm.consumers.add(options.stream.name, config);
      }
      const consumer = await this.js.consumers.get(options.stream.name, name);
      const messages = await consumer.consume({ max_messages: 64 });
      this.running.push(messages);
      this.loops.push(this.drain(messages, name, pattern));
      this.log.log(`consuming ${pattern} as durable ${name}`);
    }
  }

  /**
   * Hands the consumer's messages to the handler, `concurrency` at a time. With `fairByIncident` up to
   * {@link FAIR_BUFFER} delivered messages wait here and are taken in turn per incident, at most `perIncident`
   * of one incident at once (see {@link FairQueue}), or batches of one incident's messages for a handler that asks
   * for them ({@link JetStreamHandlerExtras.batchPerIncident}), each kept from redelivery with a progress signal
   * while it waits; otherwise in the stream's order, the next message taken only when a slot is free.
   */
  private async drain(messages: ConsumerMessages, consumer: string, pattern: string): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) {
      return;
    }
    if ((this.options.batch ?? 1) > 1) {
      return this.drainBatches(messages, handler, consumer, this.options.batch!);
    }
    const fair = this.options.fairByIncident === true;
    const limit = fair ? FAIR_BUFFER : 0;
    const concurrency = Math.max(1, this.options.concurrency);
    const extras = handler.extras as JetStreamHandlerExtras | undefined;
    // A handler that asks for batches always gets an array (without fairByIncident nothing waits: arrays of one).
    const asked = extras?.batchPerIncident;
    const perBatch = Math.max(1, Math.floor(asked ?? 1));
    const waiting = new FairQueue<JsMsg>(fair ? this.options.perIncident : undefined);
    const inFlight = new Set<Promise<void>>();
    let closing = false;
    const startNext = (): void => {
      while (!closing && inFlight.size < concurrency) {
        const next = waiting.takeBatch(perBatch);
        if (!next) {
          return;
        }
        const work =
          asked !== undefined
            ? this.processBatch(next.items, handler, consumer)
            : this.process(next.items[0]!, handler, consumer);
        const done: Promise<void> = work.finally(() => {
          waiting.release(next.flow);
          inFlight.delete(done);
          startNext();
        });
        inFlight.add(done);
      }
    };
    const keepAlive = fair
      ? setInterval(
          () => {
            for (const msg of waiting.items()) {
              msg.working();
            }
          },
          Math.max(100, Math.floor(this.options.ackWaitMs / 3)),
        )
      : undefined;
    try {
      for await (const msg of messages) {
        if (this.passedBy(msg, extras, consumer)) {
          continue;
        }
        waiting.push(fair ? (msg.headers?.get(INCIDENT_HEADER) ?? '') : '', msg);
        startNext();
        while (waiting.size > limit && inFlight.size > 0) {
          await Promise.race(inFlight);
        }
      }
    } finally {
      closing = true;
      clearInterval(keepAlive);
      // Not started: back to the server at once, for this consumer's next instance.
      for (const msg of waiting.clear()) {
        msg.nak();
      }
      await Promise.allSettled(inFlight);
    }
  }

  /**
   * The waiting messages, up to `max` at once, to a handler that takes an array of events (see
   * {@link JetStreamTransportOptions.batch}). One batch at a time, in the order the messages came: while a batch
   * is handled the next one gathers, each waiting message kept from redelivery with a progress signal. With
   * `batchLingerMs`, a batch starts only when `max` messages wait or its oldest message has waited that long.
   */
  private async drainBatches(messages: ConsumerMessages, handler: Handler, consumer: string, max: number) {
    const linger = Math.max(0, this.options.batchLingerMs ?? 0);
    const extras = handler.extras as JetStreamHandlerExtras | undefined;
    const waiting: { msg: JsMsg; arrived: number }[] = [];
    let running: Promise<void> | undefined;
    /** When the first message of the running batch arrived. */
    let runningFrom = 0;
    let lingering: NodeJS.Timeout | undefined;
    /** Messages that arrived by this moment go without waiting for the linger (a hand-over asked for them). */
    let handOverBefore = -Infinity;
    let closing = false;
    const startNext = (): void => {
      if (running || closing || waiting.length === 0) {
        return;
      }
      const first = waiting[0]!;
      const due = first.arrived <= handOverBefore ? 0 : first.arrived + linger - performance.now();
      if (waiting.length < max && due > 0) {
        lingering ??= setTimeout(() => {
          lingering = undefined;
          startNext();
        }, Math.ceil(due));
        return;
      }
      clearTimeout(lingering);
      lingering = undefined;
      runningFrom = first.arrived;
      const batch = waiting.splice(0, max).map((w) => w.msg);
      running = this.processBatch(batch, handler, consumer).finally(() => {
        running = undefined;
        startNext();
      });
    };
    // Until everything that had arrived when it was asked for is handled; batches are taken in arrival order.
    const handOver = async (): Promise<void> => {
      const asked = performance.now();
      handOverBefore = Math.max(handOverBefore, asked);
      for (;;) {
        if (running && runningFrom <= asked) {
          await running;
        } else if (!running && waiting.length > 0 && waiting[0]!.arrived <= asked) {
          startNext();
          if (!running) {
            return; // closing: the messages go back to the server
          }
        } else {
          return;
        }
      }
    };
    this.handOvers.add(handOver);
    const keepAlive = setInterval(
      () => {
        for (const { msg } of waiting) {
          msg.working();
        }
      },
      Math.max(100, Math.floor(this.options.ackWaitMs / 3)),
    );
    try {
      for await (const msg of messages) {
        if (this.passedBy(msg, extras, consumer)) {
          continue;
        }
        waiting.push({ msg, arrived: performance.now() });
        startNext();
        while (waiting.length >= max && running) {
          await running;
        }
      }
    } finally {
      closing = true;
      this.handOvers.delete(handOver);
      clearInterval(keepAlive);
      clearTimeout(lingering);
      for (const { msg } of waiting.splice(0)) {
        msg.nak();
      }
      await running;
    }
  }

  /**
   * Whether `msg` is one the handler does not read (`onlyAboutTasks` and marked as about no task): then it is
   * acknowledged at once, unparsed. A plain ack: were it lost, the message would come again and be passed by again.
   */
  private passedBy(msg: JsMsg, extras: JetStreamHandlerExtras | undefined, consumer: string): boolean {
    if (extras?.onlyAboutTasks !== true || msg.headers?.get(TASK_HEADER) !== NO_TASK) {
      return false;
    }
    msg.ack();
    eventMetrics.consumed.inc({ consumer, subject: msg.subject, outcome: 'skipped' });
    return true;
  }

  /**
   * One batch: the valid events to the handler at once, then each acked. A message that is not a valid event,
   * and every message of a batch whose handler failed, goes through {@link process} alone (dead letter, retries).
   * Never rejects.
   */
  private async processBatch(batch: JsMsg[], handler: Handler, consumer: string): Promise<void> {
    const valid: { msg: JsMsg; event: EventEnvelope }[] = [];
    const alone: JsMsg[] = [];
    for (const msg of batch) {
      // Not a valid event: alone, so that processMessage dead-letters it.
      const read = batch.length > 1 ? readEvent(msg) : null;
      if (read?.ok) {
        valid.push({ msg, event: read.event });
      } else {
        alone.push(msg);
      }
    }
    if (valid.length > 0) {
      const heartbeat = setInterval(
        () => {
          for (const { msg } of valid) {
            msg.working();
          }
        },
        Math.max(this.options.ackWaitMs / 3, 100),
      );
      let handled = false;
      try {
        const context = new JetStreamContext(valid[0]!.msg.subject, valid[0]!.msg.info.deliveryCount, consumer);
        await runWithContext({ correlationId: valid[0]!.event.correlationId }, async () => {
          const result: unknown = await handler(
            valid.map((v) => v.event),
            context,
          );
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
        handled = true;
      } catch (error) {
        this.log.warn(`a batch of ${valid.length} failed (${String(error)}); handling its messages one at a time`);
      } finally {
        clearInterval(heartbeat);
      }
      if (handled) {
        await Promise.all(
          valid.map(async ({ msg }) => {
            try {
              await msg.ackAck({ timeout: 5_000 });
              eventMetrics.consumed.inc({ consumer, subject: msg.subject, outcome: 'acked' });
            } catch (error) {
              this.log.warn(`${msg.subject}: not settled (${String(error)}); the server redelivers it`);
            }
          }),
        );
      } else {
        alone.push(...valid.map((v) => v.msg));
      }
    }
    for (const msg of alone) {
      await this.process(msg, handler, consumer, true);
    }
  }

  /** One message; never rejects (a failure to ack is logged and the server redelivers after ackWait). */
  private async process(msg: JsMsg, handler: Handler, consumer: string, asBatch = false): Promise<void> {
    const message = this.wrap(msg);
    try {
      await processMessage(message, this.options, {
        handle: async (event: EventEnvelope) => {
          const context = new JetStreamContext(msg.subject, message.deliveryCount, consumer);
          await runWithContext({ correlationId: event.correlationId, eventId: event.id }, async () => {
            const result: unknown = await handler(asBatch ? [event] : event, context);
            await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
          });
        },
        deadLetter: (m, reason) => this.deadLetter(m, consumer, reason),
        onOutcome: (outcome, subject, detail) => {
          eventMetrics.consumed.inc({ consumer, subject, outcome });
          if (outcome !== 'acked') {
            this.log.warn(`${outcome} ${subject} (delivery ${message.deliveryCount}): ${detail ?? ''}`);
          }
        },
      });
    } catch (error) {
      this.log.warn(`${msg.subject}: not settled (${String(error)}); the server redelivers it`);
    }
  }

  private wrap(msg: JsMsg): ConsumedMessage {
    return {
      subject: msg.subject,
      data: msg.data,
      deliveryCount: msg.info.deliveryCount,
      ack: async () => {
        await msg.ackAck({ timeout: 5_000 });
      },
      nak: (delayMs) => msg.nak(delayMs),
      // No reason on the wire: nats-server before 2.11 ignores a +TERM that carries one and redelivers for
      // ever. The reason travels in the dead letter's header instead.
      term: () => msg.term(),
      working: () => msg.working(),
    };
  }

  private async deadLetter(message: ConsumedMessage, consumer: string, reason: string): Promise<void> {
    if (!this.js) {
      throw new Error('not connected');
    }
    const h = headers();
    h.set('Crisisklaar-Dead-Letter-Reason', reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
    h.set('Crisisklaar-Original-Subject', message.subject);
    h.set('Crisisklaar-Delivery-Count', String(message.deliveryCount));
    h.set('Crisisklaar-Consumer', consumer);
    await this.js.publish(deadLetterSubject(this.options.app, message.subject), message.data, { headers: h });
  }

  on(): never {
    throw new Error('JetStreamServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  /**
   * Hands the messages that batching consumers hold back for their linger (`batchLingerMs`) to their handlers now,
   * and resolves once those, and a batch already running, are handled. A write that does not come through the
   * stream calls it first, so that it does not overtake events that already arrived (a log entry written right
   * after the trigger comes after the trigger's entries on the timeline). Never rejects.
   */
  async handOverWaiting(): Promise<void> {
    await Promise.all([...this.handOvers].map((handOver) => handOver()));
  }

  async close(): Promise<void> {
    for (const messages of this.running) {
      await messages.close();
    }
    await Promise.allSettled(this.loops);
    if (this.nc && !this.nc.isClosed()) {
      await this.nc.drain();
    }
  }
}
