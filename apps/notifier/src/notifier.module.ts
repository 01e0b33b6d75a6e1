import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxEntity, JetStreamServer, jetStreamDefaults, OutboxEntity, OutboxRelayModule } from '#lib/messaging';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions } from '#lib/platform';
import { ContactEntity } from './contact/contact.entity.js';
import { ContactRpcController } from './contact/contact.rpc.controller.js';
import { CreateNotifications1764288000000 } from './database/migrations/1764288000000-CreateNotifications.js';
import { AddContacts1764381600000 } from './database/migrations/1764381600000-AddContacts.js';
import { WEB_PUSH_QUEUE } from './delivery/delivery.queues.js';
import { NotificationEntity, PushAttemptEntity } from './delivery/notification.entity.js';
import { NotificationService } from './delivery/notification.service.js';
import { PUBLIC_BASE_URL } from './delivery/public-url.token.js';
import { PushDeliveryProcessor } from './delivery/push-delivery.processor.js';
import { NotificationReconciler } from './delivery/reconciler.js';
import { TaskAssignedConsumer } from './delivery/task-assigned.consumer.js';
import { HealthController } from './health.controller.js';
import type { NotifierEnv } from './notifier.env.js';
import { PUSH_SENDER } from './push/push-sender.port.js';
import { PushSubscriptionEntity } from './push/push-subscription.entity.js';
import { PushSubscriptionRpcController } from './push/push-subscription.rpc.controller.js';
import { PushSubscriptionService } from './push/push-subscription.service.js';
import { WebPushSender } from './push/web-push.sender.js';
import { createRedis, REDIS, RedisLifecycle } from './redis.provider.js';

export const NOTIFIER_SCHEMA = 'notifier';

@Module({})
export class NotifierModule {
  static forRoot(config: NotifierEnv): DynamicModule {
    const servers = [config.NATS_URL];
    const redis = createRedis(config.REDIS_URL);
    return {
      module: NotifierModule,
      imports: [
        TypeOrmModule.forRoot({
          ...postgresOptions({
            url: config.DATABASE_URL,
            schema: NOTIFIER_SCHEMA,
            entities: [
              PushSubscriptionEntity,
              NotificationEntity,
              PushAttemptEntity,
              ContactEntity,
              OutboxEntity,
              InboxEntity,
            ],
            migrations: [CreateNotifications1764288000000, AddContacts1764381600000],
            applicationName: 'crisisklaar-notifier',
          }),
          retryAttempts: 1,
        }),
        BullModule.forRoot({ connection: redis, prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: WEB_PUSH_QUEUE }),
        TerminusModule,
        ObservabilityModule,
        OutboxRelayModule.forRoot({ servers, app: 'notifier' }),
      ],
      controllers: [TaskAssignedConsumer, PushSubscriptionRpcController, ContactRpcController, HealthController],
      providers: [
        NotificationService,
        PushDeliveryProcessor,
        NotificationReconciler,
        PushSubscriptionService,
        { provide: REDIS, useValue: redis },
        RedisLifecycle,
        { provide: PUBLIC_BASE_URL, useValue: config.PUBLIC_BASE_URL },
        {
          provide: PUSH_SENDER,
          useValue: new WebPushSender({
            publicKey: config.VAPID_PUBLIC_KEY,
            privateKey: config.VAPID_PRIVATE_KEY,
            subject: config.VAPID_SUBJECT,
            ttlSeconds: config.PUSH_TTL_SECONDS,
          }),
        },
        {
          provide: JetStreamServer,
          useValue: new JetStreamServer(jetStreamDefaults('notifier', servers, config.NATS_STREAM_REPLICAS)),
        },
      ],
    };
  }
}
