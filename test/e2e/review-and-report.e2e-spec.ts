import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type {
  AftercareItemView,
  CrisisPlanContent,
  EvaluationReport,
  IncidentView,
  TimelineEntryView,
} from '#lib/contracts';
import { demoPerson } from '#lib/demo';
import { waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

/**
 * After an incident, management reads its story: trigger, acknowledge, complete, a log entry — then the
 * timeline (with filters and pages), its CSV export and the evaluation report show them right.
 */
describe('review and evaluation report', () => {
  let system: System;
  let leader: Api;
  let family: Api;
  let incident: IncidentView;
  const familyLiaison = demoPerson('familiecontact@deregenboog.example');
  const leaderPerson = demoPerson('leider@deregenboog.example');

  beforeAll(async () => {
    system = await System.start({ AFTERCARE_SCAN_SECONDS: '1' });
    leader = await system.login(leaderPerson.email);
    family = await system.login(familyLiaison.email);
    const me = await leader.get<{ memberships: { schoolId: string }[] }>('/api/me');
    const trigger = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId: me.body.memberships[0]!.schoolId,
      summary: 'Een leerling van groep 8 is overleden.',
      drill: false,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(trigger.status).toBe(201);
    incident = trigger.body;
    const convene = incident.tasks.find((t) => t.templateId === 'common.convene-team')!;
    const callFamily = incident.tasks.find((t) => t.templateId === 'death.call-family')!;
    expect((await leader.post(`/api/tasks/${convene.id}/acknowledge`, {})).status).toBe(200);
    expect((await leader.post(`/api/tasks/${convene.id}/complete`, { note: 'Team om 08:20 bijeen' })).status).toBe(200);
    expect((await family.post(`/api/tasks/${callFamily.id}/acknowledge`, {})).status).toBe(200);
    expect((await family.post(`/api/tasks/${callFamily.id}/complete`, {})).status).toBe(200);
    expect(
      (
        await family.post(`/api/incidents/${incident.id}/log`, {
          text: 'Familie gebeld; bezoek morgen',
          category: 'contact',
        })
      ).status,
    ).toBe(201);
    await waitFor(
      async () =>
        (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?manual=true`)).body.length ===
          1 &&
        (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?type=crisis.task.completed.v1`))
          .body.length === 2,
      { timeoutMs: 20_000, message: 'the steps on the timeline' },
    );
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('tells the story in order, and exports the same entries as CSV', async () => {
    const entries = (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline`)).body;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const types = entries.map((e) => e.type);
    const convene = incident.tasks.find((t) => t.templateId === 'common.convene-team')!;
    const steps = entries.filter((e) => e.data.taskId === convene.id).map((e) => e.type);
    expect(steps.indexOf('crisis.task.assigned.v1')).toBeLessThan(steps.indexOf('crisis.task.acknowledged.v1'));
    expect(steps.indexOf('crisis.task.acknowledged.v1')).toBeLessThan(steps.indexOf('crisis.task.completed.v1'));
    expect(types[0]).toBe('crisis.incident.activated.v1');
    const csv = await leader.get(`/api/incidents/${incident.id}/timeline?format=csv`);
    const rows = csv.text.trim().split('\r\n').slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(entries.length);
    expect(rows.slice(0, entries.length).map((r) => Number(r.split(',')[0]))).toEqual(entries.map((e) => e.seq));
  });

  it('refuses bad log entries with a 4xx naming the field, and stores nothing', async () => {
    const log = () => leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?manual=true`);
    const before = (await log()).body.length;
    const post = (path: string, body: unknown, as: Api = leader) =>
      as.post<{ code: string; field?: string; message: string; messageNl: string }>(path, body);
    const unknown = await post(`/api/incidents/${randomUUID()}/log`, { text: 'x' });
    expect(unknown.status).toBe(404);
    const elsewhere = await post(
      `/api/incidents/${incident.id}/log`,
      { text: 'x' },
      await system.login('leider@horizoncollege.example'),
    );
    expect(elsewhere.status).toBe(404);
    const notAnId = await post('/api/incidents/not-an-id/log', { text: 'x' });
    expect(notAnId.status).toBe(400);
    for (const [body, field] of [
      [{ text: '' }, 'text'],
      [{ text: '   ' }, 'text'],
      [{ text: 'x'.repeat(4001) }, 'text'],
      [{ text: 'Gecorrigeerd', corrects: 9999 }, 'corrects'],
      [{ text: 'x', category: 'gossip' }, 'category'],
      [{ text: 'x', occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt'],
    ] as const) {
      const res = await post(`/api/incidents/${incident.id}/log`, body);
      expect({ field, status: res.status, got: res.body.field }).toEqual({ field, status: 400, got: field });
      expect(res.body.messageNl.length).toBeGreaterThan(0);
    }
    expect((await log()).body).toHaveLength(before);
  });

  it('narrows the review by role and person, pages through it, and refuses a bad filter naming it', async () => {
    const byRole = (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?role=family-liaison`))
      .body;
    expect(byRole.length).toBeGreaterThanOrEqual(3);
    expect(byRole.every((e) => e.data.role === 'family-liaison')).toBe(true);
    const byPerson = (
      await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?person=${familyLiaison.id}`)
    ).body;
    expect(byPerson.some((e) => e.type === 'log.entry')).toBe(true);
    expect(
      byPerson.every((e) => e.actor === familyLiaison.id || JSON.stringify(e.data).includes(familyLiaison.id)),
    ).toBe(true);
    const page = await fetch(`${system.baseUrl}/api/incidents/${incident.id}/timeline?limit=3`, {
      headers: { authorization: `Bearer ${leader.token}` },
    });
    const first = (await page.json()) as TimelineEntryView[];
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')![1]!;
    const second = (await leader.get<TimelineEntryView[]>(next)).body;
    expect(second.map((e) => e.seq)).toEqual([4, 5, 6]);
    const bad = await leader.get<{ field: string; code: string }>(`/api/incidents/${incident.id}/timeline?phase=9`);
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'VALIDATION_FAILED', 'phase']);
  });

  it('reports the milestones since the trigger, the tasks against the plan, and the log', async () => {
    const res = await leader.get<EvaluationReport>(`/api/incidents/${incident.id}/report`);
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report).toMatchObject({
      incidentId: incident.id,
      drill: false,
      calamityType: 'death-of-pupil',
      endedAt: null,
    });
    const milestone = (key: string) => report.milestones.find((m) => m.key === key)!;
    expect(milestone('team-convened').afterSeconds).toBeGreaterThanOrEqual(0);
    expect(milestone('family-contacted').at).not.toBeNull();
    expect(milestone('parents-informed')).toMatchObject({ inPlan: true, at: null });
    const callFamily = report.tasks.find((t) => t.templateId === 'death.call-family')!;
    expect(callFamily).toMatchObject({ outcome: 'done', assigneeId: familyLiaison.id, overdue: false });
    expect(callFamily.lateSeconds!).toBeLessThan(0); // done well before it was due
    expect(report.roles.find((r) => r.role === 'family-liaison')).toMatchObject({ acknowledged: 1, done: 1 });
    expect(report.log).toEqual({ entries: 1, corrections: 0 });
    expect(report.tasks).toHaveLength(incident.tasks.filter((t) => t.announceAt === incident.createdAt).length);
  });

  it('keeps the team’s findings, and turns a proposed plan change into a new plan version at the admin’s word', async () => {
    const wentWell = await leader.post<TimelineEntryView>(`/api/incidents/${incident.id}/findings`, {
      kind: 'went-well',
      text: 'Binnen vijf minuten bijeen',
    });
    expect(wentWell.status).toBe(201);
    const missing = await leader.post<{ field: string }>(`/api/incidents/${incident.id}/findings`, {
      kind: 'plan-change',
      text: 'BHV anders verdelen',
    });
    expect([missing.status, missing.body.field]).toEqual([400, 'proposedPlan']);
    const schoolId = incident.schoolId;
    const plan = (await leader.get<{ version: number; content: CrisisPlanContent }>(`/api/schools/${schoolId}/plan`))
      .body;
    const proposedPlan: CrisisPlanContent = {
      ...plan.content,
      roles: plan.content.roles.map((r) => (r.role === 'bhv' ? { ...r, people: [...r.people].reverse() } : r)),
    };
    const change = await leader.post<TimelineEntryView>(`/api/incidents/${incident.id}/findings`, {
      kind: 'plan-change',
      text: 'De plaatsvervanger BHV is er vaker: maak hem eerste',
      proposedPlan,
    });
    expect(change.status).toBe(201);
    expect((await leader.post(`/api/incidents/${incident.id}/findings/${change.body.seq}/apply`, {})).status).toBe(403);
    const admin = await system.login('beheer@deregenboog.example');
    expect((await admin.post(`/api/incidents/${incident.id}/findings/${wentWell.body.seq}/apply`, {})).status).toBe(
      409,
    );
    expect((await admin.post(`/api/incidents/${incident.id}/findings/99999/apply`, {})).status).toBe(404);
    const applied = await admin.post<{ version: number; content: CrisisPlanContent }>(
      `/api/incidents/${incident.id}/findings/${change.body.seq}/apply`,
      {},
    );
    expect(applied.status).toBe(201);
    expect(applied.body.version).toBe(plan.version + 1);
    expect(applied.body.content.roles.find((r) => r.role === 'bhv')!.people[0]).toBe(
      demoPerson('bhv.plv@deregenboog.example').id,
    );
    const report = (await leader.get<EvaluationReport>(`/api/incidents/${incident.id}/report`)).body;
    expect(report.findings.map((f) => [f.kind, f.appliedVersion])).toEqual([
      ['went-well', null],
      ['plan-change', plan.version + 1],
    ]);
  });

  it('keeps the aftercare schedule, and tells an item’s owner when it is due, by a link only', async () => {
    const schedule = (await leader.get<AftercareItemView[]>(`/api/incidents/${incident.id}/aftercare`)).body;
    expect(schedule.map((i) => i.key)).toEqual(['check-in-week-1', 'commemoration', 'check-in-week-6', 'anniversary']);
    const teacher = demoPerson('docent@deregenboog.example');
    const added = await leader.post<AftercareItemView>(`/api/incidents/${incident.id}/aftercare`, {
      kind: 'check-in',
      title: 'Gesprek met de klas',
      subject: 'klas 8A van meester Jan',
      ownerId: teacher.id,
      dueAt: new Date().toISOString(),
    });
    expect(added.status).toBe(201);
    const stranger = await leader.post<{ field: string }>(`/api/incidents/${incident.id}/aftercare`, {
      kind: 'check-in',
      title: 'x',
      ownerId: demoPerson('docent@hetbaken.example').id,
      dueAt: new Date().toISOString(),
    });
    expect([stranger.status, stranger.body.field]).toEqual([400, 'ownerId']);
    const sms = await waitFor(
      () => system.twilio.messages.find((m) => m.to === teacher.phone && m.body.includes(added.body.id)),
      { timeoutMs: 20_000, message: 'the aftercare SMS to its owner' },
    );
    expect(sms.body).toContain(`/app/aftercare/${added.body.id}`);
    expect(sms.body).not.toMatch(/8A|Jan|klas/);
    const owner = await system.login(teacher.email);
    const mine = await owner.get<AftercareItemView>(`/api/aftercare/${added.body.id}`);
    expect([mine.status, mine.body.subject]).toEqual([200, 'klas 8A van meester Jan']);
    const checked = await owner.post<AftercareItemView>(`/api/aftercare/${added.body.id}`, { state: 'checked' });
    expect([checked.status, checked.body.state]).toEqual([200, 'checked']);
    const skipped = await owner.post<{ code: string }>(`/api/aftercare/${added.body.id}`, { state: 'closed' });
    expect([skipped.status, skipped.body.code]).toEqual([409, 'INVALID_TRANSITION']);
    const colleague = await system.login('docent2@deregenboog.example');
    expect((await colleague.get(`/api/aftercare/${added.body.id}`)).status).toBe(403);
    const other = await system.login('leider@horizoncollege.example');
    expect((await other.get(`/api/aftercare/${added.body.id}`)).status).toBe(404);
  });

  it('lists the school’s incidents with drills apart from real incidents', async () => {
    const drill = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId: incident.schoolId,
      summary: 'Ontruimingsoefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    const list = await leader.get<{ incidents: { id: string }[]; drills: { id: string }[] }>(
      `/api/schools/${incident.schoolId}/incidents`,
    );
    expect(list.body.incidents.map((i) => i.id)).toEqual([incident.id]);
    expect(list.body.drills.map((i) => i.id)).toEqual([drill.body.id]);
    expect(
      (await (await system.login('docent@deregenboog.example')).get(`/api/schools/${incident.schoolId}/incidents`))
        .status,
    ).toBe(403);
  });

  it('prints the report as a page, and keeps it from staff and from other schools', async () => {
    const page = await leader.get(`/api/incidents/${incident.id}/report?format=html`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Evaluatie crisisinzet');
    expect(page.text).toContain('Bel de familie');
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.get(`/api/incidents/${incident.id}/report`)).status).toBe(403);
    const other = await system.login('leider@horizoncollege.example');
    expect((await other.get(`/api/incidents/${incident.id}/report`)).status).toBe(404);
  });

  it('lets the board set how long texts are kept, and erases them only after that', async () => {
    const board = await system.login('bestuur@delinde.example');
    const boardId = incident.boardId;
    expect((await board.get(`/api/boards/${boardId}/retention`)).body).toMatchObject({
      retentionDays: 1825,
      isDefault: true,
    });
    expect((await leader.request('PUT', `/api/boards/${boardId}/retention`, { retentionDays: 30 })).status).toBe(403);
    const bad = await board.request<{ field: string }>('PUT', `/api/boards/${boardId}/retention`, { retentionDays: 0 });
    expect([bad.status, bad.body.field]).toEqual([400, 'retentionDays']);
    const set = await board.request('PUT', `/api/boards/${boardId}/retention`, { retentionDays: 30 });
    expect(set.body).toMatchObject({ retentionDays: 30, isDefault: false });
    const running = await board.post<{ code: string }>(`/api/incidents/${incident.id}/erase-texts`, {});
    expect([running.status, running.body.code]).toEqual([409, 'INCIDENT_NOT_ENDED']);
    expect((await leader.post(`/api/incidents/${incident.id}/close`, { reason: 'Afgerond na evaluatie' })).status).toBe(
      200,
    );
    await waitFor(
      async () =>
        (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?type=crisis.incident.closed.v1`))
          .body.length === 1,
    );
    const early = await board.post<{ code: string }>(`/api/incidents/${incident.id}/erase-texts`, {});
    expect([early.status, early.body.code]).toEqual([409, 'RETENTION_NOT_REACHED']);
    expect((await leader.post(`/api/incidents/${incident.id}/erase-texts`, {})).status).toBe(403);
  });
});
