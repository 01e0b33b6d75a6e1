import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventSubject } from '#lib/contracts';
import { OutboxEntity, OutboxRelayService } from '#lib/messaging';
import type { FakePushService } from '../../../../test/fakes/index.js';
import { taskAssignedEvent } from '../../../../test/support/events.js';
import { NotifierHarness } from '../../../../test/support/notifier-harness.js';
import { waitFor } from '../../../../test/support/wait.js';
import { EscalationService } from '../escalation/escalation.service.js';
import { PushSubscriptionEntity } from '../push/push-subscription.entity.js';
import { PushSubscriptionService } from '../push/push-subscription.service.js';
import { WEB_PUSH_QUEUE, type PushJobData } from './delivery.queues.js';
import { NotificationEntity, PushAttemptEntity } from './notification.entity.js';
import { NotificationReconciler } from './reconciler.js';

/** The notifier's fan-out and push delivery against real PostgreSQL, Redis and NATS, and the fake push service. */
describe('push delivery', () => {
  let push: FakePushService;
  let app: INestApplication;
  let dataSource: DataSource;
  let escalation: EscalationService;
  let subscriptions: PushSubscriptionService;

  const taskAssigned = (assigneeId: string) =>
    taskAssignedEvent(
      {
        taskId: randomUUID(),
        assigneeId,
        role: 'family-liaison',
        title: { nl: 'Bel de familie van Sanne vandaag', en: 'Call the family today' },
      },
      { incidentId: randomUUID(), correlationId: randomUUID() },
    );

  const personWithDevice = async () => {
    const personId = randomUUID();
    const device = push.createSubscription();
    await subscriptions.register({ personId, subscription: device.subscription });
    return { personId, device };
  };

  const notificationOf = (taskId: string) =>
    dataSource.getRepository(NotificationEntity).findOneByOrFail({ taskId, channel: 'push' });

  const outboxTypes = async (taskId: string) =>
    (await dataSource.getRepository(OutboxEntity).find())
      .filter((row) => (row.envelope.payload as { taskId?: string }).taskId === taskId)
      .map((row) => row.envelope.type);

  let h: NotifierHarness;

  beforeAll(async () => {
    h = await NotifierHarness.start();
    ({ app, dataSource, push } = h);
    escalation = h.get(EscalationService);
    subscriptions = h.get(PushSubscriptionService);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  beforeEach(() => push.reset());

  it('pushes to the assignee’s device once, records it as sent and announces it, even when the event comes again', async () => {
    const { personId, device } = await personWithDevice();
    const event = taskAssigned(personId);
    await escalation.onTaskEvent(event);
    await escalation.onTaskEvent(event); // a redelivery
    const [received] = await push.waitFor((p) => p.subscriptionId === device.id, 15_000);
    expect(received!.json).toMatchObject({ taskId: event.payload.taskId, incidentId: event.incidentId, drill: false });
    expect(received!.payload).not.toContain('Sanne');
    expect(received!.payload).not.toContain('familie');
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'sent', { timeoutMs: 10_000 });
    await waitFor(async () => (await outboxTypes(event.payload.taskId)).includes(EventSubject.NotificationSent));
    expect(await outboxTypes(event.payload.taskId)).toEqual([EventSubject.NotificationSent]);
    expect(push.received.filter((p) => p.subscriptionId === device.id)).toHaveLength(1);
  });

  it('retries a push service that fails for a moment, then delivers once', async () => {
    const { personId, device } = await personWithDevice();
    push.respondWith(device.id, 503, { times: 1 });
    const event = taskAssigned(personId);
    await escalation.onTaskEvent(event);
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'sent', { timeoutMs: 20_000 });
    expect(push.received.filter((p) => p.subscriptionId === device.id)).toHaveLength(1);
    expect(push.rejected.filter((p) => p.subscriptionId === device.id && p.status === 503)).toHaveLength(1);
  });

  it('runs again after a crash pushing only to the devices that did not take it yet: nobody gets it twice', async () => {
    const { personId, device: phone } = await personWithDevice();
    const laptop = push.createSubscription();
    await subscriptions.register({ personId, subscription: laptop.subscription });
    const queue = app.get<Queue<PushJobData>>(getQueueToken(WEB_PUSH_QUEUE));
    const event = taskAssigned(personId);
    await queue.pause();
    try {
      await escalation.onTaskEvent(event);
      // What a run that crashed after the phone's push left behind: the phone's answer, the job still to do.
      const row = await dataSource
        .getRepository(PushSubscriptionEntity)
        .findOneByOrFail({ endpoint: phone.subscription.endpoint });
      await dataSource.getRepository(PushAttemptEntity).insert({
        notificationId: (await notificationOf(event.payload.taskId)).id,
        subscriptionId: row.id,
        outcome: 'accepted',
        statusCode: 201,
      });
    } finally {
      await queue.resume();
    }
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'sent', { timeoutMs: 10_000 });
    expect(push.received.filter((p) => p.subscriptionId === laptop.id)).toHaveLength(1);
    expect(push.received.filter((p) => p.subscriptionId === phone.id)).toHaveLength(0);
  });

  it('does not push a task that was picked up while its push waited in the queue, and says why', async () => {
    const { personId, device } = await personWithDevice();
    const queue = app.get<Queue<PushJobData>>(getQueueToken(WEB_PUSH_QUEUE));
    await queue.pause();
    try {
      const event = taskAssigned(personId);
      await escalation.onTaskEvent(event);
      await escalation.onStopEvent({
        ...event,
        id: randomUUID(),
        type: EventSubject.TaskAcknowledged,
        occurredAt: new Date(Date.parse(event.occurredAt) + 1000).toISOString(),
        payload: { taskId: event.payload.taskId, role: event.payload.role, assigneeId: personId },
      });
      expect((await notificationOf(event.payload.taskId)).status).toBe('queued');
    } finally {
      await queue.resume();
    }
    const [n] = await dataSource.getRepository(NotificationEntity).find({ where: { personId } });
    await waitFor(async () => (await notificationOf(n!.taskId!)).status === 'expired', { timeoutMs: 10_000 });
    expect((await notificationOf(n!.taskId!)).reason).toBe('not_needed_acknowledged');
    expect(push.received.filter((p) => p.subscriptionId === device.id)).toHaveLength(0);
  });

  it('reads pushes that wait together in shared reads, and each still reaches only its own person, once', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, () => personWithDevice()));
    const events = people.map(({ personId }) => taskAssigned(personId));
    const queue = app.get<Queue<PushJobData>>(getQueueToken(WEB_PUSH_QUEUE));
    const reads = jest.spyOn(escalation as unknown as { readQueued: (ids: string[]) => unknown }, 'readQueued');
    await queue.pause();
    try {
      for (const event of events) {
        await escalation.onTaskEvent(event);
      }
      // Picked up while its push waited: its job reads it with the others and leaves it unsent.
      const picked = events[5]!;
      await escalation.onStopEvent({
        ...picked,
        id: randomUUID(),
        type: EventSubject.TaskAcknowledged,
        occurredAt: new Date(Date.parse(picked.occurredAt) + 1000).toISOString(),
        payload: { taskId: picked.payload.taskId, role: picked.payload.role, assigneeId: picked.payload.assigneeId },
      });
    } finally {
      await queue.resume();
    }
    for (const [i, event] of events.entries()) {
      const status = i === 5 ? 'expired' : 'sent';
      await waitFor(async () => (await notificationOf(event.payload.taskId)).status === status, { timeoutMs: 15_000 });
    }
    for (const [i, { device }] of people.entries()) {
      const got = push.received.filter((p) => p.subscriptionId === device.id);
      expect(got.map((p) => (p.json as { taskId?: string }).taskId)).toEqual(
        i === 5 ? [] : [events[i]!.payload.taskId],
      );
    }
    expect((await notificationOf(events[5]!.payload.taskId)).reason).toBe('not_needed_acknowledged');
    const pushReads = reads.mock.calls.map(([ids]) => ids.length);
    reads.mockRestore();
    expect(pushReads.reduce((a, b) => a + b, 0)).toBe(12);
    expect(pushReads.length).toBeLessThan(12); // at least one read carried several jobs
  });

  it('waits as long as a push service’s Retry-After asks after a 429, then delivers once', async () => {
    const { personId, device } = await personWithDevice();
    push.respondWith(device.id, 429, { times: 1, retryAfter: 3 });
    const event = taskAssigned(personId);
    await escalation.onTaskEvent(event);
    const [accepted] = await push.waitFor((p) => p.subscriptionId === device.id, 20_000);
    const [refused] = push.rejected.filter((p) => p.subscriptionId === device.id && p.status === 429);
    // Exponential backoff alone would retry after 1 s; the service asked for 3.
    expect(accepted!.receivedAt.getTime() - refused!.receivedAt.getTime()).toBeGreaterThanOrEqual(2_900);
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'sent', { timeoutMs: 10_000 });
    expect(push.received.filter((p) => p.subscriptionId === device.id)).toHaveLength(1);
  });

  it('deletes a subscription the push service says is gone (410) and reports the notification as failed', async () => {
    const { personId, device } = await personWithDevice();
    push.respondWith(device.id, 410, { times: 1 });
    const event = taskAssigned(personId);
    await escalation.onTaskEvent(event);
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'failed', { timeoutMs: 10_000 });
    expect((await notificationOf(event.payload.taskId)).reason).toBe('push_subscription_expired');
    expect(await dataSource.getRepository(PushSubscriptionEntity).countBy({ personId })).toBe(0);
    await waitFor(async () => (await outboxTypes(event.payload.taskId)).includes(EventSubject.NotificationFailed));
  });

  it('reports a person without any device as not reached, instead of staying silent', async () => {
    const event = taskAssigned(randomUUID());
    await escalation.onTaskEvent(event);
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'unreachable', {
      timeoutMs: 10_000,
    });
    expect((await notificationOf(event.payload.taskId)).reason).toBe('no_push_subscription');
    // Without a phone either, nobody can reach them: activation is told at once, to hand the task over.
    await waitFor(async () =>
      (await outboxTypes(event.payload.taskId)).includes(EventSubject.NotificationUnacknowledged),
    );
  });

  it('re-drives a notification whose job the queue lost (Redis restarted without persistence)', async () => {
    const { personId, device } = await personWithDevice();
    const event = taskAssigned(personId);
    const queue = app.get<Queue<PushJobData>>(getQueueToken(WEB_PUSH_QUEUE));
    await queue.pause();
    await escalation.onTaskEvent(event);
    const intent = await notificationOf(event.payload.taskId);
    await queue.remove(intent.jobId); // the job is gone, the intent is not
    await queue.resume();
    await dataSource
      .getRepository(NotificationEntity)
      .update({ id: intent.id }, { updatedAt: new Date(Date.now() - 60_000) });
    expect((await app.get(NotificationReconciler).runOnce(15_000)).notifications).toBe(1);
    await push.waitFor((p) => p.subscriptionId === device.id, 15_000);
    await waitFor(async () => (await notificationOf(event.payload.taskId)).status === 'sent', { timeoutMs: 10_000 });
    expect((await app.get(NotificationReconciler).runOnce(15_000)).notifications).toBe(0);
  });

  it('publishes the outcome events through the outbox relay', async () => {
    const relay = app.get(OutboxRelayService);
    await relay.drainNow();
    expect(await relay.store.pendingCount()).toBe(0);
  });
});
