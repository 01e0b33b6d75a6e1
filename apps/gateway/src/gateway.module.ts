import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions } from '#lib/platform';
import { AccountEntity, BoardEntity, MembershipEntity, SchoolEntity } from './account/account.entities.js';
import { AccountService } from './account/account.service.js';
import { DemoAccountsSeeder } from './account/demo-accounts.seeder.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { TokenService } from './auth/token.service.js';
import { ContactController } from './contact/contact.controller.js';
import { IncidentAccess } from './common/incident-access.js';
import { NATS_CLIENT, RPC_TIMEOUT_MS, RpcClient } from './common/rpc.client.js';
import { CreateAccounts1764288000000 } from './database/migrations/1764288000000-CreateAccounts.js';
import type { GatewayEnv } from './gateway.env.js';
import { CommunicationController } from './communication/communication.controller.js';
import { HealthController } from './health.controller.js';
import { SocialMapController } from './social-map/social-map.controller.js';
import { IncidentController } from './incident/incident.controller.js';
import { AnnouncementController } from './announcement/announcement.controller.js';
import { AftercareController } from './aftercare/aftercare.controller.js';
import { TwilioWebhookController } from './webhook/twilio-webhook.controller.js';
import { AdminQueuesController, NOTIFIER_ADMIN_URL } from './admin/admin-queues.controller.js';
import { PlanController } from './plan/plan.controller.js';
import { PushController, VAPID_PUBLIC_KEY } from './push/push.controller.js';
import { TaskController } from './task/task.controller.js';

export const GATEWAY_SCHEMA = 'gateway';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayEnv): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        TypeOrmModule.forRoot({
          ...postgresOptions({
            url: config.DATABASE_URL,
            schema: GATEWAY_SCHEMA,
            entities: [BoardEntity, SchoolEntity, AccountEntity, MembershipEntity],
            migrations: [CreateAccounts1764288000000],
            applicationName: 'crisisklaar-gateway',
          }),
          retryAttempts: 1,
        }),
        ClientsModule.register([
          { name: NATS_CLIENT, transport: Transport.NATS, options: { servers: [config.NATS_URL], name: 'gateway' } },
        ]),
        TerminusModule,
        ObservabilityModule,
      ],
      controllers: [
        AuthController,
        IncidentController,
        TaskController,
        PlanController,
        PushController,
        ContactController,
        AnnouncementController,
        AftercareController,
        CommunicationController,
        SocialMapController,
        TwilioWebhookController,
        AdminQueuesController,
        HealthController,
      ],
      providers: [
        AccountService,
        DemoAccountsSeeder,
        RpcClient,
        IncidentAccess,
        { provide: RPC_TIMEOUT_MS, useValue: config.RPC_TIMEOUT_MS },
        { provide: NOTIFIER_ADMIN_URL, useValue: config.NOTIFIER_ADMIN_URL },
        { provide: VAPID_PUBLIC_KEY, useValue: config.VAPID_PUBLIC_KEY },
        {
          provide: TokenService,
          useValue: new TokenService(config.AUTH_TOKEN_SECRET?.reveal(), config.ACCESS_TOKEN_TTL_SECONDS),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
