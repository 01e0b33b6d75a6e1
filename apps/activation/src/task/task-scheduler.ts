import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TaskService } from './task.service.js';

/** Runs the task schedule (announce later tasks, flag overdue ones) at boot and every interval. */
@Injectable()
export class TaskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly INTERVAL_MS = 15_000;
  private readonly log = new Logger(TaskScheduler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(private readonly tasks: TaskService) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.tasks
        .runSchedule()
        .catch((error: unknown) => this.log.warn(`task schedule failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, TaskScheduler.INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
