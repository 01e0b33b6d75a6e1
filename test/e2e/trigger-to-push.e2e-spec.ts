import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DeliveryView, IncidentView, TimelineEntryView, TimelineVerification } from '#lib/contracts';
import { sleep, waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

/**
 * A crisis-team leader at De Regenboog triggers "death of a pupil" from a phone. The four apps run as
 * processes against real PostgreSQL, Redis and NATS; the push service is the local fake.
 */
describe('trigger → tasks → push → timeline', () => {
  let system: System;
  let leader: Api;
  let schoolId: string;
  let subscriptionId: string;
  const pupilName = 'Sanne van Dijk';
  const summary = `${pupilName} (groep 7) is vanochtend overleden na een verkeersongeval.`;
  const idempotencyKey = `e2e-${randomUUID()}`;
  let first: { status: number; body: IncidentView };

  beforeAll(async () => {
    system = await System.start();
    leader = await system.login('leider@deregenboog.example');
    const me = await leader.get<{ personId: string; memberships: { schoolId: string }[] }>('/api/me');
    schoolId = me.body.memberships[0]!.schoolId;
    leaderId = me.body.personId;
    const device = system.push.createSubscription();
    subscriptionId = device.id;
    const registered = await leader.post('/api/push/subscriptions', device.subscription);
    expect(registered.status).toBe(201);
    first = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId,
      summary,
      drill: false,
      idempotencyKey,
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  /** Tasks told at the trigger (tasks due days later are announced later) — and those of the leader. */
  const announced = () =>
    first.body.tasks.filter((t) => t.announceAt === first.body.createdAt && t.assigneeId !== null);
  const leaderTasks = () => announced().filter((t) => t.assigneeId === leaderId);
  let leaderId: string;

  it('answers 201 with the incident and a task per role of the protocol, each with an assignee and a due time', () => {
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'active', calamityType: 'death-of-pupil', drill: false, schoolId });
    expect(first.body.tasks.length).toBeGreaterThanOrEqual(8);
    for (const task of first.body.tasks) {
      expect(task.incidentId).toBe(first.body.id);
      expect(task.assigneeId).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(task.dueAt).getTime()).toBeGreaterThan(new Date(first.body.createdAt).getTime());
      expect(task.status).toBe('pending');
    }
    expect(leaderTasks().length).toBeGreaterThanOrEqual(1);
    expect(first.body.tasks.some((t) => t.role === 'family-liaison')).toBe(true);
  });

  it('delivers a web push to the leader’s phone, VAPID-signed and encrypted, carrying only the task reference and a link', async () => {
    const pushes = await system.push.waitFor((p) => p.subscriptionId === subscriptionId, 30_000, leaderTasks().length);
    const push = pushes.find((p) => (p.json as { taskId: string }).taskId === leaderTasks()[0]!.id);
    const task = leaderTasks()[0]!;
    expect(push!.json).toMatchObject({ kind: 'task', taskId: task.id, incidentId: first.body.id });
    expect((push!.json as { url: string }).url).toBe(`${system.baseUrl}/app/tasks/${task.id}`);
    expect(push!.headers.urgency).toBe('high');
    expect(push!.headers.topic).toBe(task.id.replace(/-/g, ''));
    expect(Number(push!.headers.ttl)).toBeGreaterThan(0);
    // Privacy: what passes through a push service never names the calamity, the pupil or the summary.
    for (const secret of ['death', 'overl', 'Overl', pupilName, 'Sanne', 'verkeersongeval', 'groep 7']) {
      expect(push!.payload).not.toContain(secret);
    }
  });

  it('records activated, assigned and sent on the timeline in causal order, with a valid hash chain', async () => {
    const entries = await waitFor(
      async () => {
        const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${first.body.id}/timeline`);
        const pushOutcomes = res.body.filter(
          (e) =>
            (e.type === 'crisis.notification.sent.v1' || e.type === 'crisis.notification.failed.v1') &&
            e.data.channel === 'push',
        );
        return pushOutcomes.length === announced().length ? res.body : undefined;
      },
      { timeoutMs: 30_000, message: 'a notification outcome for every task' },
    );
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries[0]!.type).toBe('crisis.incident.activated.v1');
    const assigned = entries.filter((e) => e.type === 'crisis.task.assigned.v1');
    expect(assigned.map((e) => e.data.taskId).sort()).toEqual(
      announced()
        .map((t) => t.id)
        .sort(),
    );
    const sent = entries.filter((e) => e.type === 'crisis.notification.sent.v1' && e.data.channel === 'push');
    expect(sent.map((e) => e.data.taskId).sort()).toEqual(
      leaderTasks()
        .map((t) => t.id)
        .sort(),
    );
    for (const entry of sent) {
      expect(entry.data).toMatchObject({ channel: 'push', devices: 1, personId: leaderId });
      const cause = assigned.find((e) => e.data.taskId === entry.data.taskId)!;
      expect(entry.seq).toBeGreaterThan(cause.seq);
    }
    for (const [i, entry] of entries.entries()) {
      expect(entry.prevHash).toBe(i === 0 ? '0'.repeat(64) : entries[i - 1]!.hash);
    }
    const verify = await leader.get<TimelineVerification>(`/api/incidents/${first.body.id}/timeline/verify`);
    // Receipts keep arriving meanwhile: the chain may have grown, and must still be whole.
    expect(verify.body).toMatchObject({ valid: true, firstBrokenSeq: null });
    expect(verify.body.entries).toBeGreaterThanOrEqual(entries.length);
  });

  it('does not hide that people without a device were not reached', async () => {
    const entries = await waitFor(
      async () => {
        const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${first.body.id}/timeline`);
        const failed = res.body.filter((e) => e.type === 'crisis.notification.failed.v1' && e.data.channel === 'push');
        return failed.length === announced().length - leaderTasks().length ? failed : undefined;
      },
      { timeoutMs: 30_000, message: 'a failed entry for every assignee without a device' },
    );
    expect(entries.every((e) => e.data.reason === 'no_push_subscription' && e.data.status === 'unreachable')).toBe(
      true,
    );
    // ... and that they were sent an SMS at once instead (their phone numbers are in the demo seed).
    const smsSent = await waitFor(async () => {
      const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${first.body.id}/timeline`);
      const sms = res.body.filter((e) => e.type === 'crisis.notification.sent.v1' && e.data.channel === 'sms');
      return sms.length === entries.length ? sms : undefined;
    });
    expect(smsSent.map((e) => e.data.taskId).sort()).toEqual(entries.map((e) => e.data.taskId).sort());
  });

  it('returns the same incident for the same idempotency key, with no second set of tasks or notifications', async () => {
    const facts = async () =>
      (await leader.get<TimelineEntryView[]>(`/api/incidents/${first.body.id}/timeline`)).body.filter(
        (e) => e.type === 'crisis.incident.activated.v1' || e.type === 'crisis.task.assigned.v1',
      );
    const before = await facts();
    const again = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId,
      summary,
      drill: false,
      idempotencyKey,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.tasks.map((t) => t.id).sort()).toEqual(first.body.tasks.map((t) => t.id).sort());
    await sleep(3_000); // give a wrongly made second fan-out the time to show
    expect(system.push.received.filter((p) => p.subscriptionId === subscriptionId)).toHaveLength(leaderTasks().length);
    expect(await facts()).toHaveLength(before.length);
  });

  it('exports the timeline as CSV in the same order', async () => {
    const json = await leader.get<TimelineEntryView[]>(`/api/incidents/${first.body.id}/timeline`);
    const csv = await leader.get(`/api/incidents/${first.body.id}/timeline?format=csv`);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('seq,occurredAt,recordedAt,type,actor,drill,data,prevHash,hash');
    expect(rows.slice(1).map((r) => Number(r.split(',')[0]))).toEqual(json.body.map((e) => e.seq));
  });

  it('keeps the incident from people of another school, and from staff', async () => {
    const other = await system.login('leider@hetbaken.example');
    expect((await other.get(`/api/incidents/${first.body.id}`)).status).toBe(404);
    expect((await other.get(`/api/incidents/${first.body.id}/timeline`)).status).toBe(404);
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.get(`/api/incidents/${first.body.id}`)).status).toBe(403);
    const trigger = await staff.post('/api/incidents', {
      calamityType: 'threat',
      schoolId,
      summary: '',
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(trigger.status).toBe(403);
  });

  it('refuses bad input with a 4xx that names the field, in Dutch and English', async () => {
    const unknownType = await leader.post<{ code: string; field: string; messageNl: string }>('/api/incidents', {
      calamityType: 'alien-invasion',
      schoolId,
      summary: '',
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'calamityType' });
    expect(unknownType.body.messageNl).toMatch(/onbekend/);
    const missingKey = await leader.post<{ field: string }>('/api/incidents', {
      calamityType: 'threat',
      schoolId,
      summary: '',
    });
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.field).toBe('idempotencyKey');
    const badId = await leader.get<{ field: string }>('/api/incidents/not-a-uuid');
    expect(badId.status).toBe(400);
  });

  it('carries one correlation id from the request through every app’s logs, which hold no names or summaries', async () => {
    const correlationId = `e2e-corr-${randomUUID()}`;
    const { accessToken } = await system.loginTokens('leider@deregenboog.example');
    const res = await fetch(`${system.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
      },
      body: JSON.stringify({
        calamityType: 'missing-pupil',
        schoolId,
        summary: `${pupilName} is zoek`,
        idempotencyKey: `e2e-${randomUUID()}`,
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    const appsSeen = await waitFor(
      () => {
        const apps = new Set(
          system.logs.filter((line) => line.includes(correlationId)).map((line) => line.slice(1, line.indexOf(']'))),
        );
        return apps.size === 4 ? apps : undefined;
      },
      { timeoutMs: 30_000, message: 'log lines with the correlation id from all four apps' },
    );
    expect([...appsSeen].sort()).toEqual(['activation', 'gateway', 'notifier', 'timeline']);
    expect(system.logs.filter((line) => line.includes(pupilName) || line.includes('verkeersongeval'))).toEqual([]);
  });

  it('counts requests, consumed events and queue jobs in /metrics, and documents the API in OpenAPI', async () => {
    const gateway = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(gateway).toMatch(
      /crisisklaar_http_requests_total\{method="POST",route="\/api\/incidents",status="201"\} [1-9]/,
    );
    const notifier = await (await fetch(`http://127.0.0.1:${system.env.NOTIFIER_HTTP_PORT}/metrics`)).text();
    expect(notifier).toMatch(
      /crisisklaar_events_consumed_total\{[^}]*subject="crisis.task.assigned.v1",outcome="acked"\} [1-9]/,
    );
    expect(notifier).toMatch(/crisisklaar_queue_jobs_total\{queue="notification-web-push",outcome="sent"\} [1-9]/);
    expect(notifier).toMatch(/crisisklaar_events_published_total [1-9]/);
    const timeline = await (await fetch(`http://127.0.0.1:${system.env.TIMELINE_HTTP_PORT}/metrics`)).text();
    expect(timeline).toMatch(/crisisklaar_events_consumed_total\{[^}]*outcome="acked"\} [1-9]/);
    const doc = (await (await fetch(`${system.baseUrl}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/me',
        '/api/protocols',
        '/api/incidents',
        '/api/incidents/{id}',
        '/api/incidents/{id}/timeline',
        '/api/incidents/{id}/timeline/verify',
        '/api/push/vapid-public-key',
        '/api/push/subscriptions',
        '/api/incidents/{id}/phase',
        '/api/incidents/{id}/close',
        '/api/incidents/{id}/cancel',
        '/api/me/tasks',
        '/api/tasks/{id}/acknowledge',
        '/api/tasks/{id}/complete',
        '/api/tasks/{id}/not-applicable',
        '/api/tasks/{id}/reassign',
        '/api/schools/{schoolId}/plan',
        '/api/boards/{boardId}/plan',
        '/api/incidents/{id}/legal-chain',
        '/api/incidents/{id}/legal-chain/{step}',
        '/api/incidents/{id}/log',
        '/api/incidents/{id}/deliveries',
        '/api/me/phone',
      ]),
    );
    for (const app of ['activation', 'notifier', 'timeline'] as const) {
      const port = system.env[`${app.toUpperCase()}_HTTP_PORT`];
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    }
  });

  it('shows the delivery board: per person and channel, the state of each notification with its times', async () => {
    const board = await waitFor(
      async () => {
        const res = await leader.get<DeliveryView[]>(`/api/incidents/${first.body.id}/deliveries`);
        const push = res.body.filter((d) => d.channel === 'push');
        const sms = res.body.filter((d) => d.channel === 'sms');
        const settled =
          push.length === announced().length &&
          push.every((d) => d.status !== 'queued') &&
          sms.length === announced().length - leaderTasks().length &&
          sms.every((d) => d.status === 'delivered');
        return settled ? res.body : undefined;
      },
      { timeoutMs: 30_000, message: 'every notification settled on the delivery board' },
    );
    const sent = board.filter((d) => d.channel === 'push' && d.status === 'sent');
    expect(sent.map((d) => d.taskId).sort()).toEqual(
      leaderTasks()
        .map((t) => t.id)
        .sort(),
    );
    for (const delivery of sent) {
      expect(delivery).toMatchObject({ personId: leaderId, channel: 'push', attempt: 1, reason: null });
      expect(Date.parse(delivery.sentAt!)).toBeGreaterThanOrEqual(Date.parse(delivery.queuedAt));
    }
    const unreachable = board.filter((d) => d.channel === 'push' && d.status !== 'sent');
    expect(unreachable.every((d) => d.status === 'unreachable' && d.reason === 'no_push_subscription')).toBe(true);
    for (const sms of board.filter((d) => d.channel === 'sms')) {
      expect(sms).toMatchObject({ provider: 'twilio', label: { nl: 'Afgeleverd', en: 'Delivered' } });
      expect(Date.parse(sms.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(sms.sentAt!));
    }
    const other = await system.login('leider@hetbaken.example');
    expect((await other.get(`/api/incidents/${first.body.id}/deliveries`)).status).toBe(404);
  });

  it('keeps a phone number for SMS, normalising a Dutch 06 number and refusing what is no phone number', async () => {
    const saved = await leader.request<{ phone: string }>('PUT', '/api/me/phone', { phone: '06-1234 5678' });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ phone: '+31612345678', channelOrder: ['push', 'sms'] });
    const bad = await leader.request<{ field: string; messageNl: string }>('PUT', '/api/me/phone', { phone: 'bel me' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('phone');
    expect(bad.body.messageNl).toContain('06 12345678');
    expect((await leader.request('PUT', '/api/me/phone', {})).status).toBe(400);
  });
});
