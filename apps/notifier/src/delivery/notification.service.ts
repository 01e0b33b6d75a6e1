import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { In, LessThan, type DataSource } from 'typeorm';
import { buildEvent, EventSubject, metaCausedBy, type EventEnvelope, type NotificationChannel } from '#lib/contracts';
import { addToOutbox, claimInbox, OutboxRelayService } from '#lib/messaging';
import { notificationJobId, PUSH_JOB_OPTIONS, WEB_PUSH_QUEUE, type PushJobData } from './delivery.queues.js';
import { NotificationEntity } from './notification.entity.js';

@Injectable()
export class NotificationService {
  private readonly log = new Logger(NotificationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(WEB_PUSH_QUEUE) private readonly pushQueue: Queue<PushJobData>,
    private readonly relay: OutboxRelayService,
  ) {}

  /**
   * A task was assigned: record the intent to notify the assignee (with the inbox entry, in one transaction),
   * then make sure its job is queued. A redelivered event finds the intent already there and only re-ensures
   * the job, whose id is deterministic, so nothing is sent twice.
   */
  async onTaskAssigned(event: EventEnvelope<typeof EventSubject.TaskAssigned>): Promise<void> {
    await this.notify(event, event.payload.taskId, event.payload.assigneeId);
  }

  /** A task went to another person (a leader's choice, a deputy): that person is told like a new assignee. */
  async onTaskReassigned(event: EventEnvelope<typeof EventSubject.TaskReassigned>): Promise<void> {
    await this.notify(event, event.payload.taskId, event.payload.toAssigneeId);
  }

  private async notify(event: EventEnvelope, taskId: string, assigneeId: string): Promise<void> {
    const channel: NotificationChannel = 'push';
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, `notifier.${event.type}`, event))) {
        return;
      }
      const now = new Date();
      const { payload: _payload, ...cause } = event;
      await manager
        .createQueryBuilder()
        .insert()
        .into(NotificationEntity)
        .values({
          id: randomUUID(),
          incidentId: event.incidentId,
          taskId,
          personId: assigneeId,
          channel,
          attempt: 1,
          status: 'queued',
          reason: null,
          jobId: notificationJobId(taskId, assigneeId, channel, 1),
          cause,
          createdAt: now,
          updatedAt: now,
          sentAt: null,
        })
        .orIgnore()
        .execute();
    });
    const open = await this.dataSource
      .getRepository(NotificationEntity)
      .findBy({ taskId, personId: assigneeId, channel, status: 'queued' });
    await this.enqueue(open);
  }

  /** Queues a job for each intent (a no-op for a job that is still in the queue). */
  async enqueue(notifications: NotificationEntity[]): Promise<void> {
    if (notifications.length === 0) {
      return;
    }
    await this.pushQueue.addBulk(
      notifications.map((n) => ({
        name: 'send-push',
        data: { notificationId: n.id },
        opts: { ...PUSH_JOB_OPTIONS, jobId: n.jobId },
      })),
    );
  }

  /**
   * Moves a queued notification to its outcome and announces it, once: the status only moves forward, so a
   * second call (a retried job, the reconciler) changes nothing and emits nothing.
   */
  async finish(
    notification: NotificationEntity,
    outcome: { status: 'sent'; devices: number } | { status: 'failed'; reason: string; detail?: string },
  ): Promise<boolean> {
    const changed = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const result = await manager.update(
        NotificationEntity,
        { id: notification.id, status: 'queued' },
        {
          status: outcome.status,
          reason: outcome.status === 'failed' ? outcome.reason : null,
          updatedAt: now,
          sentAt: outcome.status === 'sent' ? now : null,
        },
      );
      if ((result.affected ?? 0) === 0) {
        return false;
      }
      const cause = { ...notification.cause, payload: {} } as EventEnvelope;
      const base = {
        notificationId: notification.id,
        taskId: notification.taskId,
        personId: notification.personId,
        channel: notification.channel,
        attempt: notification.attempt,
      };
      const event =
        outcome.status === 'sent'
          ? buildEvent(EventSubject.NotificationSent, metaCausedBy(cause), { ...base, devices: outcome.devices })
          : buildEvent(EventSubject.NotificationFailed, metaCausedBy(cause), {
              ...base,
              reason: outcome.reason,
              ...(outcome.detail ? { detail: outcome.detail } : {}),
            });
      await addToOutbox(manager, [event]);
      return true;
    });
    if (changed) {
      this.relay.nudge();
      this.log.log(
        outcome.status === 'sent'
          ? `notification ${notification.id} (task ${notification.taskId}) sent to ${outcome.devices} device(s)`
          : `notification ${notification.id} (task ${notification.taskId}) failed: ${outcome.reason}`,
      );
    }
    return changed;
  }

  /**
   * Re-drives intents whose job Redis may have lost (a restart without persistence, a crash between commit
   * and enqueue): every notification still queued after `staleMs` gets its job again.
   */
  async reconcile(staleMs: number): Promise<number> {
    const stale = await this.dataSource.getRepository(NotificationEntity).find({
      where: { status: 'queued', updatedAt: LessThan(new Date(Date.now() - staleMs)) },
      take: 1000,
    });
    const missing: NotificationEntity[] = [];
    for (const n of stale) {
      const job = await this.pushQueue.getJob(n.jobId);
      if (!job) {
        missing.push(n);
      } else if (await job.isFailed()) {
        await this.finish(n, { status: 'failed', reason: 'push_unavailable', detail: job.failedReason });
      }
    }
    await this.enqueue(missing);
    if (missing.length > 0) {
      this.log.warn(`re-queued ${missing.length} notification job(s) that the queue had lost`);
    }
    return missing.length;
  }

  findByIds(ids: string[]): Promise<NotificationEntity[]> {
    return this.dataSource.getRepository(NotificationEntity).findBy({ id: In(ids) });
  }
}
