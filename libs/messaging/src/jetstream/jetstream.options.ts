import type { ConnectionOptions } from '@nats-io/transport-node';
import { DEAD_LETTER_STREAM, EVENT_STREAM } from '#lib/contracts';

/**
 * How the apps' event connections to NATS behave: they reconnect for ever, every half second.
 *
 * `noAsyncTraces`: otherwise the client builds two errors with stack traces for every request it makes (each
 * publish waits for the stream's ack, each consumed message for its ack's confirmation), in case the request
 * fails, to say where it was made. A trigger makes a few hundred such requests across the apps, and building
 * those errors cost about 10 ms of CPU a trigger (BENCHMARKS.md, 2026-12-06 morning). Without them, a request
 * that times out or fails still says what failed; its stack starts at the client.
 */
export const NATS_CONNECTION = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 500,
  noAsyncTraces: true,
} as const satisfies Partial<ConnectionOptions>;

export interface StreamSettings {
  name: string;
  subjects: string[];
  /** 1 on a single server; 3 on a production cluster (RELIABILITY.md §1). */
  replicas: number;
  /** Publish dedupe window for `Nats-Msg-Id`; must outlast the outbox relay's retries. */
  duplicateWindowMs: number;
}

export interface JetStreamTransportOptions {
  servers: string[];
  /** The consuming app: names its durable consumers and its dead-letter subjects. */
  app: string;
  stream: StreamSettings;
  deadLetterStream: StreamSettings;
  /** Deliveries before a message that keeps failing is dead-lettered. */
  maxDeliver: number;
  /** How long the server waits for an ack before it redelivers. */
  ackWaitMs: number;
  /** Delay of the nak after delivery n (index n-1; the last value repeats). */
  backoffMs: number[];
  /**
   * Messages of one consumer handled at once. 1 keeps the stream's order (the timeline needs it); handlers that
   * are idempotent per event and do not depend on order (the notifier, activation) can take more.
   */
  concurrency: number;
  /**
   * Take waiting messages in turn per incident (FairQueue) instead of in the stream's order, so one incident's
   * burst does not hold up another incident's first events. For handlers that do not depend on order.
   */
  fairByIncident?: boolean;
  /**
   * With `fairByIncident`: at most this many messages of one incident handled at once by each consumer (each
   * subject pattern has its own; unbounded when unset), so an incident's first, most urgent message does not
   * share the database with the rest of its own burst.
   */
  perIncident?: number;
  /**
   * Hand the handler the messages that are waiting, up to this many, as one array of events (its payload), so it
   * can write them in one transaction (the timeline). Batches follow one another, so with concurrency 1 they
   * keep the stream's order. A batch whose handler fails is handled again a message at a time, each as a batch
   * of one with its own retries and dead letter, so one bad event does not hold up the others.
   */
  batch?: number;
  /**
   * With `batch`: a batch that is not full starts only when its oldest message has waited this long (a full one
   * goes at once), so that a burst that arrives over a few milliseconds is one batch instead of several small ones
   * (the first of them a single message). The timeline uses it to stay out of the way of a trigger's first pushes
   * (BENCHMARKS.md).
   */
  batchLingerMs?: number;
  /** Production mode: an unsafe stream setting (memory storage, one replica, a short window) stops the app. */
  production?: boolean;
}

/**
 * What a handler may ask of its own consumer: `@EventPattern(subject, JETSTREAM, extras)`.
 */
export interface JetStreamHandlerExtras {
  /**
   * With `fairByIncident`: when an incident's turn comes, several of its waiting events go to the handler at
   * once, as one array, in the order they came: one at its first turn, then up to 4, 16, … and at most this many
   * (see `FairQueue.takeBatch`). The handler's payload is always an array, of one event or more (of one without
   * `fairByIncident`, where nothing waits). A trigger's first assignment goes alone, the next few together in a
   * small batch, and the thirty-odd after them in one, so the handler starts each batch in one transaction and the
   * most urgent do not wait for the largest. A batch counts as one of `perIncident`. A batch whose handler fails
   * is handled again a message at a time, as with `batch`.
   */
  batchPerIncident?: number;
  /**
   * The handler reads only events about a task: a message its publisher marked as about no task (`TASK_HEADER`)
   * is acknowledged without being parsed or handed over. Activation's record that a task's notification went out
   * reads `crisis.notification.sent.v1`, and in a region's burst nine in ten of those are messages to all staff
   * (BENCHMARKS.md). A message without the mark is handed over as before.
   */
  onlyAboutTasks?: boolean;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;

/** The settings every app uses; `replicas` comes from NATS_STREAM_REPLICAS (3 on a production cluster). */
export function jetStreamDefaults(
  app: string,
  servers: string[],
  replicas = 1,
  overrides: Partial<Omit<JetStreamTransportOptions, 'app' | 'servers'>> = {},
): JetStreamTransportOptions {
  return {
    servers,
    app,
    stream: {
      name: EVENT_STREAM.name,
      subjects: [...EVENT_STREAM.subjects],
      replicas,
      duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS,
    },
    deadLetterStream: {
      name: DEAD_LETTER_STREAM.name,
      subjects: [...DEAD_LETTER_STREAM.subjects],
      replicas,
      duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS,
    },
    maxDeliver: 8,
    ackWaitMs: 10_000,
    backoffMs: [250, 1_000, 5_000, 15_000, 30_000, 60_000],
    concurrency: 1,
    ...overrides,
  };
}

/** A durable consumer name for an app and a subject filter (`.`, `*` and `>` are not allowed in names). */
export function durableName(app: string, filterSubject: string): string {
  return `${app}__${filterSubject.replace(/\./g, '_').replace(/>/g, 'all').replace(/\*/g, 'any')}`;
}
