import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { eventMetrics } from '#lib/observability';
import { JetStreamClient } from '../jetstream/jetstream.client.js';
import { OutboxRelay } from './outbox-relay.js';
import { TypeOrmOutboxStore } from './typeorm-outbox.store.js';

export interface OutboxRelayModuleOptions {
  servers: string[];
  app: string;
  pollIntervalMs?: number;
}

const OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

/** Runs the app's outbox relay for the lifetime of the app; services call `nudge()` after a commit. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OutboxRelay');
  readonly publisher: JetStreamClient;
  readonly store: TypeOrmOutboxStore;
  private readonly relay: OutboxRelay;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(OPTIONS) options: OutboxRelayModuleOptions) {
    this.publisher = new JetStreamClient({ servers: options.servers, name: `${options.app}-outbox` });
    this.store = new TypeOrmOutboxStore(dataSource);
    this.relay = new OutboxRelay(this.store, this.publisher, {
      batchSize: 100,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      maxBackoffMs: 5_000,
      onBatch: (result) => {
        eventMetrics.published.inc(result.published.length);
        if (result.failed) {
          eventMetrics.publishFailures.inc();
          this.log.warn(`publishing event ${result.failed.id} failed; it stays pending: ${result.failed.error}`);
        }
      },
      onError: (error) => this.log.warn(`outbox relay round failed: ${String(error)}`),
      afterPublish: relayFaultPoint(process.env, this.log),
    });
  }

  onApplicationBootstrap(): void {
    // Connect eagerly, so health shows the publisher's state before the first event; failures retry.
    this.publisher.connect().catch((error: unknown) => this.log.warn(`NATS not reachable yet: ${String(error)}`));
    this.relay.start();
  }

  /** Publish what was just committed, without waiting for the next poll. */
  nudge(): void {
    this.relay.nudge();
  }

  drainNow(): Promise<void> {
    return this.relay.drainNow();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.publisher.close();
  }
}

/** The failpoints the fault suite (test/chaos) may switch on; production refuses to start with one. */
export const FAULT_INJECTION_POINTS = ['relay-crash-after-publish'] as const;

/**
 * `FAULT_INJECTION=relay-crash-after-publish`: the process SIGKILLs itself once a batch is in JetStream and before
 * its outbox rows are marked sent — the crash the outbox must survive (the restarted relay publishes the batch
 * again with the same Nats-Msg-Id, and the stream drops the copies).
 */
export function relayFaultPoint(
  env: NodeJS.ProcessEnv,
  log: Pick<Logger, 'error'>,
): ((published: string[]) => void) | undefined {
  if (env.FAULT_INJECTION !== 'relay-crash-after-publish') {
    return undefined;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('FAULT_INJECTION is for the fault suite only and is refused with NODE_ENV=production');
  }
  return (published) => {
    if (published.length > 0) {
      log.error(`fault injection: crashing after publishing ${published.length} event(s), before marking them sent`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
}

@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayModuleOptions): DynamicModule {
    return {
      module: OutboxRelayModule,
      global: true,
      providers: [{ provide: OPTIONS, useValue: options }, OutboxRelayService],
      exports: [OutboxRelayService],
    };
  }
}
