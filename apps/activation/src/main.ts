import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RpcQueue } from '#lib/contracts';
import { JetStreamServer } from '#lib/messaging';
import { migrate, openWarmConnections, runMain, runService } from '#lib/platform';
import { loadActivationEnv } from './activation.env.js';
import { loadCatalog } from './catalog/catalog.loader.js';
import { ACTIVATION_SCHEMA, ActivationModule } from './activation.module.js';
import { DemoPlanSeeder } from './plan/demo-plan.seeder.js';
import { DemoSocialMapSeeder } from './social-map/demo-social-map.seeder.js';

runMain('activation', async () => {
  const config = loadActivationEnv();
  const catalog = loadCatalog(config.CATALOG_DIR); // an invalid catalog stops the app here, naming file and path
  await runService({
    app: 'activation',
    module: ActivationModule.forRoot(config, catalog),
    httpPort: config.ACTIVATION_HTTP_PORT,
    logLevel: config.LOG_LEVEL,
    natsUrl: config.NATS_URL,
    dependencies: [
      { name: 'PostgreSQL', url: config.DATABASE_URL, variable: 'DATABASE_URL' },
      { name: 'NATS', url: config.NATS_URL, variable: 'NATS_URL' },
    ],
    rpcQueue: RpcQueue.Activation,
    eventStrategy: (app) => app.get(JetStreamServer),
    beforeListen: async (app) => {
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await migrate(dataSource, ACTIVATION_SCHEMA);
      await openWarmConnections(dataSource);
      if (config.SEED_DEMO) {
        await app.get(DemoPlanSeeder).seedIfEmpty();
        await app.get(DemoSocialMapSeeder).seedIfEmpty();
      }
    },
  });
});
