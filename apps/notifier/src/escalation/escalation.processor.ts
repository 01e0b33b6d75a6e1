import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { setTimeout as delay } from 'node:timers/promises';
import { queueMetrics } from '#lib/observability';
import { ESCALATION_QUEUE, WORKER_LOCKS, type EscalationJobData } from '../delivery/delivery.queues.js';
import { EscalationService } from './escalation.service.js';

/** Fires the waits of escalation chains: the delayed job is the alarm clock, PostgreSQL decides. */
@Processor(ESCALATION_QUEUE, { concurrency: 20, ...WORKER_LOCKS })
export class EscalationProcessor extends WorkerHost {
  private readonly log = new Logger(EscalationProcessor.name);

  constructor(private readonly escalation: EscalationService) {
    super();
  }

  async process(job: Job<EscalationJobData>, token?: string): Promise<string> {
    let outcome = await this.escalation.onTimer(job.data.chainId, job.data.step);
    if (outcome.kind === 'early') {
      // Clocks of Redis and this host differ a little: wait the rest, then decide.
      await delay(1000);
      outcome = await this.escalation.onTimer(job.data.chainId, job.data.step);
      if (outcome.kind === 'early') {
        throw new Error('escalation timer fired before its deadline');
      }
    }
    if (outcome.kind === 'deferred') {
      // The step's notification left late: the same alarm rings again when its wait really ends (no attempt used).
      await job.moveToDelayed(outcome.until.getTime(), token);
      throw new DelayedError();
    }
    return outcome.kind;
  }

  @OnWorkerEvent('completed')
  onCompleted(_job: Job<EscalationJobData>, result: string): void {
    queueMetrics.jobs.inc({ queue: ESCALATION_QUEUE, outcome: result });
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<EscalationJobData> | undefined, error: Error): void {
    this.log.warn(`escalation job ${job?.id ?? '?'} failed: ${error.message}`);
  }
}
