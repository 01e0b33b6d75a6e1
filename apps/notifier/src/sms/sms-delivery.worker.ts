import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { queueMetrics, runWithContext } from '#lib/observability';
import { SMS_JOB_OPTIONS, SMS_QUEUE, WORKER_LOCKS, type SmsJobData } from '../delivery/delivery.queues.js';
import { PUBLIC_BASE_URL } from '../delivery/public-url.token.js';
import { EscalationService, type SmsToSend } from '../escalation/escalation.service.js';
import { REDIS } from '../redis.provider.js';
import { SmsMessageEntity } from './sms-message.entity.js';
import { setTimeout as delay } from 'node:timers/promises';
import { SmsPacer, type Turn } from './sms-pacer.js';

/** How often (a second apart) the worker tries to store a SID Twilio gave it before the job fails. */
const SID_WRITE_ATTEMPTS = 60;
import { SMS_SENDER, type SmsSender } from './sms-sender.port.js';
import { smsBody } from './sms-text.js';

/** Settings of the SMS queue's worker. */
export interface SmsWorkerSettings {
  /** The queue's key prefix in Redis. */
  prefix: string;
  /**
   * Messages per second the sender may take (Twilio: 10 segments/s for a Dutch sender): held across all workers,
   * at the provider (one request every 1050/rate ms, see {@link SmsPacer}), and by BullMQ's limiter on job starts.
   */
  ratePerSecond: number;
  /**
   * Messages being prepared at once. Jobs start in priority order and their requests leave in that order (per
   * notifier); a higher-priority job that starts later can still find up to n - 1 lower-priority requests sent.
   */
  concurrency: number;
  validitySeconds: number;
}

export const SMS_WORKER_SETTINGS = Symbol('SMS_WORKER_SETTINGS');

/**
 * Sends one SMS per notification, under a rate limit shared by every worker of the queue, highest priority
 * first (crisis-team tasks before messages to all staff). The provider's id is stored right after it answers
 * and checked before sending, so a retried job does not send twice. The rate is taken right before the
 * provider's request ({@link SmsPacer}), so what a job does before it cannot bunch the requests.
 */
