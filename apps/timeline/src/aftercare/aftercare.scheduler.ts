import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AftercareService } from './aftercare.service.js';

export const AFTERCARE_SCAN_MS = Symbol('AFTERCARE_SCAN_MS');

/** Looks for due aftercare items at start-up and every interval; PostgreSQL holds what was already told. */
@Injectable()
export class AftercareScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(AftercareScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly aftercare: AftercareService,
    @Inject(AFTERCARE_SCAN_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.aftercare.runDue().catch((error: unknown) => this.log.warn(`aftercare scan failed: ${String(error)}`));
    };
    run();
    this.timer = setInterval(run, this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
