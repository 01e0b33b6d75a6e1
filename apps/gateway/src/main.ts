import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { migrate, openWarmConnections, runMain, runService } from '#lib/platform';
import { DemoAccountsSeeder } from './account/demo-accounts.seeder.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { bodyErrors, bodyShape, securityHeaders } from './common/security-headers.js';
import { validationPipe } from './common/validation.js';
import { loadGatewayEnv } from './gateway.env.js';
import { GATEWAY_SCHEMA, GatewayModule } from './gateway.module.js';

/** Bodies larger than this are refused with 413 before they are parsed (the staff CSV import is the largest). */
export const BODY_LIMIT = '1mb';

export function configureHttp(app: INestApplication, publicBaseUrl = 'http://localhost', trustProxy?: string): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  if (trustProxy) {
    express.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
  }
  express.use(securityHeaders(publicBaseUrl.startsWith('https:')));
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  express.use(bodyErrors);
  express.use(bodyShape);
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new HttpExceptionFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Crisisklaar API')
      .setDescription(
        'Het calamiteitenprotocol van de school als software. / The school calamity protocol as software.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

runMain('gateway', async () => {
  const config = loadGatewayEnv();
  await runService({
    app: 'gateway',
    module: GatewayModule.forRoot(config),
    httpPort: config.HTTP_PORT,
    logLevel: config.LOG_LEVEL,
    natsUrl: config.NATS_URL,
    dependencies: [
      { name: 'PostgreSQL', url: config.DATABASE_URL, variable: 'DATABASE_URL' },
      { name: 'NATS', url: config.NATS_URL, variable: 'NATS_URL' },
    ],
    beforeListen: async (app) => {
      const dataSource = app.get<DataSource>(getDataSourceToken());
      await migrate(dataSource, GATEWAY_SCHEMA);
      await openWarmConnections(dataSource);
      if (config.SEED_DEMO) {
        await app.get(DemoAccountsSeeder).seedIfEmpty();
      }
      configureHttp(app, config.PUBLIC_BASE_URL, config.TRUST_PROXY);
    },
  });
});
