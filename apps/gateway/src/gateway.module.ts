import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions, urlList } from '#lib/platform';
import {
  AccountAuditEntity,
  AccountEntity,
  BoardEntity,
  MembershipEntity,
  SchoolEntity,
} from './account/account.entities.js';
import { AccountService } from './account/account.service.js';
import { DemoAccountsSeeder } from './account/demo-accounts.seeder.js';
import { PeopleController } from './account/people.controller.js';
import { AUTH_SETTINGS, AuthController, type AuthSettings } from './auth/auth.controller.js';
import { LoginCodeService } from './auth/login-code.service.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { SendBudget, SMS_SENDS_PER_HOUR } from './auth/send-budget.js';
import { SESSION_ENTITIES } from './auth/session.entities.js';
import { SessionService } from './auth/session.service.js';
import { SessionDevices } from './auth/session-devices.js';
import { AuthGuard } from './auth/auth.guard.js';
import { TokenService } from './auth/token.service.js';
import { ContactController } from './contact/contact.controller.js';
import { IncidentAccess } from './common/incident-access.js';
import { NATS_CLIENT, RPC_TIMEOUT_MS, RpcClient } from './common/rpc.client.js';
import { CreateAccounts1764288000000 } from './database/migrations/1764288000000-CreateAccounts.js';
import { AddSessions1764381600000 } from './database/migrations/1764381600000-AddSessions.js';
import { AddAccountDisable1764568800000 } from './database/migrations/1764568800000-AddAccountDisable.js';
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
import { WebController } from './web/web.controller.js';

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
            entities: [
              BoardEntity,
              SchoolEntity,
              AccountEntity,
              MembershipEntity,
              AccountAuditEntity,
              ...SESSION_ENTITIES,
            ],
            migrations: [CreateAccounts1764288000000, AddSessions1764381600000, AddAccountDisable1764568800000],
            applicationName: 'crisisklaar-gateway',
          }),
          retryAttempts: 1,
        }),
        ClientsModule.register([
          {
            name: NATS_CLIENT,
            transport: Transport.NATS,
            options: { servers: urlList(config.NATS_URL), name: 'gateway' },
          },
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
        PeopleController,
        SocialMapController,
        TwilioWebhookController,
        AdminQueuesController,
        WebController,
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
        {
          provide: SessionService,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) =>
            new SessionService(dataSource, config.REFRESH_TOKEN_TTL_DAYS * 24 * 3_600_000),
        },
        SessionDevices,
        LoginCodeService,
        RateLimiter,
        SendBudget,
        {
          provide: AUTH_SETTINGS,
          useValue: {
            smsCode: config.AUTH_SMS_CODE ?? (config.NODE_ENV === 'production' ? 'crisis-team' : 'off'),
            failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
            attemptsPerAddress: config.LOGIN_ATTEMPTS_PER_ADDRESS,
            secureCookie: config.PUBLIC_BASE_URL.startsWith('https:'),
          } satisfies AuthSettings,
        },
        { provide: SMS_SENDS_PER_HOUR, useValue: config.SMS_SENDS_PER_PERSON_PER_HOUR },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
