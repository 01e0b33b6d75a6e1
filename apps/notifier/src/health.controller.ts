import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { JetStreamServer, OutboxRelayService } from '#lib/messaging';
import { natsHealth, postgresHealth, redisHealth } from '#lib/platform';
import { REDIS } from './redis.provider.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(JetStreamServer) private readonly events: JetStreamServer,
    private readonly relay: OutboxRelayService,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => postgresHealth(this.indicators, this.dataSource),
      () => redisHealth(this.indicators, this.redis),
      () =>
        natsHealth(this.indicators, {
          consumer: () => this.events.isConnected(),
          publisher: () => this.relay.publisher.isConnected(),
        }),
    ]);
  }
}
