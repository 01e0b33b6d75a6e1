import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type {
  CrisisPlanView,
  IncidentView,
  LegalChainView,
  MyTaskView,
  TaskView,
  TimelineEntryView,
  TimelineVerification,
} from '#lib/contracts';
import { DEMO_PLAN, DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { loadCatalog } from '../../apps/activation/src/catalog/catalog.loader.js';
import { tasksFor } from '../../apps/activation/src/catalog/catalog.types.js';
import { durationMs } from '../../apps/activation/src/protocol/iso-duration.js';
import { waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

/**
 * The timeline appends events one at a time; right after the twelve-type test (about a thousand events) it may
 * need some seconds to catch up.
 */
const TIMELINE_WAIT = { timeoutMs: 30_000, message: 'the timeline entry' };

/** The versioned catalog drives every calamity type; tasks are acknowledged, completed and handed over from phones. */
describe('catalog and task lifecycle', () => {
  const catalog = loadCatalog();
  const school = DEMO_SCHOOLS[0]!;
  const primary = (role: string) =>
    DEMO_PLAN.find((s) => s.schoolId === school.id && s.role === role && s.rank === 0)!.personId;
  let system: System;
  let leader: Api;

  const trigger = async (calamityType: string, api: Api = leader) =>
    api.post<IncidentView>('/api/incidents', {
      calamityType,
      schoolId: school.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });

  beforeAll(async () => {
    system = await System.start();
    leader = await system.login('leider@deregenboog.example');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('offers all twelve calamity types of the catalog, each with its task count and the catalog version', async () => {
    const protocols =
      await leader.get<{ id: string; name: string; taskCount: number; catalogVersion: string }[]>('/api/protocols');
    expect(protocols.body.map((p) => p.id).sort()).toEqual(catalog.calamityTypes.map((t) => t.id).sort());
    expect(protocols.body).toHaveLength(12);
    for (const protocol of protocols.body) {
      expect(protocol.taskCount).toBe(tasksFor(catalog, protocol.id).length);
      expect(protocol.catalogVersion).toBe(catalog.version);
    }
  });

  it.each(catalog.calamityTypes.map((t) => [t.id]))(
    '%s: triggers on the demo school with the catalog’s tasks, roles, deadlines and primaries',
    async (type) => {
      const res = await trigger(type);
      expect(res.status).toBe(201);
      expect(res.body.catalogVersion).toBe(catalog.version);
      const templates = tasksFor(catalog, type);
      expect(res.body.tasks.map((t) => t.templateId).sort()).toEqual(templates.map((t) => t.id).sort());
      const created = Date.parse(res.body.createdAt);
      for (const task of res.body.tasks) {
        const template = templates.find((t) => t.id === task.templateId)!;
        expect(task.role).toBe(template.role);
        expect(task.priority).toBe(template.priority);
        expect(Date.parse(task.dueAt) - created).toBe(durationMs(template.deadline));
        expect(task.assigneeId).toBe(primary(template.role));
        expect(task.title).toEqual(template.title);
      }
    },
  );

  it('takes a task from the phone: my tasks, acknowledge, complete — and the timeline tells it in order', async () => {
    const incident = (await trigger('death-of-pupil')).body;
    const logkeeper = await system.login('logboek@deregenboog.example');
    const mine = await waitFor(async () => {
      const res = await logkeeper.get<MyTaskView[]>('/api/me/tasks');
      return res.body.some((t) => t.incidentId === incident.id) ? res.body : undefined;
    });
    const task = mine.find((t) => t.incidentId === incident.id && t.role === 'logkeeper')!;
    expect(task).toMatchObject({ status: 'pending', schoolId: school.id, drill: true });

    const acknowledged = await logkeeper.post<TaskView>(`/api/tasks/${task.id}/acknowledge`, {});
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    expect((await logkeeper.post<TaskView>(`/api/tasks/${task.id}/acknowledge`, {})).status).toBe(200);
    const done = await logkeeper.post<TaskView>(`/api/tasks/${task.id}/complete`, { note: 'Logboek gestart om 09:12' });
    expect(done.body).toMatchObject({ status: 'done', note: 'Logboek gestart om 09:12' });

    const entries = await waitFor(async () => {
      const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline`);
      return res.body.some((e) => e.type === 'crisis.task.completed.v1') ? res.body : undefined;
    }, TIMELINE_WAIT);
    const ofTask = entries.filter((e) => e.data.taskId === task.id).map((e) => e.type);
    expect(ofTask.filter((t) => t.startsWith('crisis.task.'))).toEqual([
      'crisis.task.assigned.v1',
      'crisis.task.acknowledged.v1',
      'crisis.task.completed.v1',
    ]);
    const verify = await leader.get<TimelineVerification>(`/api/incidents/${incident.id}/timeline/verify`);
    expect(verify.body.valid).toBe(true);
    const refused = await logkeeper.post<{ code: string; messageNl: string }>(`/api/tasks/${task.id}/not-applicable`, {
      reason: 'te laat',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INVALID_TRANSITION');
  });

  it('keeps tasks to the assignee and the leaders; another school cannot see them; bad input names the field', async () => {
    const incident = (await trigger('fire-explosion-evacuation')).body;
    const bhvTask = incident.tasks.find((t) => t.role === 'bhv')!;
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.post(`/api/tasks/${bhvTask.id}/acknowledge`, {})).status).toBe(403);
    const otherSchool = await system.login('leider@hetbaken.example');
    expect((await otherSchool.post(`/api/tasks/${bhvTask.id}/acknowledge`, {})).status).toBe(404);
    expect((await leader.post(`/api/tasks/${randomUUID()}/acknowledge`, {})).status).toBe(404);
    const noReason = await leader.post<{ field: string }>(`/api/tasks/${bhvTask.id}/not-applicable`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    const longNote = await leader.post<{ field: string }>(`/api/tasks/${bhvTask.id}/complete`, {
      note: 'x'.repeat(2001),
    });
    expect(longNote.status).toBe(400);
    expect(longNote.body.field).toBe('note');
    // The refused requests changed nothing: the task is still open and unacknowledged, without a note. (Its
    // notification may have gone out meanwhile, which moves it from pending to notified.)
    const after = (await leader.get<IncidentView>(`/api/incidents/${incident.id}`)).body.tasks.find(
      (t) => t.id === bhvTask.id,
    )!;
    expect(['pending', 'notified']).toContain(after.status);
    expect(after).toMatchObject({ acknowledgedAt: null, completedAt: null, note: null });
  });

  it('hands a task to the deputy at the leader’s word, and the deputy’s phone is told', async () => {
    const deputy = demoPerson('logboek.plv@deregenboog.example');
    const deputyApi = await system.login(deputy.email);
    const device = system.push.createSubscription();
    expect((await deputyApi.post('/api/push/subscriptions', device.subscription)).status).toBe(201);
    const incident = (await trigger('missing-pupil')).body;
    const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
    const moved = await leader.post<TaskView>(`/api/tasks/${log.id}/reassign`, { assigneeId: deputy.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ assigneeId: deputy.id, status: 'pending' });
    const [push] = await system.push.waitFor((p) => p.subscriptionId === device.id, 30_000);
    expect(push!.json).toMatchObject({ taskId: log.id });
    const mine = await deputyApi.get<MyTaskView[]>('/api/me/tasks');
    expect(mine.body.map((t) => t.id)).toContain(log.id);
  });

  it('lets the leader move the incident on and cancel a false alarm; tasks of an ended incident stay as they are', async () => {
    const incident = (await trigger('missing-pupil')).body;
    const moved = await leader.post<IncidentView>(`/api/incidents/${incident.id}/phase`, { phase: 2 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ phase: 2, status: 'active' });
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.post(`/api/incidents/${incident.id}/phase`, { phase: 3 })).status).toBe(403);
    const otherSchool = await system.login('leider@hetbaken.example');
    expect((await otherSchool.post(`/api/incidents/${incident.id}/cancel`, { reason: 'x' })).status).toBe(404);
    const back = await leader.post<{ code: string }>(`/api/incidents/${incident.id}/phase`, { phase: 1 });
    expect(back.status).toBe(409);
    const badPhase = await leader.post<{ field: string }>(`/api/incidents/${incident.id}/phase`, { phase: 9 });
    expect(badPhase.status).toBe(400);
    expect(badPhase.body.field).toBe('phase');
    const early = await leader.post<{ field: string; messageNl: string }>(`/api/incidents/${incident.id}/close`, {});
    expect(early.status).toBe(400);
    expect(early.body.field).toBe('reason');

    const cancelled = await leader.post<IncidentView>(`/api/incidents/${incident.id}/cancel`, {
      reason: 'Loos alarm: de leerling was bij de buren',
    });
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      endReason: 'Loos alarm: de leerling was bij de buren',
    });
    const task = incident.tasks.find((t) => t.role === 'leader')!;
    const refused = await leader.post<{ code: string }>(`/api/tasks/${task.id}/acknowledge`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INCIDENT_CLOSED');

    const entries = await waitFor(async () => {
      const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline`);
      return res.body.some((e) => e.type === 'crisis.incident.cancelled.v1') ? res.body : undefined;
    }, TIMELINE_WAIT);
    const lifecycle = entries.filter((e) => e.type.startsWith('crisis.incident.')).map((e) => e.type);
    expect(lifecycle).toEqual([
      'crisis.incident.activated.v1',
      'crisis.incident.phase-changed.v1',
      'crisis.incident.cancelled.v1',
    ]);
  });

  it('lets the admin keep the school’s plan: versions, an unavailable primary, and nobody from another school', async () => {
    const baken = DEMO_SCHOOLS[1]!;
    const admin = await system.login('beheer@hetbaken.example');
    const current = await admin.get<CrisisPlanView>(`/api/schools/${baken.id}/plan`);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ scope: 'school', version: 1, unstaffedRoles: [] });
    const logLine = current.body.content.roles.find((r) => r.role === 'logkeeper')!.people;

    const saved = await admin.request<CrisisPlanView>('PUT', `/api/schools/${baken.id}/plan`, {
      content: { ...current.body.content, unavailable: [logLine[0]] },
      expectedVersion: 1,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    const bakenLeader = await system.login('leider@hetbaken.example');
    const incident = await bakenLeader.post<IncidentView>('/api/incidents', {
      calamityType: 'bomb-threat',
      schoolId: baken.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(incident.body.planVersions).toEqual({ school: 2, board: null });
    expect(incident.body.tasks.find((t) => t.role === 'logkeeper')!.assigneeId).toBe(logLine[1]);

    const stale = await admin.request('PUT', `/api/schools/${baken.id}/plan`, {
      content: current.body.content,
      expectedVersion: 1,
    });
    expect(stale.status).toBe(409);
    const stranger = primary('leader'); // De Regenboog's leader is not at Het Baken
    const foreign = await admin.request<{ field: string }>('PUT', `/api/schools/${baken.id}/plan`, {
      content: { ...current.body.content, roles: [{ role: 'leader', people: [stranger] }] },
      expectedVersion: 2,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.field).toBe('content.roles');
    const badRole = await admin.request<{ field: string }>('PUT', `/api/schools/${baken.id}/plan`, {
      content: { ...current.body.content, roles: [{ role: 'pers', people: [] }] },
      expectedVersion: 2,
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.field).toBe('content.roles[0].role');
    expect(
      (
        await bakenLeader.request('PUT', `/api/schools/${baken.id}/plan`, {
          content: current.body.content,
          expectedVersion: 2,
        })
      ).status,
    ).toBe(403);
    expect((await leader.get(`/api/schools/${baken.id}/plan`)).status).toBe(404);
    expect((await admin.get<CrisisPlanView>(`/api/schools/${baken.id}/plan`)).body.version).toBe(2);
  });

  it('lets board management keep a board plan that its schools inherit; a school director may not', async () => {
    const board = await system.login('bestuur@delinde.example');
    const boardId = school.boardId;
    const content = {
      roles: [],
      unavailable: [],
      taskOverrides: [{ templateId: tasksFor(catalog, 'cyber-crisis')[0]!.id, deadline: 'PT45M' }],
      extraTasks: [],
      reviewDue: '2027-06-30',
    };
    const saved = await board.request<CrisisPlanView>('PUT', `/api/boards/${boardId}/plan`, {
      content,
      expectedVersion: null,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ scope: 'board', version: 1 });
    const director = await system.login('directie@deregenboog.example');
    expect((await director.request('PUT', `/api/boards/${boardId}/plan`, { content, expectedVersion: 1 })).status).toBe(
      403,
    );
    const other = await system.login('leider@horizoncollege.example');
    expect((await other.get(`/api/boards/${boardId}/plan`)).status).toBe(404);
    const incident = (await trigger('cyber-crisis')).body;
    expect(incident.planVersions.board).toBe(1);
    const overridden = incident.tasks.find((t) => t.templateId === content.taskOverrides[0]!.templateId)!;
    expect(Date.parse(overridden.dueAt) - Date.parse(incident.createdAt)).toBe(45 * 60_000);
  });

  it('guides the legal chain of a suspected sexual offence by staff in the law’s order, on the timeline', async () => {
    const incident = (await trigger('sexual-misconduct-by-staff')).body;
    const liaison = await system.login('bestuurscontact@deregenboog.example');
    const chain = (path = '') => `/api/incidents/${incident.id}/legal-chain${path}`;
    expect((await liaison.get<LegalChainView>(chain())).body).toMatchObject({
      next: ['reported-to-board'],
      complete: false,
    });
    const early = await liaison.post<{ code: string; messageNl: string }>(chain('/inspector-consulted'), { note: 'x' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'OUT_OF_ORDER', messageNl: 'Leg eerst reported-to-board vast' });
    expect(
      (await liaison.post(chain('/reported-to-board'), { note: 'Mentor meldde het signaal om 08:40' })).status,
    ).toBe(200);
    expect(
      (await liaison.post(chain('/inspector-consulted'), { note: 'Vertrouwensinspecteur geraadpleegd' })).status,
    ).toBe(200);
    const decided = await liaison.post<LegalChainView>(chain('/suspicion-decided'), {
      note: 'Geen redelijk vermoeden',
      reasonableSuspicion: false,
    });
    expect(decided.body.next).toEqual(['decision-documented']);
    const badStep = await liaison.post<{ field: string }>(chain('/confession'), { note: 'x' });
    expect(badStep.status).toBe(400);
    expect(badStep.body.field).toBe('step');
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.get(chain())).status).toBe(403);
    expect(
      (await leader.get(`/api/incidents/${(await trigger('threat-or-violence')).body.id}/legal-chain`)).status,
    ).toBe(409);

    const entries = await waitFor(async () => {
      const res = await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline`);
      const steps = res.body.filter((e) => e.type === 'crisis.legal.step-recorded.v1');
      return steps.length === 3 ? steps : undefined;
    }, TIMELINE_WAIT);
    expect(entries.map((e) => e.data.step)).toEqual(['reported-to-board', 'inspector-consulted', 'suspicion-decided']);
  });

  it('keeps the log: entries with the time things happened, corrections, the manual-only view and the CSV', async () => {
    const incident = (await trigger('death-of-pupil')).body;
    const logkeeper = await system.login('logboek@deregenboog.example');
    const at = new Date(Date.now() - 25 * 60_000).toISOString();
    const written = await logkeeper.post<TimelineEntryView>(`/api/incidents/${incident.id}/log`, {
      text: 'Familie gebeld; de klas wordt morgen ingelicht',
      category: 'contact',
      occurredAt: at,
    });
    expect(written.status).toBe(201);
    expect(written.body).toMatchObject({ type: 'log.entry', occurredAt: at, data: { category: 'contact' } });
    const plain = await logkeeper.post<TimelineEntryView>(`/api/incidents/${incident.id}/log`, {
      text: 'Crisisteam compleet',
    });
    expect(plain.body.data).toMatchObject({ category: 'observation' });
    const correction = await logkeeper.post<TimelineEntryView>(`/api/incidents/${incident.id}/log`, {
      text: 'Correctie: de familie belde zelf',
      corrects: written.body.seq,
    });
    expect(correction.body.data).toMatchObject({ corrects: written.body.seq });

    const future = await logkeeper.post<{ field: string }>(`/api/incidents/${incident.id}/log`, {
      text: 'x',
      occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.body.field).toBe('occurredAt');
    const blank = await logkeeper.post<{ field: string }>(`/api/incidents/${incident.id}/log`, { text: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.field).toBe('text');
    const activated = await waitFor(async () => {
      const res = await leader.get<TimelineEntryView[]>(
        `/api/incidents/${incident.id}/timeline?type=crisis.incident.activated.v1`,
      );
      return res.body[0];
    }, TIMELINE_WAIT);
    for (const corrects of [activated.seq, 9_999]) {
      // Only a written log entry can be corrected; the events' entries are facts.
      const bad = await logkeeper.post<{ field: string }>(`/api/incidents/${incident.id}/log`, { text: 'x', corrects });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('corrects');
    }
    expect(
      (
        await (
          await system.login('docent@deregenboog.example')
        ).post(`/api/incidents/${incident.id}/log`, { text: 'x' })
      ).status,
    ).toBe(403);
    expect(
      (await (await system.login('leider@hetbaken.example')).post(`/api/incidents/${incident.id}/log`, { text: 'x' }))
        .status,
    ).toBe(404);

    const manual = await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline?manual=true`);
    expect(manual.body.map((e) => e.data.text)).toEqual([
      'Familie gebeld; de klas wordt morgen ingelicht',
      'Crisisteam compleet',
      'Correctie: de familie belde zelf',
    ]);
    const csv = await leader.get(`/api/incidents/${incident.id}/timeline?format=csv&manual=true`);
    expect(csv.text.trim().split('\r\n')).toHaveLength(4);
    expect(csv.text).toContain('Crisisteam compleet');
    expect((await leader.get<TimelineVerification>(`/api/incidents/${incident.id}/timeline/verify`)).body.valid).toBe(
      true,
    );
  });
});
