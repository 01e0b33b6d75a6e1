import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { JetStreamServer } from '#lib/messaging';
import { natsHealth, postgresHealth } from '#lib/platform';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(JetStreamServer) private readonly events: JetStreamServer,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => postgresHealth(this.indicators, this.dataSource),
      () => natsHealth(this.indicators, { consumer: () => this.events.isConnected() }),
    ]);
  }
}
