import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import webpush from 'web-push';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENT_STREAM } from '#lib/contracts';
import { ensureStream, OutboxEntity } from '#lib/messaging';
import { migrate, Secret } from '#lib/platform';
import { ALL_QUEUES } from '../../apps/notifier/src/delivery/delivery.queues.js';
import { loadNotifierEnv, type NotifierEnv } from '../../apps/notifier/src/notifier.env.js';
import { NOTIFIER_SCHEMA, NotifierModule } from '../../apps/notifier/src/notifier.module.js';
import { PUSH_SENDER } from '../../apps/notifier/src/push/push-sender.port.js';
import { PreconnectingAgent } from '../../apps/notifier/src/push/preconnecting-agent.js';
import { WebPushSender } from '../../apps/notifier/src/push/web-push.sender.js';
import { startFakePushService, startFakeTwilioApi, type FakePushService, type FakeTwilioApi } from '../fakes/index.js';
import { testDatabaseUrl } from './database.js';
import { TEST_TWILIO } from './twilio.js';
import { startNatsServer, type PrivateNatsServer } from './nats-server.js';

export { TEST_TWILIO };

/**
 * The notifier app in-process against the real PostgreSQL, Redis and a private nats-server, with the fake push
 * service and the fake Twilio API (no automatic status callbacks: tests send them, signed, by hand).
 * `restart()` closes the app and starts a new one on the same database, as after a crash.
 */
export class NotifierHarness {
  app!: INestApplication;
  dataSource!: DataSource;

  private constructor(
    readonly nats: PrivateNatsServer,
    readonly push: FakePushService,
    readonly twilio: FakeTwilioApi,
    readonly config: NotifierEnv,
    private readonly vapid: { publicKey: string; privateKey: string },
  ) {}

  static async start(overrides: NodeJS.ProcessEnv = {}): Promise<NotifierHarness> {
    const nats = await startNatsServer();
    const push = await startFakePushService();
    const twilio = await startFakeTwilioApi({ ...TEST_TWILIO, statusSequence: [] });
    const nc = await connect({ servers: nats.url });
    await ensureStream(await jetstreamManager(nc), {
      name: EVENT_STREAM.name,
      subjects: [...EVENT_STREAM.subjects],
      replicas: 1,
      duplicateWindowMs: 60_000,
    });
    await nc.close();
    const vapid = webpush.generateVAPIDKeys();
    const config = loadNotifierEnv({
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL: nats.url,
      QUEUE_PREFIX: `ck-int-${randomBytes(4).toString('hex')}`,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:beheer@crisisklaar.example',
      PUBLIC_BASE_URL: 'https://crisisklaar.test',
      TWILIO_ACCOUNT_SID: TEST_TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TEST_TWILIO.authToken,
      TWILIO_FROM: TEST_TWILIO.from,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      ...overrides,
    });
    const harness = new NotifierHarness(nats, push, twilio, config, vapid);
    await harness.boot(true);
    return harness;
  }

  private async boot(fresh: boolean): Promise<void> {
    const moduleRef = await Test.createTestingModule({ imports: [NotifierModule.forRoot(this.config)] })
      .overrideProvider(PUSH_SENDER)
      .useValue(
        new WebPushSender({
          publicKey: this.vapid.publicKey,
          privateKey: new Secret(this.vapid.privateKey),
          subject: 'mailto:beheer@crisisklaar.example',
          ttlSeconds: 60,
          agent: new PreconnectingAgent({ ca: this.push.caPem }),
        }),
      )
      .compile();
    this.app = moduleRef.createNestApplication({ logger: false });
    this.dataSource = this.app.get<DataSource>(getDataSourceToken());
    if (fresh) {
      await this.dataSource.query(`DROP SCHEMA IF EXISTS "${NOTIFIER_SCHEMA}" CASCADE`);
    }
    await migrate(this.dataSource, NOTIFIER_SCHEMA);
    await this.app.init();
  }

  get<T>(token: abstract new (...args: never[]) => T): T {
    return this.app.get(token);
  }

  queue(name: string): Queue {
    return this.app.get<Queue>(getQueueToken(name));
  }

  /** Redis lost everything of ours (a restart without persistence): every queue is wiped. */
  async wipeQueues(): Promise<void> {
    const connection = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    try {
      for (const name of ALL_QUEUES) {
        const queue = new Queue(name, { connection, prefix: this.config.QUEUE_PREFIX });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    } finally {
      connection.disconnect();
    }
  }

  /** Stops the app (its workers with it) and starts a new one on the same database and Redis prefix. */
  async restart(between?: () => Promise<void>): Promise<void> {
    await this.app.close();
    await between?.();
    await this.boot(false);
  }

  /** Event types the notifier wrote to its outbox about `subjectId` (a task or person id in the payload). */
  async outboxTypes(match: (payload: Record<string, unknown>) => boolean): Promise<string[]> {
    return (await this.dataSource.getRepository(OutboxEntity).find({ order: { id: 'ASC' } }))
      .filter((row) => match(row.envelope.payload as unknown as Record<string, unknown>))
      .map((row) => row.envelope.type);
  }

  async close(): Promise<void> {
    if (this.app) {
      await this.wipeQueues().catch(() => undefined);
      await this.app.close();
    }
    await this.twilio.close();
    await this.push.close();
    await this.nats.dispose();
  }
}
