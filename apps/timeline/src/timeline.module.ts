import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JetStreamServer, jetStreamDefaults } from '#lib/messaging';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions } from '#lib/platform';
import { CreateTimeline1764288000000 } from './database/migrations/1764288000000-CreateTimeline.js';
import { TimelineWriterRole1764374400000 } from './database/migrations/1764374400000-TimelineWriterRole.js';
import { TimelineController } from './entry/timeline.controller.js';
import { ChainHeadEntity, TimelineEntryEntity } from './entry/timeline-entry.entity.js';
import { TimelineService } from './entry/timeline.service.js';
import { HealthController } from './health.controller.js';
import type { TimelineEnv } from './timeline.env.js';

export const TIMELINE_SCHEMA = 'timeline';

@Module({})
export class TimelineModule {
  static forRoot(config: TimelineEnv): DynamicModule {
    return {
      module: TimelineModule,
      imports: [
        TypeOrmModule.forRoot({
          ...postgresOptions({
            url: config.DATABASE_URL,
            schema: TIMELINE_SCHEMA,
            entities: [TimelineEntryEntity, ChainHeadEntity],
            migrations: [CreateTimeline1764288000000, TimelineWriterRole1764374400000],
            applicationName: 'crisisklaar-timeline',
          }),
          retryAttempts: 1,
        }),
        TerminusModule,
        ObservabilityModule,
      ],
      controllers: [TimelineController, HealthController],
      providers: [
        TimelineService,
        {
          provide: JetStreamServer,
          useValue: new JetStreamServer(jetStreamDefaults('timeline', [config.NATS_URL], config.NATS_STREAM_REPLICAS)),
        },
      ],
    };
  }
}
