import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InboxEntity, JetStreamServer, jetStreamDefaults, OutboxEntity, OutboxRelayModule } from '#lib/messaging';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions, urlList } from '#lib/platform';
import type { ActivationEnv } from './activation.env.js';
import { ACTIVATION_MIGRATIONS } from './database/migrations.js';
import { ACTIVATION_SETTINGS, CATALOG, type ActivationSettings } from './activation.settings.js';
import type { Catalog } from './catalog/catalog.types.js';
import { AgreementService } from './communication/agreement.service.js';
import { COMMUNICATION_ENTITIES } from './communication/communication.entities.js';
import { ErasureService } from './communication/erasure.service.js';
import { CommunicationRpcController } from './communication/communication.rpc.controller.js';
import { IncidentScope } from './communication/incident-scope.js';
import { MessageService } from './communication/message.service.js';
import { PressService } from './communication/press.service.js';
import { HealthController } from './health.controller.js';
import { DemoSocialMapSeeder } from './social-map/demo-social-map.seeder.js';
import { PartyContactEntity, SocialMapEntryEntity } from './social-map/social-map.entities.js';
import { SocialMapRpcController } from './social-map/social-map.rpc.controller.js';
import { SocialMapService } from './social-map/social-map.service.js';
import { IncidentEntity } from './incident/incident.entity.js';
import { IncidentRpcController } from './incident/incident.rpc.controller.js';
import { IncidentService } from './incident/incident.service.js';
import { TaskEntity } from './incident/task.entity.js';
import { DemoPlanSeeder } from './plan/demo-plan.seeder.js';
import { LegalChainRpcController } from './legal/legal-chain.rpc.controller.js';
import { LegalChainService } from './legal/legal-chain.service.js';
import { LegalStepEntity } from './legal/legal-step.entity.js';
import { PlanVersionEntity } from './plan/plan-version.entity.js';
import { PlanRpcController } from './plan/plan.rpc.controller.js';
import { PlanService } from './plan/plan.service.js';
import { NotificationUnacknowledgedConsumer } from './task/notification-unacknowledged.consumer.js';
import { TaskScheduler } from './task/task-scheduler.js';
import { TaskRpcController } from './task/task.rpc.controller.js';
import { TaskService } from './task/task.service.js';

export const ACTIVATION_SCHEMA = 'activation';

@Module({})
export class ActivationModule {
  static forRoot(config: ActivationEnv, catalog: Catalog): DynamicModule {
    const servers = urlList(config.NATS_URL);
    return {
      module: ActivationModule,
      imports: [
        TypeOrmModule.forRoot({
          ...postgresOptions({
            url: config.DATABASE_URL,
            schema: ACTIVATION_SCHEMA,
            entities: [
              IncidentEntity,
              TaskEntity,
              PlanVersionEntity,
              LegalStepEntity,
              ...COMMUNICATION_ENTITIES,
              SocialMapEntryEntity,
              PartyContactEntity,
              OutboxEntity,
              InboxEntity,
            ],
            migrations: ACTIVATION_MIGRATIONS,
            applicationName: 'crisisklaar-activation',
          }),
          retryAttempts: 1,
        }),
        TerminusModule,
        ObservabilityModule,
        OutboxRelayModule.forRoot({ servers, app: 'activation' }),
      ],
      controllers: [
        IncidentRpcController,
        TaskRpcController,
        PlanRpcController,
        LegalChainRpcController,
        CommunicationRpcController,
        SocialMapRpcController,
        NotificationUnacknowledgedConsumer,
        HealthController,
      ],
      providers: [
        IncidentService,
        TaskService,
        PlanService,
        LegalChainService,
        IncidentScope,
        MessageService,
        AgreementService,
        ErasureService,
        PressService,
        SocialMapService,
        TaskScheduler,
        DemoPlanSeeder,
        DemoSocialMapSeeder,
        { provide: CATALOG, useValue: catalog },
        {
          provide: ACTIVATION_SETTINGS,
          useValue: { announceLeadMs: config.TASK_ANNOUNCE_LEAD_HOURS * 3_600_000 } satisfies ActivationSettings,
        },
        {
          provide: JetStreamServer,
          useValue: new JetStreamServer(
            // Its handlers lock the task row and are idempotent per event: several at once, in any order, are
            // safe; incidents take turns, so one incident's burst does not hold up another's.
            jetStreamDefaults('activation', servers, config.NATS_STREAM_REPLICAS, {
              production: config.NODE_ENV === 'production',
              concurrency: 8,
              fairByIncident: true,
            }),
          ),
        },
      ],
    };
  }
}
