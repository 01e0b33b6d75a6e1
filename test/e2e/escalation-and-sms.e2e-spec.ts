import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AnnouncementView, DeliveryView, IncidentView, TaskView, TimelineEntryView } from '#lib/contracts';
import { CRISIS_ROLES, DEMO_MEMBERSHIPS, DEMO_PEOPLE, demoPerson, type DemoPerson } from '#lib/demo';
import { TEST_TWILIO } from '../support/twilio.js';
import { sleep, waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

const WAIT_S = 5;

/**
 * Escalation through the whole system with short waits: nobody picks a task up, so it goes push → SMS →
 * deputy; the deputy answers "ok" by SMS. Status callbacks and replies travel the real webhook path (fake
 * Twilio → gateway → notifier), signed with the auth token.
 */
describe('escalation, SMS and announcements', () => {
  let system: System;
  let leader: Api;
  let schoolId: string;
  const summary = 'Sanne van Dijk (groep 7) is vanochtend overleden na een verkeersongeval.';
  const announcementText = 'Personeelsvergadering morgen om 08:00 in de aula.';
  let incident: IncidentView;

  beforeAll(async () => {
    system = await System.start({
      ESCALATION_WAIT_CRITICAL_SECONDS: String(WAIT_S),
      ESCALATION_WAIT_HIGH_SECONDS: String(WAIT_S),
      ESCALATION_WAIT_NORMAL_SECONDS: String(WAIT_S),
    });
    leader = await system.login('leider@deregenboog.example');
    const me = await leader.get<{ memberships: { schoolId: string }[] }>('/api/me');
    schoolId = me.body.memberships[0]!.schoolId;
    const device = system.push.createSubscription();
    expect((await leader.post('/api/push/subscriptions', device.subscription)).status).toBe(201);
    incident = (await trigger(summary)).body;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  const trigger = (text: string, drill = false) =>
    leader.post<IncidentView & { tasks: TaskView[] }>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId,
      summary: text,
      drill,
      idempotencyKey: `e2e-${randomUUID()}`,
    });

  /**
   * A task told at the trigger whose role has no other task then (so "ok" has one candidate), with the role's
   * primary and deputy in the demo plan.
   */
  const soleTask = (of: IncidentView, skip: string[] = []) => {
    const announced = of.tasks.filter((t) => t.announceAt === of.createdAt);
    const role = CRISIS_ROLES.find(
      (r) => r.id !== 'leader' && !skip.includes(r.id) && announced.filter((t) => t.role === r.id).length === 1,
    );
    expect(role).toBeDefined();
    return {
      task: announced.find((t) => t.role === role!.id)!,
      primary: demoPerson(`${role!.mailbox}@deregenboog.example`),
      deputy: demoPerson(`${role!.mailbox}.plv@deregenboog.example`),
    };
  };

  const taskOf = async (incidentId: string, taskId: string) =>
    (await leader.get<IncidentView & { tasks: TaskView[] }>(`/api/incidents/${incidentId}`)).body.tasks.find(
      (t) => t.id === taskId,
    )!;
  const smsFor = (person: DemoPerson, taskId: string) =>
    system.twilio.messages.filter((m) => m.to === person.phone && m.body.includes(taskId));
  const timelineOf = async (incidentId: string) =>
    (await leader.get<TimelineEntryView[]>(`/api/incidents/${incidentId}/timeline`)).body;
  const about = (taskId: string) => (e: TimelineEntryView) => (e.data as { taskId?: string }).taskId === taskId;

  it('hands an unanswered task to the deputy after push and SMS, and the deputy acknowledges it by replying "ok"', async () => {
    const { task, primary, deputy } = soleTask(incident);
    expect(task.assigneeId).toBe(primary.id);
    // The primary has no device: the SMS goes at once, then the wait runs out and the deputy gets the task.
    await waitFor(() => smsFor(primary, task.id).length === 1, { timeoutMs: 20_000, message: 'SMS to the primary' });
    await waitFor(async () => (await taskOf(incident.id, task.id)).assigneeId === deputy.id, {
      timeoutMs: 30_000,
      message: 'the task handed to the deputy',
    });
    await waitFor(() => smsFor(deputy, task.id).length === 1, { timeoutMs: 20_000, message: 'SMS to the deputy' });
    const reply = await system.twilio.sendInbound({
      to: TEST_TWILIO.from,
      from: deputy.phone,
      body: ' Ok ',
      url: `${system.baseUrl}/webhooks/twilio/inbound`,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<Response><Message>Crisisklaar: je hebt de taak opgepakt.');
    await waitFor(async () => (await taskOf(incident.id, task.id)).status === 'acknowledged', { timeoutMs: 10_000 });
    // The acknowledgement stopped the chain: nothing more is sent and nobody else gets the task.
    await sleep(WAIT_S * 2000 + 2000);
    const after = await taskOf(incident.id, task.id);
    expect([after.assigneeId, after.status]).toEqual([deputy.id, 'acknowledged']);
    expect(smsFor(deputy, task.id)).toHaveLength(1);
    expect(smsFor(primary, task.id)).toHaveLength(1);
  }, 120_000);

  it('shows every step on the delivery board, with receipts that came back through the signed webhook', async () => {
    const { task, primary, deputy } = soleTask(incident);
    const board = await waitFor(
      async () => {
        const rows = (await leader.get<DeliveryView[]>(`/api/incidents/${incident.id}/deliveries`)).body.filter(
          (d) => d.taskId === task.id,
        );
        const deputySms = rows.find((r) => r.personId === deputy.id && r.channel === 'sms');
        return deputySms?.status === 'acknowledged' && rows.some((r) => r.status === 'delivered') ? rows : undefined;
      },
      { timeoutMs: 15_000, message: 'delivery board' },
    );
    const line = (personId: string, channel: string) =>
      board.find((r) => r.personId === personId && r.channel === channel);
    expect(line(primary.id, 'push')).toMatchObject({ status: 'unreachable', reason: 'no_push_subscription' });
    expect(line(primary.id, 'sms')).toMatchObject({ status: 'delivered', provider: 'twilio' });
    expect(line(primary.id, 'sms')!.deliveredAt).not.toBeNull();
    expect(line(deputy.id, 'sms')).toMatchObject({
      status: 'acknowledged',
      label: { nl: 'Opgepakt', en: 'Acknowledged' },
    });
  });

  it('puts the escalation, the hand-over and the reply on the timeline, in order', async () => {
    const { task } = soleTask(incident);
    const entries = await waitFor(
      async () => {
        const t = (await timelineOf(incident.id)).filter(about(task.id));
        return t.some((e) => e.type === 'crisis.notification.acknowledged.v1') ? t : undefined;
      },
      { timeoutMs: 20_000, message: 'timeline entries of the task' },
    );
    // Apps publish independently, so the timeline records in arrival order; each entry keeps when it happened.
    const types = [...entries]
      .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.seq - b.seq)
      .map((e) => e.type);
    const order = [
      'crisis.task.assigned.v1',
      'crisis.notification.escalated.v1',
      'crisis.notification.unacknowledged.v1',
      'crisis.task.reassigned.v1',
      'crisis.notification.reply-received.v1',
      'crisis.task.acknowledged.v1',
    ];
    const positions = order.map((type) => types.indexOf(type));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect({ types, sorted: [...positions].sort((a, b) => a - b) }).toEqual({ types, sorted: positions });
    expect(types.filter((t) => t === 'crisis.notification.unacknowledged.v1')).toHaveLength(1);
    expect(types.filter((t) => t === 'crisis.notification.delivered.v1').length).toBeGreaterThanOrEqual(1);
  });

  it('answers 403 to forged Twilio webhooks and ignores a replayed reply', async () => {
    const statusUrl = `${system.baseUrl}/webhooks/twilio/status`;
    const forged = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
      body: new URLSearchParams({ MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'failed' }).toString(),
    });
    expect(forged.status).toBe(403);
    const unsigned = await fetch(statusUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'MessageSid=SM1&MessageStatus=delivered',
    });
    expect(unsigned.status).toBe(403);

    const { deputy } = soleTask(incident);
    const inboundUrl = `${system.baseUrl}/webhooks/twilio/inbound`;
    const params = {
      AccountSid: TEST_TWILIO.accountSid,
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: deputy.phone,
      To: TEST_TWILIO.from,
      Body: 'Ik bel over tien minuten terug',
    };
    const signed = system.twilio.signedRequest(inboundUrl, params);
    const post = () => fetch(inboundUrl, { method: 'POST', headers: signed.headers, body: signed.body });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('antwoord OK');
    const replay = await post();
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const replies = await waitFor(async () => {
      const found = (await timelineOf(incident.id)).filter(
        (e) => e.type === 'crisis.notification.reply-received.v1' && (e.data as { text: string }).text === params.Body,
      );
      return found.length > 0 ? found : undefined;
    });
    await sleep(1000);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.data).toMatchObject({ outcome: 'not-understood', personId: deputy.id });
  });

  it('sends an announcement to all staff: the text is read in the app, push and SMS carry only the link', async () => {
    const docent = await system.login('docent@deregenboog.example');
    const device = system.push.createSubscription();
    expect((await docent.post('/api/push/subscriptions', device.subscription)).status).toBe(201);
    const created = await leader.post<AnnouncementView>(`/api/incidents/${incident.id}/announcements`, {
      audience: 'all-staff',
      text: announcementText,
    });
    expect(created.status).toBe(201);
    const members = DEMO_MEMBERSHIPS.filter((m) => m.schoolId === schoolId);
    expect(created.body.recipients).toBe(members.length - 1); // everyone of the school but the author
    const [push] = await system.push.waitFor((p) => p.subscriptionId === device.id, 20_000);
    expect(push!.json).toMatchObject({ kind: 'announcement', announcementId: created.body.id });
    expect((push!.json as { url: string }).url).toBe(`${system.baseUrl}/app/announcements/${created.body.id}`);
    const docent2 = demoPerson('docent2@deregenboog.example');
    await waitFor(
      () => system.twilio.messages.some((m) => m.to === docent2.phone && m.body.includes(created.body.id)),
      {
        timeoutMs: 20_000,
      },
    );
    const read = await docent.get<AnnouncementView>(`/api/announcements/${created.body.id}`);
    expect([read.status, read.body.text]).toEqual([200, announcementText]);
    const elsewhere = await system.login('leider@hetbaken.example');
    expect((await elsewhere.get(`/api/announcements/${created.body.id}`)).status).toBe(404);
    expect(
      (await docent.post(`/api/incidents/${incident.id}/announcements`, { audience: 'all-staff', text: 'x' })).status,
    ).toBe(403);
    const bad = await leader.post<{ field: string; messageNl: string }>(`/api/incidents/${incident.id}/announcements`, {
      audience: 'role',
      text: 'Kom naar de teamkamer',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('role');
  });

  it('sends the crisis team’s SMS of a trigger before the SMS of a message to all staff sent right after it', async () => {
    const fresh = (await trigger('Brand in de gymzaal', true)).body;
    const created = await leader.post<AnnouncementView>(`/api/incidents/${fresh.id}/announcements`, {
      audience: 'all-staff',
      text: announcementText,
    });
    expect(created.status).toBe(201);
    // The leader has a device (a push first); everyone else told at the trigger gets an SMS at once.
    const leaderId = demoPerson('leider@deregenboog.example').id;
    const bySms = fresh.tasks.filter(
      (t) => t.announceAt === fresh.createdAt && t.assigneeId !== null && t.assigneeId !== leaderId,
    );
    expect(bySms.length).toBeGreaterThan(0);
    await waitFor(
      () =>
        bySms.every((t) => system.twilio.messages.some((m) => m.body.includes(t.id))) &&
        system.twilio.messages.some((m) => m.body.includes(created.body.id)),
      { timeoutMs: 30_000, message: 'the SMS of the trigger and the first of the message' },
    );
    const messages = system.twilio.messages;
    const lastTask = Math.max(...bySms.map((t) => messages.findIndex((m) => m.body.includes(t.id))));
    const firstMessage = messages.findIndex((m) => m.body.includes(created.body.id));
    expect(firstMessage).toBeGreaterThan(lastTask);
  });

  it('resumes a wait exactly once when the notifier is killed and Redis loses every job meanwhile', async () => {
    const drill = await trigger('Oefening: ontruiming na brand', true);
    expect(drill.status).toBe(201);
    const { task, primary, deputy } = soleTask(drill.body);
    await waitFor(() => smsFor(primary, task.id).length === 1, { timeoutMs: 20_000, message: 'SMS to the primary' });
    await system.kill('notifier');
    const redis = new Redis(system.env.REDIS_URL!);
    for (const key of await redis.keys(`${system.env.QUEUE_PREFIX}:*`)) {
      await redis.del(key);
    }
    redis.disconnect();
    await system.startApp('notifier');
    await waitFor(async () => (await taskOf(drill.body.id, task.id)).assigneeId === deputy.id, {
      timeoutMs: 40_000,
      message: 'the hand-over after the restart',
    });
    await waitFor(() => smsFor(deputy, task.id).length >= 1, { timeoutMs: 20_000 });
    await sleep(3000);
    expect(smsFor(primary, task.id)).toHaveLength(1);
    const handovers = (await timelineOf(drill.body.id)).filter(
      (e) =>
        about(task.id)(e) &&
        e.type === 'crisis.task.reassigned.v1' &&
        (e.data as { fromAssigneeId: string }).fromAssigneeId === primary.id,
    );
    expect(handovers).toHaveLength(1);
  }, 120_000);

  it('shows the queue board at /admin/queues to admins only', async () => {
    const board = `${system.baseUrl}/admin/queues`;
    expect((await fetch(board)).status).toBe(401);
    expect((await leader.get('/admin/queues')).status).toBe(403);
    expect((await leader.request('POST', '/api/admin/queues/session')).status).toBe(403);
    const admin = await system.login('beheer@deregenboog.example');
    const session = await fetch(`${system.baseUrl}/api/admin/queues/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ck_admin_queues=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
    const page = await fetch(board, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const queues = await fetch(`${board}/api/queues`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['notification-escalation', 'notification-sms', 'notification-web-push']);
  });

  it('never lets a name, the calamity or any typed text reach a push service or Twilio', () => {
    const outbound = [...system.push.received.map((p) => p.payload), ...system.twilio.messages.map((m) => m.body)].join(
      '\n',
    );
    expect(system.push.received.length + system.twilio.messages.length).toBeGreaterThan(10);
    const secrets = [
      'death',
      'overl',
      'Sanne',
      'verkeersongeval',
      'groep 7',
      'brand',
      'Personeelsvergadering',
      '08:00',
      ...DEMO_PEOPLE.map((p) => p.name),
      ...incident.tasks.flatMap((t) => [t.title.nl, t.title.en]),
    ];
    for (const secret of secrets) {
      expect({ secret, found: outbound.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
