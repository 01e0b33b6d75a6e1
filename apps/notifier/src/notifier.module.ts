import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxEntity, JetStreamServer, jetStreamDefaults, OutboxEntity, OutboxRelayModule } from '#lib/messaging';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions, urlList } from '#lib/platform';
import { ContactEntity } from './contact/contact.entity.js';
import { ContactRpcController } from './contact/contact.rpc.controller.js';
import { DemoContactsSeeder } from './contact/demo-contacts.seeder.js';
import { CreateNotifications1764288000000 } from './database/migrations/1764288000000-CreateNotifications.js';
import { AddContacts1764381600000 } from './database/migrations/1764381600000-AddContacts.js';
import { AddEscalationSmsAnnouncements1764468000000 } from './database/migrations/1764468000000-AddEscalationSmsAnnouncements.js';
import { AddAftercareNotifications1764482400000 } from './database/migrations/1764482400000-AddAftercareNotifications.js';
import { AddPushSubscriptionSession1764568800000 } from './database/migrations/1764568800000-AddPushSubscriptionSession.js';
import { AnnouncementEntity } from './announcement/announcement.entity.js';
import { AnnouncementRpcController } from './announcement/announcement.rpc.controller.js';
import { LoginCodeRpcController } from './sms/login-code.rpc.controller.js';
import { MessageReleasedConsumer } from './announcement/message-released.consumer.js';
import { AnnouncementService } from './announcement/announcement.service.js';
import { EscalationEntity, StopSignalEntity } from './escalation/escalation.entity.js';
import { EscalationProcessor } from './escalation/escalation.processor.js';
import { ESCALATION_WAITS, EscalationService } from './escalation/escalation.service.js';
import { TaskEventsConsumer } from './escalation/task-events.consumer.js';
import { ACTIVATION_NATS_CLIENT, ActivationClient } from './sms/activation.client.js';
import { LocalOutboxSmsSender } from './sms/local-outbox.sms-sender.js';
import { SMS_WORKER_SETTINGS, SmsDeliveryWorker } from './sms/sms-delivery.worker.js';
import { InboundSmsEntity, SmsMessageEntity } from './sms/sms-message.entity.js';
import { SMS_SENDER } from './sms/sms-sender.port.js';
import { TwilioSmsSender } from './sms/twilio.sms-sender.js';
import { TwilioWebhookRpcController } from './sms/twilio-webhook.rpc.controller.js';
import { TwilioWebhookService } from './sms/twilio-webhook.service.js';
import { ESCALATION_QUEUE, SMS_QUEUE, WEB_PUSH_QUEUE } from './delivery/delivery.queues.js';
import { NotificationEntity, PushAttemptEntity } from './delivery/notification.entity.js';
import { NotificationService } from './delivery/notification.service.js';
import { PUBLIC_BASE_URL } from './delivery/public-url.token.js';
import { PushDeliveryProcessor } from './delivery/push-delivery.processor.js';
import { NotificationReconciler } from './delivery/reconciler.js';
import { HealthController } from './health.controller.js';
import { twilioSettings, type NotifierEnv } from './notifier.env.js';
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
    const servers = urlList(config.NATS_URL);
    const redis = createRedis(config.REDIS_URL);
    const twilio = twilioSettings(config);
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
              EscalationEntity,
              StopSignalEntity,
              SmsMessageEntity,
              InboundSmsEntity,
              AnnouncementEntity,
              OutboxEntity,
              InboxEntity,
            ],
            migrations: [
              CreateNotifications1764288000000,
              AddContacts1764381600000,
              AddEscalationSmsAnnouncements1764468000000,
              AddAftercareNotifications1764482400000,
              AddPushSubscriptionSession1764568800000,
            ],
            applicationName: 'crisisklaar-notifier',
          }),
          retryAttempts: 1,
        }),
        BullModule.forRoot({ connection: redis, prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: WEB_PUSH_QUEUE }, { name: SMS_QUEUE }, { name: ESCALATION_QUEUE }),
        ClientsModule.register([
          {
            name: ACTIVATION_NATS_CLIENT,
            transport: Transport.NATS,
            options: { servers, name: 'notifier-rpc' },
          },
        ]),
        TerminusModule,
        ObservabilityModule,
        OutboxRelayModule.forRoot({ servers, app: 'notifier' }),
      ],
      controllers: [
        TaskEventsConsumer,
        PushSubscriptionRpcController,
        ContactRpcController,
        TwilioWebhookRpcController,
        AnnouncementRpcController,
        MessageReleasedConsumer,
        LoginCodeRpcController,
        HealthController,
      ],
      providers: [
        NotificationService,
        DemoContactsSeeder,
        EscalationService,
        EscalationProcessor,
        AnnouncementService,
        TwilioWebhookService,
        ActivationClient,
        SmsDeliveryWorker,
        PushDeliveryProcessor,
        NotificationReconciler,
        PushSubscriptionService,
        { provide: REDIS, useValue: redis },
        RedisLifecycle,
        { provide: PUBLIC_BASE_URL, useValue: config.PUBLIC_BASE_URL },
        {
          provide: ESCALATION_WAITS,
          useValue: {
            critical: config.ESCALATION_WAIT_CRITICAL_SECONDS,
            high: config.ESCALATION_WAIT_HIGH_SECONDS,
            normal: config.ESCALATION_WAIT_NORMAL_SECONDS,
          },
        },
        {
          provide: SMS_SENDER,
          useValue: twilio ? new TwilioSmsSender(twilio) : new LocalOutboxSmsSender(),
        },
        {
          provide: SMS_WORKER_SETTINGS,
          useValue: {
            prefix: config.QUEUE_PREFIX,
            ratePerSecond: config.SMS_RATE_PER_SECOND,
            concurrency: config.SMS_CONCURRENCY,
            validitySeconds: config.SMS_VALIDITY_SECONDS,
          },
        },
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
          useValue: new JetStreamServer(
            // Every handler is idempotent per event and safe in any order (stop signals, row locks): 16 at once,
            // incidents in turn, so the first assignments of a school triggering now are not queued behind the
            // thirty-odd of every school that triggered a moment earlier; one of an incident at a time, in the
            // order activation published them (most urgent first), so a trigger's first pushes do not share the
            // two cores with the chain starts of the rest of the same trigger (BENCHMARKS.md, 2026-12-05: the
            // leader's push was recorded as sent at p50 71 ms after the incident was created, 94 with 4 at once).
            jetStreamDefaults('notifier', servers, config.NATS_STREAM_REPLICAS, {
              production: config.NODE_ENV === 'production',
              concurrency: 16,
              fairByIncident: true,
              perIncident: 1,
            }),
          ),
        },
      ],
    };
  }
}
