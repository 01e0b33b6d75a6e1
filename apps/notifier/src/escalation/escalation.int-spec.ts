import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { In } from 'typeorm';
import { buildEvent, EventSubject, type EventEnvelope } from '#lib/contracts';
import { taskAssignedEvent, TEST_META } from '../../../../test/support/events.js';
import { NotifierHarness, TEST_TWILIO } from '../../../../test/support/notifier-harness.js';
import { waitFor } from '../../../../test/support/wait.js';
import { AnnouncementService } from '../announcement/announcement.service.js';
import { ContactEntity } from '../contact/contact.entity.js';
import { SMS_QUEUE, WEB_PUSH_QUEUE } from '../delivery/delivery.queues.js';
import { NotificationEntity, PushAttemptEntity } from '../delivery/notification.entity.js';
import { PushSubscriptionEntity } from '../push/push-subscription.entity.js';
import { PushSubscriptionService } from '../push/push-subscription.service.js';
import { TwilioWebhookService } from '../sms/twilio-webhook.service.js';
import { EscalationEntity } from './escalation.entity.js';
import { EscalationService, taskLockKey } from './escalation.service.js';

const WAIT_S = 2;

/**
 * Escalation per task and person against real PostgreSQL, Redis and NATS, the fake push service and the fake
 * Twilio API, with short waits: push → SMS → the deputy (via `crisis.notification.unacknowledged.v1`).
 */
