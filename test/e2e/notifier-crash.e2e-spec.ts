import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { IncidentView, TimelineEntryView } from '#lib/contracts';
import { sleep, waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

/** The notifier dies (SIGKILL) right after a trigger and comes back: the push arrives once, the timeline has no doubles. */
describe('notifier killed right after a trigger', () => {
  let system: System;
  let leader: Api;

  beforeAll(async () => {
    system = await System.start();
    leader = await system.login('leider@deregenboog.example');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('delivers the notification exactly once and records every event exactly once', async () => {
    const me = await leader.get<{ personId: string; memberships: { schoolId: string }[] }>('/api/me');
    const schoolId = me.body.memberships[0]!.schoolId;
    const device = system.push.createSubscription();
    expect((await leader.post('/api/push/subscriptions', device.subscription)).status).toBe(201);

    const trigger = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId,
      summary: 'Rook in de aula',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(trigger.status).toBe(201);
    await system.kill('notifier');
    await system.startApp('notifier');

    const announced = trigger.body.tasks.filter(
      (t) => t.announceAt === trigger.body.createdAt && t.assigneeId !== null,
    );
    const leaderTasks = announced.filter((t) => t.assigneeId === me.body.personId);
    expect(leaderTasks.length).toBeGreaterThanOrEqual(1);
    await system.push.waitFor((p) => p.subscriptionId === device.id, 60_000, leaderTasks.length);
    const entries = await waitFor(
      async () => {
        const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${trigger.body.id}/timeline`);
        const outcome = (channel: string) =>
          res.body.filter(
            (e) =>
              (e.type === 'crisis.notification.sent.v1' || e.type === 'crisis.notification.failed.v1') &&
              e.data.channel === channel,
          ).length;
        // Every task's push has its outcome, and everyone without a device got the SMS instead.
        return outcome('push') === announced.length && outcome('sms') === announced.length - leaderTasks.length
          ? res.body
          : undefined;
      },
      { timeoutMs: 60_000, message: 'a notification outcome for every task' },
    );
    await sleep(3_000); // a duplicate would show up in this time

    const pushes = system.push.received.filter((p) => p.subscriptionId === device.id);
    expect(pushes.map((p) => (p.json as { taskId: string }).taskId).sort()).toEqual(
      leaderTasks.map((t) => t.id).sort(),
    );
    expect(pushes.every((p) => (p.json as { drill: boolean }).drill)).toBe(true);
    const final = (await leader.get<TimelineEntryView[]>(`/api/incidents/${trigger.body.id}/timeline`)).body;
    expect(final.length).toBeGreaterThanOrEqual(entries.length);
    expect(new Set(final.map((e) => e.eventId)).size).toBe(final.length);
    const sent = final.filter((e) => e.type === 'crisis.notification.sent.v1');
    expect(sent.filter((e) => e.data.channel === 'push')).toHaveLength(leaderTasks.length);
    expect(sent.filter((e) => e.data.channel === 'sms')).toHaveLength(announced.length - leaderTasks.length);
    const smsTasks = system.twilio.messages.map((m) => announced.find((t) => m.body.includes(t.id))?.id);
    expect(new Set(smsTasks).size).toBe(smsTasks.length); // no task's SMS went twice
    expect(final.filter((e) => e.type === 'crisis.task.assigned.v1')).toHaveLength(announced.length);
  }, 180_000);
});