@Injectable()
export class SmsDeliveryWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(SmsDeliveryWorker.name);
  private worker?: Worker<SmsJobData, string>;
  private readonly pacer: SmsPacer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SMS_SENDER) private readonly sender: SmsSender,
    private readonly escalation: EscalationService,
    @Inject(PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SMS_WORKER_SETTINGS) private readonly settings: SmsWorkerSettings,
  ) {
    // Under the queue's own keys, so wiping the queue wipes it too.
    this.pacer = new SmsPacer(redis, `${settings.prefix}:${SMS_QUEUE}:pacer`, settings.ratePerSecond);
  }

  onModuleInit(): void {
    this.worker = new Worker<SmsJobData, string>(SMS_QUEUE, (job) => this.process(job), {
      connection: this.redis,
      prefix: this.settings.prefix,
      concurrency: this.settings.concurrency,
      ...WORKER_LOCKS,
      limiter: { max: this.settings.ratePerSecond, duration: 1000 },
    });
    this.worker.on('failed', (job, error) => {
      void this.onFailed(job, error);
    });
    this.worker.on('completed', (job, result) => {
      queueMetrics.jobs.inc({ queue: SMS_QUEUE, outcome: result });
      queueMetrics.enqueueToDone.observe({ queue: SMS_QUEUE }, (Date.now() - job.timestamp) / 1000);
    });
    this.worker.on('error', (error) => this.log.warn(`SMS worker: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: Job<SmsJobData>): Promise<string> {
    // In line from the start, so that the requests leave in the order the jobs started (priority order).
    const turn = this.pacer.enter(job.opts.priority ?? 0);
    try {
      const toSend = await this.escalation.smsToSend(job.data.notificationId);
      if (!toSend) {
        return 'skipped';
      }
      return await runWithContext({ correlationId: toSend.notification.cause.correlationId }, () =>
        this.deliver(toSend, job, turn),
      );
    } finally {
      this.pacer.leave(turn);
    }
  }

  private async deliver(
    { notification: n, phone, earlier }: SmsToSend,
    job: Job<SmsJobData>,
    turn: Turn,
  ): Promise<string> {
    const messages = this.dataSource.getRepository(SmsMessageEntity);
    if (earlier?.sid) {
      // The provider took it before a crash or a lost job completion: record, do not send again.
      await this.escalation.recordOutcome(n, 'sent', { provider: 'twilio' });
      return 'sent';
    }
    if (!phone) {
      await this.escalation.recordOutcome(n, 'unreachable', { reason: 'no_phone_number' });
      return 'no-phone';
    }
    const body = smsBody(this.publicBaseUrl, {
      kind: n.taskId ? 'task' : n.announcementId ? 'announcement' : 'aftercare',
      id: (n.taskId ?? n.announcementId ?? n.aftercareItemId)!,
      drill: n.cause.drill,
    });
    const now = new Date();
    await messages.upsert(
      {
        notificationId: n.id,
        provider: this.sender.provider,
        toPhone: phone,
        body,
        sid: null,
        providerStatus: null,
        errorCode: null,
        createdAt: earlier?.createdAt ?? now,
        updatedAt: now,
      },
      ['notificationId'],
    );
    await this.pacer.take(turn);
    const result = await this.sender.send({
      to: phone,
      body,
      statusCallback: `${this.publicBaseUrl.replace(/\/$/, '')}/webhooks/twilio/status`,
      validitySeconds: this.settings.validitySeconds,
    });
    switch (result.outcome) {
      case 'accepted':
        await this.keepSid(n.id, result.sid, result.providerStatus);
        await this.escalation.recordOutcome(n, 'sent', { provider: 'twilio' });
        return 'sent';
      case 'kept-locally':
        await this.escalation.recordOutcome(n, 'local_outbox', { provider: 'local-outbox' });
        return 'local-outbox';
      case 'rejected':
        await messages.update({ notificationId: n.id }, { errorCode: result.code, updatedAt: new Date() });
        await this.escalation.recordOutcome(n, 'failed', { reason: 'sms_rejected', detail: result.detail });
        return 'rejected';
      case 'retry':
        if (result.rateLimited) {
          // The provider's own limit: slow the whole queue down, not only this job, and every notifier's requests.
          await this.pacer.pause(result.retryAfterMs ?? 1000);
          await this.worker?.rateLimit(result.retryAfterMs ?? 1000);
        }
        this.log.warn(`SMS job ${job.id} attempt ${job.attemptsMade + 1}: ${result.detail}`);
        throw new Error(result.detail); // BullMQ retries with exponential backoff; the last failure falls back
    }
  }

  /**
   * Twilio took the SMS: its SID must reach PostgreSQL, or a retried job would send it again (Twilio has no
   * idempotency key). When PostgreSQL is briefly gone (a crash, a failover), keep trying for up to a minute
   * instead of failing the job; the fault suite saw an SMS sent twice after a PostgreSQL crash at this point.
   */
  private async keepSid(notificationId: string, sid: string, providerStatus: string | null): Promise<void> {
    const messages = this.dataSource.getRepository(SmsMessageEntity);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await messages.update({ notificationId }, { sid, providerStatus, updatedAt: new Date() });
        return;
      } catch (error) {
        if (attempt >= SID_WRITE_ATTEMPTS) {
          throw error;
        }
        this.log.warn(`SMS ${notificationId}: storing the SID failed (${String(error)}); trying again`);
        await delay(1_000);
      }
    }
  }

  private async onFailed(job: Job<SmsJobData> | undefined, error: Error): Promise<void> {
    if (!job) {
      return;
    }
    const final = job.attemptsMade >= (job.opts.attempts ?? SMS_JOB_OPTIONS.attempts);
    queueMetrics.jobs.inc({ queue: SMS_QUEUE, outcome: final ? 'failed' : 'retry' });
    if (final) {
      await this.escalation
        .recordOutcome(job.data.notificationId, 'failed', { reason: 'sms_unavailable', detail: error.message })
        .catch((e: unknown) => this.log.warn(`could not record the SMS failure: ${String(e)}`));
    }
  }
}
