import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EscalationService } from '../escalation/escalation.service.js';
import { NotificationService } from './notification.service.js';

/**
 * PostgreSQL is the truth: at start-up and every interval, re-drive what the queues lost — notification jobs
 * of intents still queued, and the timer jobs of every running escalation wait.
 */
@Injectable()
export class NotificationReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(NotificationReconciler.name);
  private timer?: NodeJS.Timeout;
  static readonly INTERVAL_MS = 30_000;
  static readonly STALE_MS = 15_000;

  constructor(
    private readonly notifications: NotificationService,
    private readonly escalation: EscalationService,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.runOnce(NotificationReconciler.STALE_MS).catch((error: unknown) => {
        this.log.warn(`reconcile failed: ${String(error)}`);
      });
    };
    run();
    this.timer = setInterval(run, NotificationReconciler.INTERVAL_MS);
    this.timer.unref();
  }

  /** One pass; returns how many notification jobs and escalation waits it re-created. */
  async runOnce(staleMs: number): Promise<{ notifications: number; timers: number }> {
    const notifications = await this.notifications.reconcile(staleMs, async (n, detail) => {
      await this.escalation.recordOutcome(n.id, 'failed', { reason: `${n.channel}_unavailable`, detail });
    });
    const timers = await this.escalation.reconcileTimers();
    return { notifications, timers };
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
