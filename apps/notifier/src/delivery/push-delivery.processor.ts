import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { queueMetrics, runWithContext } from '#lib/observability';
import { PUSH_SENDER, type PushSender } from '../push/push-sender.port.js';
import { PushSubscriptionEntity } from '../push/push-subscription.entity.js';
import { PUSH_JOB_OPTIONS, WEB_PUSH_QUEUE, WORKER_LOCKS, type PushJobData } from './delivery.queues.js';
import { PushAttemptEntity } from './notification.entity.js';
import { PUBLIC_BASE_URL } from './public-url.token.js';
import { EscalationService, type PushToSend } from '../escalation/escalation.service.js';
import type { PushAttemptRow } from './notification.service.js';
import { pushMessage } from '../push/push-message.js';

/**
 * Sends one notification to every device of its person. Safe to run again: devices that already accepted it
 * are skipped (push_attempt), and a notification that is no longer queued is left alone.
 */
@Processor(WEB_PUSH_QUEUE, { concurrency: 20, ...WORKER_LOCKS })
export class PushDeliveryProcessor extends WorkerHost {
  private readonly log = new Logger(PushDeliveryProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PUSH_SENDER) private readonly sender: PushSender,
    private readonly escalation: EscalationService,
    @Inject(PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
  ) {
    super();
  }

  async process(job: Job<PushJobData>, token?: string): Promise<string> {
    const started = process.hrtime.bigint();
    const push = await this.escalation.pushToSend(job.data.notificationId);
    if (!push) {
      return 'skipped';
    }
    return runWithContext({ correlationId: push.notification.cause.correlationId }, async () => {
      try {
        return await this.deliver(push, job, token);
      } finally {
        queueMetrics.duration.observe({ queue: WEB_PUSH_QUEUE }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    });
  }

  private async deliver(
    { notification, devices: subscriptions, accepted: done }: PushToSend,
    job: Job<PushJobData>,
    token?: string,
  ): Promise<string> {
    if (subscriptions.length === 0) {
      await this.escalation.recordOutcome(notification, 'unreachable', { reason: 'no_push_subscription' });
      return 'no-subscription';
    }
    const attempts = this.dataSource.getRepository(PushAttemptEntity);
    let accepted = done.size;
    let gone = 0;
    let retry: string | undefined;
    let retryAfterMs: number | undefined;
    // The last device's answer is written with the notification's outcome, in the same transaction; an earlier
    // device's answer is written before the next device is tried, so a retried job never pushes twice.
    let last: PushAttemptRow | undefined;
    const writeLast = async () => {
      if (last) {
        await attempts.upsert({ notificationId: notification.id, ...last }, ['notificationId', 'subscriptionId']);
        last = undefined;
      }
    };
    const message = pushMessage(this.publicBaseUrl, notification);
    for (const subscription of subscriptions.filter((s) => !done.has(s.id))) {
      const result = await this.sender.send(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        message,
        {
          topic: (notification.taskId ?? notification.announcementId ?? notification.aftercareItemId!).replace(
            /-/g,
            '',
          ),
          urgency: notification.taskId ? 'high' : 'normal',
        },
      );
      if (result.outcome === 'retry') {
        retry = result.detail;
        retryAfterMs = Math.max(retryAfterMs ?? 0, result.retryAfterMs ?? 0) || undefined;
        continue;
      }
      await writeLast();
      last = { subscriptionId: subscription.id, outcome: result.outcome, statusCode: result.statusCode };
      if (result.outcome === 'accepted') {
        accepted += 1;
      } else if (result.outcome === 'gone') {
        gone += 1;
        await writeLast();
        await this.dataSource.getRepository(PushSubscriptionEntity).delete({ id: subscription.id });
      }
    }
    if (accepted > 0) {
      await this.escalation.recordOutcome(notification, 'sent', { devices: accepted, provider: 'push-service' }, last);
      return 'sent';
    }
    await writeLast();
    if (retry) {
      const waits = (job.data.retryAfterWaits ?? 0) + 1;
      if (retryAfterMs && token && waits <= PUSH_JOB_OPTIONS.attempts) {
        // 429 with Retry-After: wait exactly as long as the push service asked (bounded), then try again.
        await job.updateData({ ...job.data, retryAfterWaits: waits });
        await job.moveToDelayed(Date.now() + Math.min(retryAfterMs, 120_000), token);
        throw new DelayedError();
      }
      throw new Error(retry); // BullMQ retries with exponential backoff; the last failure falls back to SMS
    }
    const reason = gone === subscriptions.length ? 'push_subscription_expired' : 'push_rejected';
    await this.escalation.recordOutcome(notification, 'failed', { reason });
    return reason;
  }

  @OnWorkerEvent('completed')
  onCompleted(job: Job<PushJobData>, result: string): void {
    queueMetrics.jobs.inc({ queue: WEB_PUSH_QUEUE, outcome: result });
    queueMetrics.enqueueToDone.observe({ queue: WEB_PUSH_QUEUE }, (Date.now() - job.timestamp) / 1000);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<PushJobData> | undefined, error: Error): Promise<void> {
    if (!job) {
      return;
    }
    const final = job.attemptsMade >= (job.opts.attempts ?? PUSH_JOB_OPTIONS.attempts);
    queueMetrics.jobs.inc({ queue: WEB_PUSH_QUEUE, outcome: final ? 'failed' : 'retry' });
    this.log.warn(`push job ${job.id} attempt ${job.attemptsMade} failed: ${error.message}`);
    if (!final) {
      return;
    }
    await this.escalation.recordOutcome(job.data.notificationId, 'failed', {
      reason: 'push_unavailable',
      detail: error.message,
    });
  }
}
