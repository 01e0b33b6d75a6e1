import type { EventEnvelope } from '#lib/contracts';
import type { EventPublisher } from '../jetstream/jetstream.client.js';

export interface PendingEvent {
  id: string;
  envelope: EventEnvelope;
}

export interface BatchResult {
  published: string[];
  failed?: { id: string; error: string };
}

/** Where the relay finds pending events. `claim` holds the batch (locked) while `work` publishes it. */
export interface OutboxStore {
  claim(
    limit: number,
    work: (batch: PendingEvent[]) => Promise<BatchResult>,
  ): Promise<BatchResult & { claimed: number }>;
}

/**
 * Publishes one batch and reports what went out. The events of one incident go out one after another in outbox
 * order, and stop at their first failure, so they never overtake each other: the failed event and the rest of
 * its incident stay pending for the next round. Different incidents go out side by side (the publishes share
 * the connection, so the stream takes them without waiting a round trip per event): in a burst of triggers at
 * many schools, a school's events no longer wait for the acknowledgements of every event before them. A crash
 * after publishing but before the store marks rows sent republishes them with the same `Nats-Msg-Id`, which
 * the stream deduplicates.
 */
export async function relayBatch(
  store: OutboxStore,
  publisher: EventPublisher,
  limit: number,
  afterPublish?: (published: string[]) => void,
) {
  return store.claim(limit, async (batch) => {
    const incidents = new Map<string, PendingEvent[]>();
    for (const row of batch) {
      const rows = incidents.get(row.envelope.incidentId);
      if (rows) {
        rows.push(row);
      } else {
        incidents.set(row.envelope.incidentId, [row]);
      }
    }
    const published: string[] = [];
    let failed: BatchResult['failed'];
    await Promise.all(
      [...incidents.values()].map(async (rows) => {
        for (const row of rows) {
          try {
            await publisher.publishEvent(row.envelope);
          } catch (error) {
            failed ??= { id: row.id, error: error instanceof Error ? error.message : String(error) };
            return;
          }
          published.push(row.id);
        }
      }),
    );
    if (failed) {
      return { published, failed };
    }
    afterPublish?.(published);
    return { published };
  });
}

export interface OutboxRelayOptions {
  batchSize: number;
  /** How often the relay looks even when nobody nudged it. */
  pollIntervalMs: number;
  /** Longest wait after a failure (the wait doubles from the poll interval). */
  maxBackoffMs: number;
  onBatch?(result: BatchResult & { claimed: number }): void;
  onError?(error: unknown): void;
  /**
   * Called after a batch went out and before its rows are marked sent: the fault suite's crash point
   * (`FAULT_INJECTION=relay-crash-after-publish`), never set in production.
   */
  afterPublish?: (published: string[]) => void;
}

/**
 * Drains the outbox continuously: right after a commit (`nudge`), and every poll interval as a safety net
 * (a nudge can be lost in a crash; the rows cannot).
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.nudge();
  }

  /** Publish now (called after a commit that wrote outbox rows). */
  nudge(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  /** Resolves when the outbox holds nothing publishable any more (tests, shutdown). */
  async drainNow(): Promise<void> {
    await this.running;
    await this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    if (this.again && this.failures === 0) {
      this.again = false;
      this.nudge();
      return;
    }
    const wait =
      this.failures === 0
        ? this.options.pollIntervalMs
        : Math.min(this.options.pollIntervalMs * 2 ** this.failures, this.options.maxBackoffMs);
    this.timer = setTimeout(() => this.nudge(), wait);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const result = await relayBatch(this.store, this.publisher, this.options.batchSize, this.options.afterPublish);
        this.options.onBatch?.(result);
        if (result.failed) {
          this.failures += 1;
          return;
        }
        this.failures = 0;
        if (result.claimed < this.options.batchSize) {
          return;
        }
      }
    } catch (error) {
      this.failures += 1;
      this.options.onError?.(error);
    }
  }
}