describe('escalation', () => {
  let h: NotifierHarness;
  const escalation = () => h.get(EscalationService);

  beforeAll(async () => {
    h = await NotifierHarness.start({
      ESCALATION_WAIT_CRITICAL_SECONDS: String(WAIT_S),
      ESCALATION_WAIT_HIGH_SECONDS: String(WAIT_S),
      // Normal-priority tasks wait long: their tests are about retries, not about the wait.
      ESCALATION_WAIT_NORMAL_SECONDS: '120',
      // One SMS in flight at a time: the order of arrival at the fake is the order of the queue.
      SMS_CONCURRENCY: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => {
    h.push.reset();
    h.twilio.reset();
  });

  const phoneNumber = () => `+316${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  /** A person with (optionally) a phone and a device. */
  const person = async (opts: { device?: boolean; phone?: boolean } = {}) => {
    const personId = randomUUID();
    const phone = opts.phone === false ? null : phoneNumber();
    if (phone) {
      await h.dataSource
        .getRepository(ContactEntity)
        .insert({ personId, phone, channelOrder: ['push', 'sms'], updatedAt: new Date() });
    }
    const device = opts.device ? h.push.createSubscription() : null;
    if (device) {
      await h.get(PushSubscriptionService).register({ personId, subscription: device.subscription });
    }
    return { personId, phone, device };
  };

  const assign = async (personId: string, priority: 'critical' | 'normal' = 'critical') => {
    const event = taskAssignedEvent(
      {
        taskId: randomUUID(),
        assigneeId: personId,
        priority,
        title: { nl: 'Bel de familie van Sanne de Vries', en: 'Call the family of Sanne de Vries' },
      },
      { incidentId: randomUUID(), correlationId: randomUUID() },
    );
    await escalation().onTaskEvent(event);
    return event;
  };

  const acknowledged = (assigned: EventEnvelope<typeof EventSubject.TaskAssigned>, at = new Date()) => ({
    ...buildEvent(
      EventSubject.TaskAcknowledged,
      {
        ...TEST_META,
        incidentId: assigned.incidentId,
        actor: assigned.payload.assigneeId,
        correlationId: randomUUID(),
      },
      { taskId: assigned.payload.taskId, role: assigned.payload.role, assigneeId: assigned.payload.assigneeId },
    ),
    occurredAt: at.toISOString(),
  });

  /** An all-staff announcement to `recipientIds`, as the gateway asks for it. */
  const announce = (recipientIds: string[], text: string, announcementId = randomUUID()) =>
    h.get(AnnouncementService).create({
      announcementId,
      incidentId: randomUUID(),
      schoolId: TEST_META.schoolId,
      boardId: TEST_META.boardId,
      drill: false,
      authorId: randomUUID(),
      audience: 'all-staff',
      text,
      recipientIds,
      correlationId: randomUUID(),
    });

  const typesFor = (taskId: string) => h.outboxTypes((p) => p.taskId === taskId);
  const smsTo = (phone: string | null) => h.twilio.messages.filter((m) => m.to === phone);
  const notificationsOf = (taskId: string) =>
    // A push that cannot go out and the SMS it moves on to are created at the same instant: push first.
    h.dataSource
      .getRepository(NotificationEntity)
      .find({ where: { taskId }, order: { createdAt: 'ASC', channel: 'ASC' } });
  const chainOf = (taskId: string) => h.dataSource.getRepository(EscalationEntity).findOneByOrFail({ taskId });

  /** The statements (with their parameters) that name one of `ids`, run while `work` runs. */
  const statementsNaming = async (ids: string[], work: () => Promise<unknown>) => {
    const seen: { sql: string; parameters: unknown[] }[] = [];
    const logger = h.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (sql, parameters, runner) => {
      seen.push({ sql, parameters: Array.isArray(parameters) ? parameters : Object.values(parameters ?? {}) });
      logQuery(sql, parameters, runner);
    };
    try {
      await work();
    } finally {
      logger.logQuery = logQuery;
    }
    return seen.filter((s) => s.parameters.some((v) => ids.includes(v as string)));
  };

  /** Runs `work` with the queue paused (no job of it runs until `work` resumes it), and resumes it whatever happens. */
  const withQueuePaused = async (name: string, work: (queue: Queue) => Promise<void>) => {
    const queue = h.queue(name);
    await queue.pause();
    try {
      await work(queue);
    } finally {
      await queue.resume(); // a no-op when `work` resumed it
    }
  };

  it('goes push → SMS → deputy when nobody picks the task up, each step once, and never names the task', async () => {
    const p = await person({ device: true });
    const event = await assign(p.personId);
    const taskId = event.payload.taskId;
    await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
    await waitFor(() => smsTo(p.phone).length === 1, { timeoutMs: 15_000, message: 'the SMS after the wait' });
    const [sms] = smsTo(p.phone);
    expect(sms!.body).toContain(`/app/tasks/${taskId}`);
    expect(sms!.body).not.toMatch(/Sanne|familie|family/i);
    expect(sms!.validityPeriod).toBe(900);
    expect(sms!.statusCallback).toBe('https://crisisklaar.test/webhooks/twilio/status');
    await waitFor(async () => (await typesFor(taskId)).includes(EventSubject.NotificationUnacknowledged), {
      timeoutMs: 15_000,
    });
    expect(await typesFor(taskId)).toEqual([
      EventSubject.NotificationSent,
      EventSubject.NotificationEscalated,
      EventSubject.NotificationSent,
      EventSubject.NotificationUnacknowledged,
    ]);
    await sleep(WAIT_S * 1000 + 500); // nothing more happens after the last step
    expect(smsTo(p.phone)).toHaveLength(1);
    expect(h.push.received.filter((m) => m.subscriptionId === p.device!.id)).toHaveLength(1);
    expect((await typesFor(taskId)).filter((t) => t === EventSubject.NotificationUnacknowledged)).toHaveLength(1);
    expect((await chainOf(taskId)).state).toBe('exhausted');
    expect((await notificationsOf(taskId)).map((n) => [n.channel, n.status])).toEqual([
      ['push', 'sent'],
      ['sms', 'sent'],
    ]);
  });

  it('gives the person the whole wait from when the SMS left, when a backlog held it: no silent hand-over', async () => {
    const p = await person({ device: true });
    await withQueuePaused(SMS_QUEUE, async (queue) => {
      const event = await assign(p.personId);
      const taskId = event.payload.taskId;
      await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
      await waitFor(async () => (await chainOf(taskId)).step === 1, { timeoutMs: 10_000, message: 'the SMS step' });
      // The SMS step's wait runs out twice over while its SMS sits in the queue: the chain must wait for it.
      await sleep(WAIT_S * 2000 + 1000);
      expect(smsTo(p.phone)).toHaveLength(0);
      expect((await chainOf(taskId)).state).toBe('running');
      expect(await typesFor(taskId)).not.toContain(EventSubject.NotificationUnacknowledged);
      expect((await notificationsOf(taskId)).map((n) => [n.channel, n.status])).toEqual([
        ['push', 'sent'],
        ['sms', 'queued'],
      ]);
      await queue.resume();
      await waitFor(() => smsTo(p.phone).length === 1, { timeoutMs: 10_000, message: 'the SMS once resumed' });
      const sentAt = Date.now();
      await waitFor(async () => (await typesFor(taskId)).includes(EventSubject.NotificationUnacknowledged), {
        timeoutMs: 20_000,
        message: 'the hand-over after the full wait',
      });
      // The hand-over came a full wait after the SMS left, not at the deadline set when it was queued.
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(WAIT_S * 1000 - 300);
      expect(smsTo(p.phone)).toHaveLength(1);
      expect((await chainOf(taskId)).state).toBe('exhausted');
    });
  });

  it('stops at once when the person acknowledges during the wait: no SMS, no hand-over', async () => {
    const p = await person({ device: true });
    const event = await assign(p.personId);
    await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
    await escalation().onStopEvent(acknowledged(event));
    await sleep(WAIT_S * 2000 + 1000);
    expect(smsTo(p.phone)).toHaveLength(0);
    // The push may still have been in flight at the acknowledgement: it is settled as acknowledged all the same.
    expect(await typesFor(event.payload.taskId)).toEqual([
      EventSubject.NotificationSent,
      EventSubject.NotificationAcknowledged,
    ]);
    expect((await chainOf(event.payload.taskId)).state).toBe('acknowledged');
    expect((await notificationsOf(event.payload.taskId))[0]!.status).toBe('acknowledged');
  });

  it('lets an acknowledgement that overtook its assignment win (events of two subjects come in any order)', async () => {
    const p = await person({ device: true });
    const event = taskAssignedEvent(
      { taskId: randomUUID(), assigneeId: p.personId },
      { incidentId: randomUUID(), correlationId: randomUUID() },
    );
    await escalation().onStopEvent(acknowledged(event, new Date(Date.parse(event.occurredAt) + 1000)));
    await escalation().onTaskEvent(event);
    await sleep(1500);
    expect(h.push.received.filter((m) => m.subscriptionId === p.device!.id)).toHaveLength(0);
    expect(await notificationsOf(event.payload.taskId)).toHaveLength(0);
  });

  it('notifies a person again, as a new attempt, when a task handed to someone else comes back to them', async () => {
    const [withApp, withoutApp] = await Promise.all([person({ device: true }), person()]);
    const first = await assign(withApp.personId);
    await h.push.waitFor((m) => m.subscriptionId === withApp.device!.id, 10_000);
    const handOver = async (from: string, to: string, at: number) => {
      const moved = buildEvent(
        EventSubject.TaskReassigned,
        { ...TEST_META, incidentId: first.incidentId, correlationId: randomUUID() },
        {
          taskId: first.payload.taskId,
          role: first.payload.role,
          fromAssigneeId: from,
          toAssigneeId: to,
          reason: 'manual',
          title: first.payload.title,
          dueAt: first.payload.dueAt,
          priority: 'critical',
        },
      );
      await escalation().onTaskEvent({
        ...moved,
        occurredAt: new Date(Date.parse(first.occurredAt) + at).toISOString(),
      });
    };
    await handOver(withApp.personId, withoutApp.personId, 1000);
    await handOver(withoutApp.personId, withApp.personId, 2000);
    await handOver(withApp.personId, withoutApp.personId, 3000);
    await waitFor(() => smsTo(withoutApp.phone).length === 2, { timeoutMs: 15_000 });
    await waitFor(() => h.push.received.filter((m) => m.subscriptionId === withApp.device!.id).length === 2, {
      timeoutMs: 10_000,
    });
    const attempts = (await notificationsOf(first.payload.taskId)).map((n) => [
      n.personId === withApp.personId ? 'app' : 'no app',
      n.channel,
      n.attempt,
    ]);
    expect(attempts).toEqual([
      ['app', 'push', 1],
      ['no app', 'push', 1],
      ['no app', 'sms', 1],
      ['app', 'push', 2],
      ['no app', 'push', 2],
      ['no app', 'sms', 2],
    ]);
  });

  it('sends the SMS at once, without waiting, to a person whose push does not reach them', async () => {
    const p = await person();
    const event = await assign(p.personId);
    // Decided with the assignment itself: no push job that can only fail queues ahead of other people's pushes.
    const [push, sms] = await notificationsOf(event.payload.taskId);
    expect([push?.channel, push?.status, sms?.channel]).toEqual(['push', 'unreachable', 'sms']);
    expect(await h.queue(WEB_PUSH_QUEUE).getJob(push!.jobId)).toBeUndefined();
    expect(await h.queue(SMS_QUEUE).getJob(sms!.jobId)).toBeDefined();
    await waitFor(() => smsTo(p.phone).length === 1, { timeoutMs: 10_000 });
    // Twilio answered; the notifier records the SID and the status right after.
    await waitFor(async () => (await notificationsOf(event.payload.taskId))[1]?.status === 'sent');
    const escalated = await h.dataSource.query<
      { envelope: EventEnvelope<typeof EventSubject.NotificationEscalated> }[]
    >(`SELECT envelope FROM notifier.outbox WHERE envelope->>'type' = $1 AND envelope->'payload'->>'taskId' = $2`, [
      EventSubject.NotificationEscalated,
      event.payload.taskId,
    ]);
    expect(escalated.map((r) => r.envelope.payload.reason)).toEqual(['channel_failed']);
    expect((await notificationsOf(event.payload.taskId)).map((n) => [n.channel, n.status, n.reason])).toEqual([
      ['push', 'unreachable', 'no_push_subscription'],
      ['sms', 'sent', null],
    ]);
  });

  it('retries Twilio 429 and 5xx with backoff and sends once when Twilio recovers', async () => {
    const p = await person();
    h.twilio.failNext(429, 20429, 1);
    h.twilio.failNext(503, 20503, 1);
    const event = await assign(p.personId, 'normal');
    await waitFor(async () => (await notificationsOf(event.payload.taskId))[1]?.status === 'sent', {
      timeoutMs: 20_000,
    });
    expect(smsTo(p.phone)).toHaveLength(1);
  });

  it('hands the task to the deputy at once when Twilio stays down after every retry (fallback, never silence)', async () => {
    const p = await person();
    h.twilio.failNext(500, 20500, 5);
    const event = await assign(p.personId, 'normal');
    await waitFor(
      async () => (await typesFor(event.payload.taskId)).includes(EventSubject.NotificationUnacknowledged),
      {
        timeoutMs: 40_000,
      },
    );
    expect(smsTo(p.phone)).toHaveLength(0);
    const sms = (await notificationsOf(event.payload.taskId))[1]!;
    expect([sms.status, sms.reason]).toEqual(['failed', 'sms_unavailable']);
  }, 60_000);

  describe('Twilio status callbacks', () => {
    const url = 'https://crisisklaar.test/webhooks/twilio/status';
    const callback = (params: Record<string, string>, signedUrl = url) => {
      const signed = h.twilio.signedRequest(signedUrl, params);
      return h.get(TwilioWebhookService).status({
        path: '/webhooks/twilio/status',
        params,
        signature: signed.headers['X-Twilio-Signature']!,
      });
    };
    const statusParams = (sid: string, status: string, extra: Record<string, string> = {}) => ({
      AccountSid: TEST_TWILIO.accountSid,
      MessageSid: sid,
      MessageStatus: status,
      ...extra,
    });

    const sentSms = async () => {
      const p = await person();
      const event = await assign(p.personId);
      await waitFor(async () => (await notificationsOf(event.payload.taskId))[1]?.status === 'sent', {
        timeoutMs: 10_000,
      });
      return { taskId: event.payload.taskId, sid: smsTo(p.phone)[0]!.sid };
    };

    it('records a delivery report with one read, its outcome and the provider’s status: three statements', async () => {
      const { taskId, sid } = await sentSms();
      const sms = (await notificationsOf(taskId))[1]!;
      const statements = await statementsNaming([sms.id, sid], async () => {
        expect((await callback(statusParams(sid, 'delivered'))).status).toBe(204);
      });
      expect(statements).toHaveLength(3);
      expect((await notificationsOf(taskId))[1]!.status).toBe('delivered');
      const [message] = await h.dataSource.query<{ provider_status: string }[]>(
        `SELECT provider_status FROM notifier.sms_message WHERE sid = $1`,
        [sid],
      );
      expect(message?.provider_status).toBe('delivered');
    });

    it('keeps "delivered" when a late "sent" and a replayed "delivered" come after it, and emits it once', async () => {
      const { taskId, sid } = await sentSms();
      expect((await callback(statusParams(sid, 'delivered'))).status).toBe(204);
      expect((await callback(statusParams(sid, 'sent'))).status).toBe(204);
      expect((await callback(statusParams(sid, 'delivered'))).status).toBe(204);
      const sms = (await notificationsOf(taskId))[1]!;
      expect(sms.status).toBe('delivered');
      expect(sms.deliveredAt).not.toBeNull();
      expect((await typesFor(taskId)).filter((t) => t === EventSubject.NotificationDelivered)).toHaveLength(1);
    });

    it('names the provider and the time sent when the callbacks overtake the sender’s own record of the SMS', async () => {
      const { taskId, sid } = await sentSms();
      const before = (await notificationsOf(taskId))[1]!;
      // As it is between the provider's answer and the sender's record of it: queued, no provider, no time sent.
      await h.dataSource
        .getRepository(NotificationEntity)
        .update({ id: before.id }, { status: 'queued', provider: null, sentAt: null });
      expect((await callback(statusParams(sid, 'delivered'))).status).toBe(204);
      expect(await h.get(EscalationService).recordOutcome(before.id, 'sent', { provider: 'twilio' })).toBe(false);
      const sms = (await notificationsOf(taskId))[1]!;
      expect([sms.status, sms.provider]).toEqual(['delivered', 'twilio']);
      expect(sms.sentAt).toEqual(sms.deliveredAt);

      const second = await sentSms();
      const queued = (await notificationsOf(second.taskId))[1]!;
      await h.dataSource
        .getRepository(NotificationEntity)
        .update({ id: queued.id }, { status: 'queued', provider: null, sentAt: null });
      await callback(statusParams(second.sid, 'sent'));
      await h.get(EscalationService).recordOutcome(queued.id, 'sent', { provider: 'twilio' });
      await callback(statusParams(second.sid, 'delivered'));
      const reached = (await notificationsOf(second.taskId))[1]!;
      expect([reached.status, reached.provider]).toEqual(['delivered', 'twilio']);
      expect(reached.deliveredAt!.getTime()).toBeGreaterThanOrEqual(reached.sentAt!.getTime());
    });

    it('answers 403 to a forged callback, or one signed for another address, and changes nothing', async () => {
      const { taskId, sid } = await sentSms();
      const forged = await h.get(TwilioWebhookService).status({
        path: '/webhooks/twilio/status',
        params: statusParams(sid, 'failed'),
        signature: 'bm90IGEgc2lnbmF0dXJl',
      });
      expect(forged.status).toBe(403);
      expect((await callback(statusParams(sid, 'failed'), 'https://evil.example/webhooks/twilio/status')).status).toBe(
        403,
      );
      expect((await notificationsOf(taskId))[1]!.status).toBe('sent');
    });

    it('escalates at once when the SMS expired undelivered (validity period, Twilio 30036)', async () => {
      const { taskId, sid } = await sentSms();
      await callback(statusParams(sid, 'failed', { ErrorCode: '30036' }));
      const sms = (await notificationsOf(taskId))[1]!;
      expect([sms.status, sms.reason]).toEqual(['expired', 'sms_validity_expired']);
      await waitFor(async () => (await typesFor(taskId)).includes(EventSubject.NotificationUnacknowledged));
    });
  });

  describe('a report that a channel reached the person', () => {
    /** A person's push, queued and held there: its job does not run until the queue resumes. */
    const heldPush = (where: (n: NotificationEntity) => boolean) =>
      waitFor(
        async () =>
          (await h.dataSource.getRepository(NotificationEntity).findBy({ channel: 'push', status: 'queued' })).find(
            where,
          ) ?? null,
        { timeoutMs: 10_000, message: 'the queued push' },
      );

    /** Runs `work` while no push job runs. */
    const withPushesHeld = (work: () => Promise<void>) => withQueuePaused(WEB_PUSH_QUEUE, work);

    it('is one statement that takes the chain’s lock, and ends an announcement’s chain as reached', () =>
      withPushesHeld(async () => {
        const p = await person({ device: true });
        const announcementId = randomUUID();
        await announce([p.personId], 'Personeelsvergadering om 08:00', announcementId);
        const n = await heldPush((row) => row.announcementId === announcementId);
        const statements = await statementsNaming([n.id, n.chainId!], () =>
          escalation().recordOutcome(n, 'sent', { devices: 1, provider: 'push-service' }),
        );
        // Before: the chain's lock, then the outcome, in a transaction (four round trips with BEGIN and COMMIT).
        expect(statements).toHaveLength(1);
        expect(statements[0]!.sql).toMatch(/FOR UPDATE[\s\S]*UPDATE \S*notification\S* SET/);
        const chain = await h.dataSource.getRepository(EscalationEntity).findOneByOrFail({ id: n.chainId! });
        expect([chain.state, chain.endedReason, chain.deadline]).toEqual(['reached', 'reached', null]);
        const stored = await h.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id: n.id });
        expect([stored.status, stored.provider, stored.sentAt !== null]).toEqual(['sent', 'push-service', true]);
        // A second report of the same changes nothing and writes no second event.
        expect(await escalation().recordOutcome(n, 'sent', { devices: 1, provider: 'push-service' })).toBe(false);
        expect(await h.outboxTypes((e) => e.announcementId === announcementId && e.personId === p.personId)).toEqual([
          EventSubject.NotificationSent,
        ]);
      }));

    it('settles a push still in flight when its task was acknowledged as acknowledged, also when both race', () =>
      withPushesHeld(async () => {
        for (let round = 0; round < 12; round += 1) {
          const p = await person({ device: true });
          const event = await assign(p.personId);
          const taskId = event.payload.taskId;
          const n = await heldPush((row) => row.taskId === taskId);
          const sent = () => escalation().recordOutcome(n, 'sent', { devices: 1, provider: 'push-service' });
          const ack = () => escalation().onStopEvent(acknowledged(event));
          // Acknowledged first (the chain's statement finds it acknowledged and leaves it to a transaction), or
          // at the same moment (whichever takes the chain's lock first, the other sees what it did).
          if (round === 0) {
            await ack();
            await sent();
          } else {
            await Promise.all(round % 2 === 0 ? [sent(), ack()] : [ack(), sent()]);
          }
          expect([(await chainOf(taskId)).state, (await notificationsOf(taskId))[0]!.status]).toEqual([
            'acknowledged',
            'acknowledged',
          ]);
          expect(await typesFor(taskId)).toEqual([
            EventSubject.NotificationSent,
            EventSubject.NotificationAcknowledged,
          ]);
        }
      }));

    it('waits for the holder of the chain’s lock and sees what it committed', () =>
      withPushesHeld(async () => {
        const holder = h.dataSource.createQueryRunner();
        try {
          const p = await person({ device: true });
          const event = await assign(p.personId);
          const taskId = event.payload.taskId;
          const n = await heldPush((row) => row.taskId === taskId);
          // Another transaction holds the chain (as an acknowledgement does while it ends it).
          await holder.startTransaction();
          await holder.query(`SELECT 1 FROM notifier.escalation WHERE id = $1 FOR UPDATE`, [n.chainId]);
          let settled = false;
          const report = escalation()
            .recordOutcome(n, 'sent', { devices: 1, provider: 'push-service' })
            .finally(() => {
              settled = true;
            });
          await sleep(300);
          expect(settled).toBe(false);
          await holder.query(`UPDATE notifier.escalation SET state = 'acknowledged', deadline = NULL WHERE id = $1`, [
            n.chainId,
          ]);
          await holder.commitTransaction();
          await report;
          // It saw the acknowledgement: the push that was in flight is settled as acknowledged, not left as sent.
          expect((await notificationsOf(taskId))[0]!.status).toBe('acknowledged');
          expect(await typesFor(taskId)).toEqual([
            EventSubject.NotificationSent,
            EventSubject.NotificationAcknowledged,
          ]);
        } finally {
          if (holder.isTransactionActive) {
            await holder.rollbackTransaction();
          }
          await holder.release();
        }
      }));

    /** Every statement that settles reports of reaching people (with the chain's lock), run while `work` runs. */
    const settleStatements = async (work: () => Promise<unknown>) => {
      const seen: unknown[][] = [];
      const logger = h.dataSource.logger;
      const logQuery = logger.logQuery.bind(logger);
      logger.logQuery = (sql, parameters, runner) => {
        if (/FOR UPDATE SKIP LOCKED[\s\S]*UPDATE \S*notification\S*\s+(n\s+)?SET/.test(sql)) {
          seen.push(Array.isArray(parameters) ? parameters : []);
        }
        logQuery(sql, parameters, runner);
      };
      try {
        await work();
      } finally {
        logger.logQuery = logQuery;
      }
      return seen;
    };

    /** A person's device, as the push job found it: its id names the push attempt. */
    const deviceOf = async (personId: string) =>
      h.dataSource.getRepository(PushSubscriptionEntity).findOneByOrFail({ personId });

    const sentWith = (n: NotificationEntity, subscriptionId: string) =>
      escalation().recordOutcome(
        n,
        'sent',
        { devices: 1, provider: 'push-service' },
        {
          subscriptionId,
          outcome: 'accepted',
          statusCode: 201,
        },
      );

    /** `count` people with a device, an announcement to them whose pushes wait in the held queue, and their devices. */
    const heldAnnouncement = async (count: number) => {
      const staff = await Promise.all(Array.from({ length: count }, () => person({ device: true })));
      const announcementId = randomUUID();
      await announce(
        staff.map((p) => p.personId),
        'Personeelsvergadering om 08:00',
        announcementId,
      );
      const pushes = await Promise.all(
        staff.map((p) => heldPush((row) => row.announcementId === announcementId && row.personId === p.personId)),
      );
      return { pushes, devices: await Promise.all(pushes.map((n) => deviceOf(n.personId))) };
    };

    it('settles reports that arrive together in fewer statements, each as it would be alone', () =>
      withPushesHeld(async () => {
        const { pushes: told } = await heldAnnouncement(4);
        const running = await person({ device: true });
        const runningTask = await assign(running.personId);
        const picked = await person({ device: true });
        const pickedTask = await assign(picked.personId);
        const tasks = [runningTask, pickedTask].map((event) => event.payload.taskId);
        const [stillRunning, pickedUp] = await Promise.all(
          tasks.map((taskId) => heldPush((row) => row.taskId === taskId)),
        );
        // The second task is picked up while its push is on its way.
        await escalation().onStopEvent(acknowledged(pickedTask));
        const reports = [...told, stillRunning!, pickedUp!];
        const devices = await Promise.all(reports.map((n) => deviceOf(n.personId)));

        let moved: boolean[] = [];
        const statements = await settleStatements(async () => {
          moved = await Promise.all(reports.map((n, i) => sentWith(n, devices[i]!.id)));
        });
        expect(moved).toEqual([true, true, true, true, true, true]);
        // Six reports, and one statement settled several of them (the first goes alone, at once).
        expect(statements.length).toBeLessThan(reports.length);
        expect(
          Math.max(...statements.map((params) => (Array.isArray(params[0]) ? params[0].length : 1))),
        ).toBeGreaterThan(1);

        const stored = await h.dataSource
          .getRepository(NotificationEntity)
          .findBy({ id: In(reports.map((n) => n.id)) });
        const byId = new Map(stored.map((n) => [n.id, n]));
        for (const n of told) {
          const row = byId.get(n.id)!;
          expect([row.status, row.provider, row.sentAt !== null]).toEqual(['sent', 'push-service', true]);
        }
        const chains = await h.dataSource
          .getRepository(EscalationEntity)
          .findBy({ id: In(reports.map((n) => n.chainId!)) });
        const chainOfReport = (n: NotificationEntity) => chains.find((c) => c.id === n.chainId)!;
        // An announcement's chain ends when it reached the person; a task's waits for it to be picked up.
        expect(told.map((n) => [chainOfReport(n).state, chainOfReport(n).endedReason])).toEqual(
          told.map(() => ['reached', 'reached']),
        );
        expect([chainOfReport(stillRunning!).state, byId.get(stillRunning!.id)!.status]).toEqual(['running', 'sent']);
        expect([chainOfReport(pickedUp!).state, byId.get(pickedUp!.id)!.status]).toEqual([
          'acknowledged',
          'acknowledged',
        ]);
        expect(await typesFor(tasks[1]!)).toEqual([
          EventSubject.NotificationSent,
          EventSubject.NotificationAcknowledged,
        ]);
        // Each its own event, once, and its own device's answer.
        for (const n of [...told, stillRunning!]) {
          expect(await h.outboxTypes((payload) => payload.notificationId === n.id)).toEqual([
            EventSubject.NotificationSent,
          ]);
        }
        const attempts = await h.dataSource
          .getRepository(PushAttemptEntity)
          .findBy({ notificationId: In(reports.map((n) => n.id)) });
        expect(
          reports.map((n) =>
            attempts.filter((a) => a.notificationId === n.id).map((a) => [a.subscriptionId, a.outcome]),
          ),
        ).toEqual(reports.map((_, i) => [[devices[i]!.id, 'accepted']]));

        // The same reports again, together: nothing moves and no second event is written.
        expect(await Promise.all(reports.map((n, i) => sentWith(n, devices[i]!.id)))).toEqual(reports.map(() => false));
        for (const n of told) {
          expect(await h.outboxTypes((payload) => payload.notificationId === n.id)).toHaveLength(1);
        }
        // Picked up, so that its wait does not run out into an SMS during the next tests.
        await escalation().onStopEvent(acknowledged(runningTask));
      }));

    it('keeps two reports of one notification that arrive together in separate statements: both count', () =>
      withPushesHeld(async () => {
        const {
          pushes: [first, twice, other],
          devices,
        } = await heldAnnouncement(3);
        // Its channel's report that it went out and the report that it was delivered, at the same moment.
        let moved: boolean[] = [];
        const statements = await settleStatements(async () => {
          moved = await Promise.all([
            sentWith(first!, devices[0]!.id),
            sentWith(twice!, devices[1]!.id),
            escalation().recordOutcome(twice!, 'delivered', {}),
            sentWith(other!, devices[2]!.id),
          ]);
        });
        expect(moved).toEqual([true, true, true, true]);
        // One statement carried several reports, and none carried one notification twice (an UPDATE moves a row
        // once: one of the two would be lost, while both were answered as settled).
        const carried = statements.map((params) => (Array.isArray(params[0]) ? (params[0] as string[]) : [params[0]]));
        expect(Math.max(...carried.map((ids) => ids.length))).toBeGreaterThan(1);
        expect(carried.filter((ids) => new Set(ids).size !== ids.length)).toEqual([]);
        const stored = await h.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id: twice!.id });
        expect([stored.status, stored.sentAt !== null, stored.deliveredAt !== null]).toEqual(['delivered', true, true]);
        expect((await h.outboxTypes((payload) => payload.notificationId === twice!.id)).sort()).toEqual(
          [EventSubject.NotificationDelivered, EventSubject.NotificationSent].sort(),
        );
        expect(
          (await h.dataSource.getRepository(EscalationEntity).findOneByOrFail({ id: twice!.chainId! })).state,
        ).toBe('reached');
      }));

    it('passes by a chain another transaction holds: the reports with it settle, that one once it is free', () =>
      withPushesHeld(async () => {
        const holder = h.dataSource.createQueryRunner();
        try {
          const people = await Promise.all([1, 2, 3, 4].map(() => person({ device: true })));
          const events = await Promise.all(people.map((p) => assign(p.personId)));
          const pushes = await Promise.all(
            events.map((event) => heldPush((row) => row.taskId === event.payload.taskId)),
          );
          const devices = await Promise.all(pushes.map((n) => deviceOf(n.personId)));
          const held = pushes[1]!;
          await holder.startTransaction();
          await holder.query(`SELECT 1 FROM notifier.escalation WHERE id = $1 FOR UPDATE`, [held.chainId]);

          const done = new Set<string>();
          const reports = pushes.map((n, i) =>
            sentWith(n, devices[i]!.id).finally(() => {
              done.add(n.id);
            }),
          );
          // The first goes alone; the other three together, and that statement does not wait for the held chain.
          const others = pushes.filter((n) => n !== held).map((n) => n.id);
          await waitFor(async () => Promise.resolve(others.every((id) => done.has(id))), {
            timeoutMs: 5_000,
            message: 'the reports whose chains are free',
          });
          expect(done.has(held.id)).toBe(false);
          // A report made now is not held up either.
          const later = await person({ device: true });
          const laterEvent = await assign(later.personId);
          const laterPush = await heldPush((row) => row.taskId === laterEvent.payload.taskId);
          await expect(sentWith(laterPush, (await deviceOf(later.personId)).id)).resolves.toBe(true);
          expect(done.has(held.id)).toBe(false);

          await holder.query(`UPDATE notifier.escalation SET state = 'acknowledged', deadline = NULL WHERE id = $1`, [
            held.chainId,
          ]);
          await holder.commitTransaction();
          await expect(Promise.all(reports)).resolves.toEqual([true, true, true, true]);
          // The held one waited and saw the acknowledgement: settled as acknowledged, with its device's answer.
          expect((await notificationsOf(events[1]!.payload.taskId))[0]!.status).toBe('acknowledged');
          expect(await typesFor(events[1]!.payload.taskId)).toEqual([
            EventSubject.NotificationSent,
            EventSubject.NotificationAcknowledged,
          ]);
          expect(await h.dataSource.getRepository(PushAttemptEntity).countBy({ notificationId: held.id })).toBe(1);
          for (const event of [events[0]!, events[2]!, events[3]!, laterEvent]) {
            expect((await notificationsOf(event.payload.taskId))[0]!.status).toBe('sent');
            // Picked up, so that its wait does not run out into an SMS during the next tests.
            await escalation().onStopEvent(acknowledged(event));
          }
        } finally {
          if (holder.isTransactionActive) {
            await holder.rollbackTransaction();
          }
          await holder.release();
        }
      }));

    it('settles each report alone when their statement fails, so only the one that cannot be settled fails', () =>
      withPushesHeld(async () => {
        const { pushes: told, devices } = await heldAnnouncement(3);
        // A report of a notification that is not stored: its device's answer cannot be written.
        const unknown = { ...told[2]!, id: randomUUID(), chainId: null } as NotificationEntity;
        const results = await Promise.allSettled([
          sentWith(told[0]!, devices[0]!.id),
          sentWith(told[1]!, devices[1]!.id),
          sentWith(unknown, devices[2]!.id),
          sentWith(told[2]!, devices[2]!.id),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
        const stored = await h.dataSource.getRepository(NotificationEntity).findBy({ id: In(told.map((n) => n.id)) });
        expect(stored.map((n) => n.status)).toEqual(['sent', 'sent', 'sent']);
        expect(await h.dataSource.getRepository(PushAttemptEntity).countBy({ notificationId: unknown.id })).toBe(0);
      }));
  });

  describe('an SMS job', () => {
    /** An assignment's SMS, queued and held there (the person has no device, so it is the first step). */
    const heldSms = async (p: { personId: string }) => {
      const event = await assign(p.personId);
      const taskId = event.payload.taskId;
      const n = await waitFor(
        async () => (await notificationsOf(taskId)).find((row) => row.channel === 'sms' && row.status === 'queued'),
        { timeoutMs: 10_000, message: 'the queued SMS' },
      );
      return { taskId, n };
    };

    it('does not send again what Twilio took before a crash, and reads what it needs in one statement', () =>
      withQueuePaused(SMS_QUEUE, async (queue) => {
        const p = await person();
        const { taskId, n } = await heldSms(p);
        // A run that crashed after Twilio answered and its SID was stored, before the outcome was recorded.
        await h.dataSource.query(
          `INSERT INTO notifier.sms_message (notification_id, provider, to_phone, body, sid, created_at, updated_at)
             VALUES ($1, 'twilio', $2, 'x', $3, now(), now())`,
          [n.id, p.phone, `SM${randomUUID().replace(/-/g, '')}`],
        );
        const statements = await statementsNaming([n.id], async () => {
          await queue.resume();
          await waitFor(async () => (await typesFor(taskId)).includes(EventSubject.NotificationSent), {
            timeoutMs: 10_000,
            message: 'recorded as sent',
          });
        });
        expect(smsTo(p.phone)).toHaveLength(0);
        const stored = await h.dataSource.getRepository(NotificationEntity).findOneByOrFail({ id: n.id });
        expect([stored.status, stored.provider]).toEqual(['sent', 'twilio']);
        // The notification with its chain, the phone and the earlier SMS in one read, then its outcome.
        expect(statements).toHaveLength(2);
      }));

    it('reports a person without a phone number as not reached by SMS', async () => {
      const p = await person({ phone: false });
      const event = await assign(p.personId);
      const sms = await waitFor(
        async () =>
          (await notificationsOf(event.payload.taskId)).find((n) => n.channel === 'sms' && n.status !== 'queued'),
        { timeoutMs: 10_000, message: 'the SMS settled' },
      );
      expect([sms.status, sms.reason]).toEqual(['unreachable', 'no_phone_number']);
      expect(h.twilio.messages).toHaveLength(0);
    });
  });

  it('starts an announcement’s chains at once: a push to who has a device, the SMS at once to who has none', async () => {
    const [withApp, withoutApp, noPhone] = await Promise.all([
      person({ device: true }),
      person(),
      person({ phone: false }),
    ]);
    const announcementId = randomUUID();
    const created = await announce(
      [withApp.personId, withoutApp.personId, noPhone.personId, withApp.personId],
      'Personeelsvergadering om 08:00',
      announcementId,
    );
    expect(created.recipients).toBe(3);
    const rows = await h.dataSource
      .getRepository(NotificationEntity)
      .find({ where: { announcementId }, order: { createdAt: 'ASC', channel: 'ASC' } });
    const of = (p: { personId: string }) =>
      rows.filter((n) => n.personId === p.personId).map((n) => [n.channel, n.attempt, n.status, n.reason]);
    // Recorded with the announcement, before any job ran.
    expect(of(withApp)).toEqual([['push', 1, 'queued', null]]);
    expect(of(withoutApp)).toEqual([
      ['push', 1, 'unreachable', 'no_push_subscription'],
      ['sms', 1, 'queued', null],
    ]);
    const chains = await h.dataSource.getRepository(EscalationEntity).findBy({ announcementId });
    expect(
      chains.map((c) => [c.personId === withoutApp.personId ? 'without' : 'other', c.step, c.state]).sort(),
    ).toEqual([
      ['other', 0, 'running'],
      ['other', 1, 'running'],
      ['without', 1, 'running'],
    ]);
    const pushEvents = await h.outboxTypes((p) => p.announcementId === announcementId && p.channel === 'push');
    expect(pushEvents.filter((t) => t === EventSubject.NotificationFailed)).toHaveLength(2);
    await h.push.waitFor((m) => m.subscriptionId === withApp.device!.id, 10_000);
    await waitFor(() => smsTo(withoutApp.phone).length === 1, { timeoutMs: 10_000, message: 'the SMS' });
    expect(h.twilio.messages.find((m) => m.to === withoutApp.phone)!.body).toContain(
      `/app/announcements/${announcementId}`,
    );
    // Once it went out, each reached chain ends (no acknowledgement is asked of an announcement), with the
    // device's answer and the "sent" event written in the same transaction; nothing waits on it any more.
    const ended = await waitFor(
      async () => {
        const now = await h.dataSource.getRepository(EscalationEntity).findBy({ announcementId });
        return now.filter((c) => c.state === 'reached').length === 2 ? now : null;
      },
      { timeoutMs: 10_000, message: 'both chains that reached someone ended as reached' },
    );
    for (const p of [withApp, withoutApp]) {
      const chain = ended.find((c) => c.personId === p.personId && c.state === 'reached')!;
      expect([chain.endedReason, chain.deadline]).toEqual(['reached', null]);
    }
    const attempts = await h.dataSource.query<{ outcome: string; status_code: number }[]>(
      `SELECT a.outcome, a.status_code FROM notifier.push_attempt a
         JOIN notifier.notification n ON n.id = a.notification_id WHERE n.announcement_id = $1`,
      [announcementId],
    );
    expect(attempts).toEqual([{ outcome: 'accepted', status_code: 201 }]);
    const sent = await h.outboxTypes(
      (p) => p.announcementId === announcementId && p.personId === withApp.personId && p.channel === 'push',
    );
    expect(sent).toEqual([EventSubject.NotificationSent]);
    const [pushed] = await h.dataSource
      .getRepository(NotificationEntity)
      .findBy({ announcementId, personId: withApp.personId });
    expect([pushed!.status, pushed!.provider, pushed!.sentAt !== null]).toEqual(['sent', 'push-service', true]);
  });

  it('sends crisis-team task SMS before all-staff SMS under the limiter', async () => {
    await withQueuePaused(SMS_QUEUE, async (queue) => {
      const staff = await Promise.all([1, 2, 3, 4, 5, 6].map(() => person()));
      await announce(
        staff.map((s) => s.personId),
        'Personeelsvergadering om 08:00 over het overlijden van Sanne',
      );
      await waitFor(async () => ((await queue.getJobCounts('prioritized')).prioritized ?? 0) >= 6, {
        timeoutMs: 10_000,
      });
      const team = await Promise.all([1, 2, 3].map(() => person()));
      for (const member of team) {
        await assign(member.personId);
      }
      await waitFor(async () => ((await queue.getJobCounts('prioritized')).prioritized ?? 0) >= 9, {
        timeoutMs: 10_000,
      });
    });
    const messages = await h.twilio.waitForMessages(9, 15_000);
    const kinds = messages.map((m) => (m.body.includes('/app/tasks/') ? 'task' : 'announcement'));
    expect(kinds).toEqual(['task', 'task', 'task', ...Array<string>(6).fill('announcement')]);
    expect(messages.map((m) => m.body).join('\n')).not.toMatch(/Sanne|vergadering|08:00/);
  });

  describe('a message to all staff sent right after the trigger', () => {
    /** An all-staff message of `incidentId` whose SMS wait for `waitForTaskIds`, as the gateway sends it. */
    const announceAfter = (incidentId: string, recipientIds: string[], waitForTaskIds: string[]) =>
      h.get(AnnouncementService).create({
        announcementId: randomUUID(),
        incidentId,
        schoolId: TEST_META.schoolId,
        boardId: TEST_META.boardId,
        drill: false,
        authorId: randomUUID(),
        audience: 'all-staff',
        text: 'Personeelsvergadering om 15:00',
        recipientIds,
        correlationId: randomUUID(),
        waitForTaskIds,
      });
    const smsJobsOf = async (announcementId: string) => {
      const rows = await h.dataSource.getRepository(NotificationEntity).findBy({ announcementId, channel: 'sms' });
      return Promise.all(rows.map((n) => h.queue(SMS_QUEUE).getJob(n.jobId)));
    };

    it('holds its SMS until the assignments still on their way are queued: the crisis team’s SMS go first', async () => {
      const incidentId = randomUUID();
      const [withApp, ...staff] = await Promise.all([person({ device: true }), ...[1, 2, 3, 4].map(() => person())]);
      const team = await Promise.all([1, 2].map(() => person()));
      const assignments = team.map((m) =>
        taskAssignedEvent(
          { taskId: randomUUID(), assigneeId: m.personId },
          { incidentId, correlationId: randomUUID() },
        ),
      );
      const created = await announceAfter(
        incidentId,
        [withApp.personId, ...staff.map((s) => s.personId)],
        assignments.map((e) => e.payload.taskId),
      );
      // Recorded, its push on its way, its SMS not queued: the assignments have not reached the notifier yet.
      await h.push.waitFor((m) => m.subscriptionId === withApp.device!.id, 10_000);
      await sleep(300);
      const held = await smsJobsOf(created.id);
      expect([held.length, held.filter(Boolean).length, h.twilio.messages.length]).toEqual([4, 0, 0]);

      await escalation().onTasksAssigned(assignments);
      const messages = await h.twilio.waitForMessages(6, 15_000);
      expect(messages.map((m) => (m.body.includes('/app/tasks/') ? 'task' : 'announcement'))).toEqual([
        'task',
        'task',
        ...Array<string>(4).fill('announcement'),
      ]);
    });

    it('sends its SMS after the longest wait when an assignment it waits for never comes', async () => {
      const announcements = h.get(AnnouncementService);
      const longest = announcements.smsWaitMaxMs;
      announcements.smsWaitMaxMs = 500;
      try {
        const staff = await Promise.all([1, 2].map(() => person()));
        const created = await announceAfter(
          randomUUID(),
          staff.map((s) => s.personId),
          [randomUUID()],
        );
        expect((await smsJobsOf(created.id)).filter(Boolean)).toHaveLength(0);
        const messages = await h.twilio.waitForMessages(2, 10_000);
        expect(messages.map((m) => m.to).sort()).toEqual(staff.map((s) => s.phone).sort());
      } finally {
        announcements.smsWaitMaxMs = longest;
      }
    });
  });

  describe('several events of one incident at once', () => {
    const assignedIn = (incidentId: string, personId: string) =>
      taskAssignedEvent(
        { taskId: randomUUID(), assigneeId: personId, priority: 'normal' },
        { incidentId, correlationId: randomUUID() },
      );
    const closed = (incidentId: string) => ({
      ...buildEvent(
        EventSubject.IncidentClosed,
        { ...TEST_META, incidentId, actor: randomUUID(), correlationId: randomUUID() },
        { early: false },
      ),
      occurredAt: new Date(Date.now() + 1000).toISOString(),
    });
    const chainsOf = (incidentId: string) => h.dataSource.getRepository(EscalationEntity).findBy({ incidentId });
    /**
     * Runs `work` while another transaction holds the task's lock (as a concurrent acknowledgement of it would),
     * with `handle` started meanwhile; returns `handle`'s promise once the lock is let go.
     */
    const whileTaskHeld = async (
      taskId: string,
      handle: () => Promise<void>,
      work: (isDone: () => boolean) => Promise<void>,
    ): Promise<void> => {
      const blocker = h.dataSource.createQueryRunner();
      await blocker.connect();
      await blocker.startTransaction();
      let done = false;
      let pending: Promise<void> | undefined;
      try {
        await blocker.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [taskLockKey(taskId)]);
        pending = handle().then(() => {
          done = true;
        });
        await work(() => done);
      } finally {
        await blocker.rollbackTransaction();
        await blocker.release();
      }
      await pending;
    };

    it('starts a batch of one incident’s assignments together, each once, also when the batch comes again', async () => {
      const incidentId = randomUUID();
      const withApp = await Promise.all(Array.from({ length: 5 }, () => person({ device: true })));
      const noApp = await person();
      const assignments = [...withApp, noApp].map((p) => assignedIn(incidentId, p.personId));
      await escalation().onTasksAssigned(assignments);
      for (const p of withApp) {
        await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
      }
      // Without the app: the SMS at once, the push settled as unreachable.
      await waitFor(() => smsTo(noApp.phone).length === 1, {
        timeoutMs: 10_000,
        message: 'the SMS of the one without the app',
      });
      const chains = await chainsOf(incidentId);
      expect(chains.map((c) => c.taskId).sort()).toEqual(assignments.map((e) => e.payload.taskId).sort());
      expect(chains.every((c) => c.state === 'running')).toBe(true);
      // Delivered again, as a batch and alone (a redelivery after a lost ack): nothing twice.
      await escalation().onTasksAssigned(assignments);
      await escalation().onTasksAssigned(assignments.slice(2, 4));
      await escalation().onTaskEvent(assignments[0]!);
      await sleep(500);
      expect(await chainsOf(incidentId)).toHaveLength(6);
      expect(h.push.received.filter((m) => withApp.some((p) => p.device!.id === m.subscriptionId))).toHaveLength(5);
      expect(smsTo(noApp.phone)).toHaveLength(1);
      const notifications = await h.dataSource.getRepository(NotificationEntity).findBy({ incidentId });
      expect(notifications.filter((n) => n.channel === 'push')).toHaveLength(6);
      expect(notifications.every((n) => n.attempt === 1)).toBe(true);
    });

    it('does not start, in a batch, the chain of a task picked up before its assignment arrived', async () => {
      const incidentId = randomUUID();
      const people = await Promise.all(Array.from({ length: 3 }, () => person({ device: true })));
      const assignments = people.map((p) => assignedIn(incidentId, p.personId));
      // The acknowledgement of the second task overtook its assignment.
      await escalation().onStopEvent(acknowledged(assignments[1]!, new Date(Date.now() + 1000)));
      await escalation().onTasksAssigned(assignments);
      await h.push.waitFor((m) => m.subscriptionId === people[0]!.device!.id, 10_000);
      await h.push.waitFor((m) => m.subscriptionId === people[2]!.device!.id, 10_000);
      await sleep(500);
      expect(h.push.received.some((m) => m.subscriptionId === people[1]!.device!.id)).toBe(false);
      expect((await chainsOf(incidentId)).map((c) => c.taskId).sort()).toEqual(
        [assignments[0]!.payload.taskId, assignments[2]!.payload.taskId].sort(),
      );
    });

    it('queues each school’s first person before any school’s second when triggers overlap', async () => {
      await withQueuePaused(WEB_PUSH_QUEUE, async (queue) => {
        // The first school's assignments started together; the second school's first came a moment later.
        const first = randomUUID();
        const firstPeople = await Promise.all(Array.from({ length: 4 }, () => person({ device: true })));
        const firstAssignments = firstPeople.map((p) => assignedIn(first, p.personId));
        await escalation().onTasksAssigned(firstAssignments);
        const second = await person({ device: true });
        await escalation().onTaskEvent(assignedIn(randomUUID(), second.personId));
        const jobs = await queue.getJobs(['prioritized'], 0, -1, true);
        const ours = new Map(
          (await h.dataSource.getRepository(NotificationEntity).findBy({ jobId: In(jobs.map((j) => j.id!)) })).map(
            (n) => [n.jobId, n.personId],
          ),
        );
        const people = new Set<string>([...firstPeople, second].map((p) => p.personId));
        const order = jobs.map((j) => ours.get(j.id!)).filter((id) => id !== undefined && people.has(id));
        expect(order).toEqual([
          firstPeople[0]!.personId,
          second.personId,
          ...firstPeople.slice(1).map((p) => p.personId),
        ]);
      });
    });

    it('starts the rest of a batch while one of its tasks is held up, and that one once it is free', async () => {
      const incidentId = randomUUID();
      const people = await Promise.all(Array.from({ length: 4 }, () => person({ device: true })));
      const assignments = people.map((p) => assignedIn(incidentId, p.personId));
      const held = assignments[1]!;
      await whileTaskHeld(
        held.payload.taskId,
        () => escalation().onTasksAssigned(assignments),
        async (isDone) => {
          for (const p of [people[0]!, people[2]!, people[3]!]) {
            await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
          }
          expect(isDone()).toBe(false);
          expect((await chainsOf(incidentId)).map((c) => c.taskId).sort()).toEqual(
            assignments
              .filter((e) => e !== held)
              .map((e) => e.payload.taskId)
              .sort(),
          );
        },
      );
      await h.push.waitFor((m) => m.subscriptionId === people[1]!.device!.id, 10_000);
      expect(await chainsOf(incidentId)).toHaveLength(4);
    });

    it('does not hold up an incident’s other assignments while one is held up', async () => {
      const incidentId = randomUUID();
      const [a, b] = await Promise.all([person({ device: true }), person({ device: true })]);
      const slow = assignedIn(incidentId, a.personId);
      const other = assignedIn(incidentId, b.personId);
      // Another transaction holds the first task (as a concurrent acknowledgement of it would).
      await whileTaskHeld(
        slow.payload.taskId,
        () => escalation().onTaskEvent(slow),
        async (isDone) => {
          await escalation().onTaskEvent(other);
          await h.push.waitFor((m) => m.subscriptionId === b.device!.id, 10_000);
          expect(isDone()).toBe(false);
          expect((await chainsOf(incidentId)).map((c) => c.taskId)).toEqual([other.payload.taskId]);
        },
      );
      await h.push.waitFor((m) => m.subscriptionId === a.device!.id, 10_000);
      expect((await chainsOf(incidentId)).map((c) => c.taskId).sort()).toEqual(
        [slow.payload.taskId, other.payload.taskId].sort(),
      );
    });

    it('leaves no chain running when acknowledgements and the close arrive at the same moment as the assignments', async () => {
      const incidentId = randomUUID();
      const people = await Promise.all(Array.from({ length: 8 }, () => person({ device: true })));
      const assignments = people.map((p) => assignedIn(incidentId, p.personId));
      const acks = assignments.slice(0, 4).map((e) => acknowledged(e, new Date(Date.now() + 500)));
      await Promise.all([
        ...assignments.map((e) => escalation().onTaskEvent(e)),
        ...acks.map((e) => escalation().onStopEvent(e)),
        escalation().onStopEvent(closed(incidentId)),
      ]);
      const chains = await chainsOf(incidentId);
      expect(chains.filter((c) => c.state === 'running')).toEqual([]);
      // A chain that was made is ended by the acknowledgement of its task or by the close, whichever came first;
      // a task nobody acknowledged only by the close.
      expect(chains.length).toBeGreaterThanOrEqual(4);
      for (const chain of chains) {
        const acked = acks.some((e) => e.payload.taskId === chain.taskId);
        expect(acked ? ['acknowledged', 'incident-closed'] : ['incident-closed']).toContain(chain.endedReason);
      }
    });
  });

  it('resumes a wait exactly once after the notifier restarts and Redis lost every job', async () => {
    const p = await person({ device: true });
    const event = await assign(p.personId);
    const taskId = event.payload.taskId;
    await h.push.waitFor((m) => m.subscriptionId === p.device!.id, 10_000);
    await h.restart(() => h.wipeQueues());
    await waitFor(() => smsTo(p.phone).length === 1, { timeoutMs: 20_000, message: 'the SMS after the restart' });
    await waitFor(async () => (await typesFor(taskId)).includes(EventSubject.NotificationUnacknowledged), {
      timeoutMs: 20_000,
    });
    await sleep(WAIT_S * 1000 + 500);
    expect(smsTo(p.phone)).toHaveLength(1);
    expect(h.push.received.filter((m) => m.subscriptionId === p.device!.id)).toHaveLength(1);
    expect((await typesFor(taskId)).filter((t) => t === EventSubject.NotificationUnacknowledged)).toHaveLength(1);
  });
});
