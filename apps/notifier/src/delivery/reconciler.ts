import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NotificationService } from './notification.service.js';

/** PostgreSQL is the truth: at start-up and every interval, re-drive intents the queue lost. */
@Injectable()
export class NotificationReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(NotificationReconciler.name);
  private timer?: NodeJS.Timeout;
  static readonly INTERVAL_MS = 30_000;
  static readonly STALE_MS = 15_000;

  constructor(private readonly notifications: NotificationService) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.notifications.reconcile(NotificationReconciler.STALE_MS).catch((error: unknown) => {
        this.log.warn(`reconcile failed: ${String(error)}`);
      });
    };
    run();
    this.timer = setInterval(run, NotificationReconciler.INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
