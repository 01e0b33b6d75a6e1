import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JetStreamServer, jetStreamDefaults, OutboxEntity, OutboxRelayModule } from '#lib/messaging';
import { ObservabilityModule } from '#lib/observability';
import { postgresOptions, urlList } from '#lib/platform';
import { CreateTimeline1764288000000 } from './database/migrations/1764288000000-CreateTimeline.js';
import { TimelineWriterRole1764374400000 } from './database/migrations/1764374400000-TimelineWriterRole.js';
import { AddAftercare1764475200000 } from './database/migrations/1764475200000-AddAftercare.js';
import { ErasableText1764489600000 } from './database/migrations/1764489600000-ErasableText.js';
import { AftercareItemEntity } from './aftercare/aftercare-item.entity.js';
import { AftercareRpcController } from './aftercare/aftercare.rpc.controller.js';
import { AFTERCARE_SCAN_MS, AftercareScheduler } from './aftercare/aftercare.scheduler.js';
import { AftercareService } from './aftercare/aftercare.service.js';
import { RetentionRpcController } from './retention/retention.rpc.controller.js';
import { RetentionService } from './retention/retention.service.js';
import { TimelineController } from './entry/timeline.controller.js';
import {
  ChainHeadEntity,
  EntryTextEntity,
  RetentionPolicyEntity,
  TimelineEntryEntity,
} from './entry/timeline-entry.entity.js';
import { TimelineService } from './entry/timeline.service.js';
import { HealthController } from './health.controller.js';
import type { TimelineEnv } from './timeline.env.js';

/**
 * Events recorded in one transaction at most. A trigger publishes some 35 at once and a region's burst
 * thousands; one transaction per event kept the timeline seconds behind a burst (BENCHMARKS.md).
 */
export const TIMELINE_BATCH = 100;

/**
 * How long the timeline lets arriving events gather before it records a batch that is not full: a trigger's entries are one
 * batch a quarter of a second later instead of several small ones while the notifier sends the first pushes, and a
 * region's burst is recorded in fuller batches (BENCHMARKS.md).
 */
export const TIMELINE_BATCH_LINGER_MS = 250;

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
            entities: [
              TimelineEntryEntity,
              ChainHeadEntity,
              EntryTextEntity,
              RetentionPolicyEntity,
              AftercareItemEntity,
              OutboxEntity,
            ],
            migrations: [
              CreateTimeline1764288000000,
              TimelineWriterRole1764374400000,
              AddAftercare1764475200000,
              ErasableText1764489600000,
            ],
            applicationName: 'crisisklaar-timeline',
          }),
          retryAttempts: 1,
        }),
        TerminusModule,
        ObservabilityModule,
        OutboxRelayModule.forRoot({ servers: urlList(config.NATS_URL), app: 'timeline' }),
      ],
      controllers: [TimelineController, AftercareRpcController, RetentionRpcController, HealthController],
      providers: [
        TimelineService,
        AftercareService,
        RetentionService,
        AftercareScheduler,
        { provide: AFTERCARE_SCAN_MS, useValue: config.AFTERCARE_SCAN_SECONDS * 1000 },
        {
          provide: JetStreamServer,
          useValue: new JetStreamServer(
            jetStreamDefaults('timeline', urlList(config.NATS_URL), config.NATS_STREAM_REPLICAS, {
              production: config.NODE_ENV === 'production',
              // What arrived together is recorded in one transaction, in the stream's order (concurrency 1).
              batch: TIMELINE_BATCH,
              batchLingerMs: TIMELINE_BATCH_LINGER_MS,
            }),
          ),
        },
      ],
    };
  }
}
