import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { RpcQueue } from '#lib/contracts';
import { JetStreamServer } from '#lib/messaging';
import { migrate, openWarmConnections, runMain, runService } from '#lib/platform';
import { DemoContactsSeeder } from './contact/demo-contacts.seeder.js';
import { loadNotifierEnv } from './notifier.env.js';
import { NOTIFIER_SCHEMA, NotifierModule } from './notifier.module.js';
import { QUEUE_BOARD_PATH, queueBoard } from './queue-board.js';
import { REDIS } from './redis.provider.js';
import { checkRedisDurability } from './redis-durability.js';

runMain('notifier', async () => {
  const config = loadNotifierEnv();
  await runService({
    app: 'notifier',
    module: NotifierModule.forRoot(config),
    httpPort: config.NOTIFIER_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
    natsUrl: config.NATS_URL,
    dependencies: [
      { name: 'PostgreSQL', url: config.DATABASE_URL, variable: 'DATABASE_URL' },
      { name: 'Redis', url: config.REDIS_URL, variable: 'REDIS_URL' },
      { name: 'NATS', url: config.NATS_URL, variable: 'NATS_URL' },
    ],
    rpcQueue: RpcQueue.Notifier,
    eventStrategy: (app) => app.get(JetStreamServer),
    beforeListen: async (app) => {
      app.use(QUEUE_BOARD_PATH, queueBoard(app));
      await checkRedisDurability(app.get<Redis>(REDIS), config.NODE_ENV === 'production');
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await migrate(dataSource, NOTIFIER_SCHEMA);
      await openWarmConnections(dataSource);
      if (config.SEED_DEMO) {
        await app.get(DemoContactsSeeder).seedIfEmpty();
      }
    },
  });
});
