import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RpcQueue } from '#lib/contracts';
import { JetStreamServer } from '#lib/messaging';
import { migrate, openWarmConnections, runMain, runService } from '#lib/platform';
import { loadTimelineEnv } from './timeline.env.js';
import { TIMELINE_SCHEMA, TimelineModule } from './timeline.module.js';

runMain('timeline', async () => {
  const config = loadTimelineEnv();
  await runService({
    app: 'timeline',
    module: TimelineModule.forRoot(config),
    httpPort: config.TIMELINE_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
    natsUrl: config.NATS_URL,
    dependencies: [
      { name: 'PostgreSQL', url: config.DATABASE_URL, variable: 'DATABASE_URL' },
      { name: 'NATS', url: config.NATS_URL, variable: 'NATS_URL' },
    ],
    rpcQueue: RpcQueue.Timeline,
    eventStrategy: (app) => app.get(JetStreamServer),
    beforeListen: async (app) => {
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await migrate(dataSource, TIMELINE_SCHEMA);
      await openWarmConnections(dataSource);
    },
  });
});
