import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type CustomStrategy, type MicroserviceOptions } from '@nestjs/microservices';
import { configureLogger, PinoNestLogger, logger } from '#lib/observability';
import { ConfigError, urlList } from './env.js';
import { unreachable, type Dependency } from './preflight.js';

export interface ServiceOptions {
  app: string;
  module: DynamicModule;
  httpPort: number;
  logLevel: string;
  /** One URL, or a cluster's URLs separated by commas. */
  natsUrl: string;
  dependencies: Dependency[];
  /** Serve request/reply on Nest's NATS transport, in this queue group. */
  rpcQueue?: string;
  /** Consume durable events with this strategy (the JetStream transport), taken from the app's container. */
  eventStrategy?(app: INestApplication): CustomStrategy['strategy'];
  /** Runs after the container is built and before anything listens: migrations and seeding. */
  beforeListen?(app: INestApplication): Promise<void>;
}

/**
 * Starts one app: checks that its services are reachable (and says how to start them when not), then the HTTP
 * server (health, metrics, and the API for the gateway), the request/reply listener and the event consumers.
 */
export async function runService(options: ServiceOptions): Promise<INestApplication> {
  configureLogger(options.app, options.logLevel);
  const missing = await unreachable(options.dependencies);
  if (missing.length > 0) {
    throw new StartupError(missing.join('\n'));
  }
  const app = await NestFactory.create(options.module, { logger: new PinoNestLogger(), abortOnError: false });
  app.enableShutdownHooks();
  await options.beforeListen?.(app);
  if (options.rpcQueue) {
    app.connectMicroservice<MicroserviceOptions>(
      { transport: Transport.NATS, options: { servers: urlList(options.natsUrl), queue: options.rpcQueue } },
      { inheritAppConfig: true },
    );
  }
  if (options.eventStrategy) {
    // Not inheriting the HTTP app's filters: event handlers' errors must reach the transport as they are
    // (event controllers carry @UseFilters(JetStreamErrorFilter)).
    app.connectMicroservice<CustomStrategy>({ strategy: options.eventStrategy(app) });
  }
  await app.startAllMicroservices();
  await app.listen(options.httpPort);
  logger().info({ port: options.httpPort }, `${options.app} is up`);
  return app;
}

export class StartupError extends Error {}

/**
 * The entry point of every app's `main.ts`: a bad environment or an unreachable service ends the process
 * with one clear message and exit code 1 — it never hangs.
 */
export function runMain(app: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`${app}: cannot start.\n${error.message}\n`);
    } else {
      process.stderr.write(
        `${app}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  });
}
