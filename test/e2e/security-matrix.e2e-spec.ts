import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AgreementsView,
  AnnouncementView,
  IncidentView,
  MessageView,
  PartyContactView,
  PressDeskView,
  TaskView,
  TimelineEntryView,
} from '#lib/contracts';
import { DEMO_PEOPLE, DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { waitFor } from '../support/wait.js';
import {
  bodyFor,
  fillPath,
  operationsOf,
  prepareSchool,
  sample,
  type OpenApi,
  type SchoolObjects,
} from './support/openapi-walk.js';
import { Api, System } from './support/system.js';

/**
 * The security matrix of RELIABILITY.md §5.5 where the other walks leave gaps (the tenant walk is S1, the
 * bad-input walk the "never a 5xx" half of S7, accounts-and-sessions most of S3, S4 and S6):
 *
 * - S2, the role matrix: every operation of the OpenAPI document, called by each kind of person of the SAME
 *   school with the school's own ids. The table below says who may call what, as the controllers and the crisis
 *   plan decide it; a role without access must get 403, one with access must get past the check. The table has to
 *   name every operation of the document, so a new endpoint cannot slip past. Texts only the crisis team and
 *   management may read are planted first; a plain staff member never receives any of them (BOPLA).
 * - S7, what is stored: hostile text (SQL, HTML, right-to-left marks, emoji, combining characters) comes back
 *   byte for byte, the HTML exports and the printable report escape it, the app's scripts never turn text into
 *   markup; invalid state transitions are refused with a code and a Dutch message, and change nothing.
 * - S6, the rest of it: a lost phone's sessions end at once, refresh tokens included, and its push subscriptions
 *   are gone; the queue board's cookie dies with the session it came from.
 */

type Who = 'staff' | 'crisis' | 'assignee' | 'leader' | 'management' | 'admin' | 'board';
const EVERYONE: readonly Who[] = ['staff', 'crisis', 'assignee', 'leader', 'management', 'admin', 'board'];
/** INCIDENT_READ_ROLES (crisis_team, management, admin); board management is management at every school. */
const READERS: readonly Who[] = ['crisis', 'assignee', 'leader', 'management', 'admin', 'board'];
/** TRIGGER_ROLES: crisis_team and admin. */
const CRISIS_AND_ADMIN: readonly Who[] = ['crisis', 'assignee', 'leader', 'admin'];
/** Anyone who fills a role in the crisis plan (activation: the crisis team logs calls). */
const PLAN_PEOPLE: readonly Who[] = ['crisis', 'assignee', 'leader'];
/** The leader of the crisis plan (phases, closing, approvals, the press desk, the family, the legal chain). */
const LEADER: readonly Who[] = ['leader'];
/** A task: its assignee and the leader. */
const TASK_PEOPLE: readonly Who[] = ['assignee', 'leader'];
const ADMIN: readonly Who[] = ['admin'];
/** requireBoardManagement: management at every school of the board. */
const BOARD: readonly Who[] = ['board'];

type Rule = readonly Who[] | { skip: string };

/** Who may call what at their own school. `skip`: not called here, and why. */
const RULES: Record<string, Rule> = {
  'POST /api/auth/login': { skip: 'public (accounts-and-sessions)' },
  'POST /api/auth/otp': { skip: 'public (accounts-and-sessions)' },
  'POST /api/auth/refresh': { skip: 'public (accounts-and-sessions)' },
  'POST /api/auth/logout': { skip: 'ends the caller’s own session (accounts-and-sessions, and S6 below)' },
  'GET /api/me': EVERYONE,
  'GET /api/me/tasks': EVERYONE,
  'PUT /api/me/phone': EVERYONE,
  'GET /api/push/vapid-public-key': EVERYONE,
  'POST /api/push/subscriptions': EVERYONE,
  'DELETE /api/push/subscriptions': EVERYONE,
  'GET /api/protocols': EVERYONE,
  'GET /api/schools/{schoolId}/social-map': EVERYONE,
  // The walked announcement goes to the crisis team: not for staff (an all-staff one is, checked below).
  'GET /api/announcements/{id}': READERS,
  'POST /api/admin/queues/session': ADMIN,
  'GET /api/schools/{schoolId}/people': READERS,
  'POST /api/people/{personId}/revoke-sessions': ADMIN,
  'POST /api/schools/{schoolId}/people/import': ADMIN,
  // The walk disables the person it aims at (not a caller) and enables them again.
  'POST /api/schools/{schoolId}/people/{personId}/disable': ADMIN,
  'POST /api/schools/{schoolId}/people/{personId}/enable': ADMIN,
  'GET /api/schools/{schoolId}/plan': READERS,
  'PUT /api/schools/{schoolId}/plan': ADMIN,
  'POST /api/incidents/{id}/findings/{seq}/apply': ADMIN,
  'GET /api/boards/{boardId}/plan': BOARD,
  'PUT /api/boards/{boardId}/plan': BOARD,
  'GET /api/boards/{boardId}/retention': BOARD,
  'PUT /api/boards/{boardId}/retention': BOARD,
  'POST /api/incidents/{id}/erase-texts': BOARD,
  'POST /api/schools/{schoolId}/social-map': ADMIN,
  'POST /api/boards/{boardId}/social-map': BOARD,
  'PUT /api/social-map/{id}': ADMIN,
  'DELETE /api/social-map/{id}': ADMIN,
  'POST /api/incidents': CRISIS_AND_ADMIN,
  'GET /api/schools/{schoolId}/incidents': READERS,
  'GET /api/incidents/{id}': READERS,
  'POST /api/incidents/{id}/phase': LEADER,
  'POST /api/incidents/{id}/close': LEADER,
  'POST /api/incidents/{id}/cancel': LEADER,
  // The leader and the board liaison (none of the others here).
  'GET /api/incidents/{id}/legal-chain': LEADER,
  'POST /api/incidents/{id}/legal-chain/{step}': LEADER,
  'POST /api/incidents/{id}/log': READERS,
  'POST /api/incidents/{id}/findings': READERS,
  'GET /api/incidents/{id}/deliveries': READERS,
  'GET /api/incidents/{id}/timeline': READERS,
  'GET /api/incidents/{id}/report': READERS,
  'GET /api/incidents/{id}/timeline/verify': READERS,
  'GET /api/incidents/{id}/aftercare': READERS,
  'POST /api/incidents/{id}/aftercare': READERS,
  // And the item's owner (the care coordinator here; review-and-report checks a teacher who owns one).
  'GET /api/aftercare/{itemId}': READERS,
  'POST /api/aftercare/{itemId}': READERS,
  'POST /api/incidents/{id}/announcements': CRISIS_AND_ADMIN,
  'GET /api/incidents/{id}/announcements': READERS,
  'GET /api/incidents/{id}/messages': READERS,
  // Messages are written by the communication role and the leader, approved and returned by the leader.
  'POST /api/incidents/{id}/messages': LEADER,
  'GET /api/messages/{id}': READERS,
  'GET /api/messages/{id}/versions': READERS,
  'PUT /api/messages/{id}': LEADER,
  'POST /api/messages/{id}/submit': LEADER,
  'POST /api/messages/{id}/return': LEADER,
  'POST /api/messages/{id}/approve': LEADER,
  'POST /api/messages/{id}/family-approval': LEADER,
  'POST /api/messages/{id}/release': LEADER,
  'GET /api/messages/{id}/export': READERS,
  'GET /api/incidents/{id}/agreements': READERS,
  'PUT /api/incidents/{id}/agreements': LEADER,
  'POST /api/incidents/{id}/family-contacts': LEADER,
  'GET /api/incidents/{id}/press': READERS,
  'PUT /api/incidents/{id}/press/spokesperson': LEADER,
  'POST /api/incidents/{id}/press/entries': LEADER,
  'POST /api/incidents/{id}/press/entries/{entryId}/answer': LEADER,
  'POST /api/incidents/{id}/press/instruction': LEADER,
  'GET /api/incidents/{id}/social-map': READERS,
  'POST /api/incidents/{id}/social-map': CRISIS_AND_ADMIN,
  'GET /api/incidents/{id}/contacts': READERS,
  'POST /api/incidents/{id}/contacts': PLAN_PEOPLE,
  // The parties of a task, with the calls logged from it and the incident's own entries (the family's contact).
  'GET /api/tasks/{id}/parties': READERS,
  'POST /api/tasks/{id}/contacts': PLAN_PEOPLE,
  'POST /api/tasks/{id}/acknowledge': TASK_PEOPLE,
  'POST /api/tasks/{id}/complete': TASK_PEOPLE,
  'POST /api/tasks/{id}/not-applicable': TASK_PEOPLE,
  'POST /api/tasks/{id}/reassign': LEADER,
};

/** Crisis roles with no power beyond their own tasks: the walked task's assignee has one of these. */
const PLAIN_ROLES = ['logkeeper', 'secretariat', 'care-coordinator', 'external-adviser'];

/** Texts only the crisis team and management may read, planted before the walk. */
const MARK = {
  summary: 'GEHEIM-samenvatting-4b1e',
  log: 'GEHEIM-logboek-9c2d',
  familyNote: 'GEHEIM-familiegesprek-17aa',
  funeral: 'GEHEIM-uitvaart-2f60',
  press: 'GEHEIM-persvraag-8d31',
  familyContact: 'GEHEIM-contactfamilie-51c9',
  call: 'GEHEIM-gesprekpolitie-a7e4',
  team: 'GEHEIM-crisisteam-3e08',
  legal: 'GEHEIM-zedenmelding-6b5f',
  care: 'GEHEIM-nazorg-c0d2',
};

/** One line of hostile text: SQL, HTML that would run, RTL override, Arabic and Hebrew, emoji (ZWJ), astral, combining. */
const HOSTILE =
  `Robert'); DROP TABLE incident;-- <script>window.__xss=1</script><img src=x onerror="window.__xss=2"> ` +
  `& "aanhalingstekens" \u202Eرحبا\u202C שלום 🚨 👩‍👩‍👧 𝕏 e\u0301 Ünïcödé a\u200Bb %s \\x00 \\u0000`;
/** The same, over several lines (a message body keeps its line breaks). */
const HOSTILE_LINES = `${HOSTILE}\nregel 2: ' OR '1'='1\n\nalinea 2 </p><iframe src=javascript:alert(1)>`;

const escHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Refusal = { statusCode?: number; code?: string; message?: string; messageNl?: string; field?: string };

/** A refusal: the status and code, and a Dutch message beside the English one. */
function expectRefusal(res: { status: number; body: unknown }, status: number, code: string, what: string): void {
  const body = res.body as Refusal;
  expect({ what, status: res.status, code: body.code }).toEqual({ what, status, code });
  expect(typeof body.messageNl).toBe('string');
  expect(body.messageNl!.length).toBeGreaterThan(0);
  expect(body.messageNl).not.toBe(body.message);
}

describe('the security matrix (S2 roles and fields, S7 what is stored, S6 sessions)', () => {
  const school = DEMO_SCHOOLS[0]!;
  const domain = school.domain;
  let system: System;
  let doc: OpenApi;
  let own: SchoolObjects;
  let legalIncidentId: string;
  let spareIncidentId: string;
  let spareEntryId: string;
  let agreementsVersion: number;
  const callers = new Map<Who, Api>();
  const emails = new Map<Who, string>();
  const bodies = new Map<string, (who: Who) => unknown>();

  beforeAll(async () => {
    system = await System.start({ SMS_SENDS_PER_PERSON_PER_HOUR: '1000' });
    doc = (await (await fetch(`${system.baseUrl}/api/docs-json`)).json()) as OpenApi;
    own = await prepareSchool(system, school, { summary: `Oefening ${MARK.summary}` });
    // Not a caller: revoking sessions and naming a spokesperson aim at them.
    own.personId = demoPerson(`docent6@${domain}`).id;

    const leader = await system.login(`leider@${domain}`);
    const admin = await system.login(`beheer@${domain}`);
    const board = await system.login('bestuur@delinde.example');
    const incident = (await leader.get<IncidentView>(`/api/incidents/${own.incidentId}`)).body;
    const task = incident.tasks.find((t) => PLAIN_ROLES.includes(t.role) && t.assigneeId);
    expect(task).toBeDefined();
    own.taskId = task!.id;
    const assigneeEmail = DEMO_PEOPLE.find((p) => p.id === task!.assigneeId)!.email;
    for (const [who, email] of [
      ['staff', `docent@${domain}`],
      ['crisis', `bhv@${domain}`],
      ['assignee', assigneeEmail],
      ['management', `directie@${domain}`],
    ] as const) {
      emails.set(who, email);
      callers.set(who, await system.login(email));
    }
    callers.set('leader', leader);
    emails.set('leader', `leider@${domain}`);
    callers.set('admin', admin);
    emails.set('admin', `beheer@${domain}`);
    callers.set('board', board);
    emails.set('board', 'bestuur@delinde.example');

    const trigger = async (calamityType: string, summary: string) => {
      const res = await leader.post<IncidentView>('/api/incidents', {
        calamityType,
        schoolId: school.id,
        summary,
        drill: true,
        idempotencyKey: randomUUID(),
      });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    legalIncidentId = await trigger('sexual-misconduct-by-staff', 'Oefening zedenzaak');
    spareIncidentId = await trigger('death-of-pupil', 'Oefening om af te sluiten');
    spareEntryId = (
      await admin.post<{ id: string }>(`/api/schools/${school.id}/social-map`, {
        party: 'ggd-youth',
        name: 'GGD (om te verwijderen)',
        phone: '020 000 2222',
      })
    ).body.id;

    // The texts staff must never see.
    const inc = `/api/incidents/${own.incidentId}`;
    const planted = [
      await leader.post(`${inc}/log`, { text: `Familie gebeld ${MARK.log}` }),
      await leader.post(`${inc}/family-contacts`, {
        contactAt: new Date().toISOString(),
        note: `Moeder gesproken ${MARK.familyNote}`,
      }),
      await leader.request('PUT', `${inc}/agreements`, { expectedVersion: 0, funeral: `Besloten ${MARK.funeral}` }),
      await leader.post(`${inc}/press/entries`, { askedBy: 'Omroep', question: `Klopt het dat ${MARK.press}` }),
      await leader.post(`${inc}/social-map`, {
        party: 'funeral-contact',
        name: `Oom van de leerling ${MARK.familyContact}`,
        phone: '06 1234 5678',
      }),
      await callers.get('assignee')!.post(`/api/tasks/${own.taskId}/contacts`, {
        party: 'police-school-contact',
        outcome: `Wijkagent bevestigt ${MARK.call}`,
      }),
      await leader.post(`/api/incidents/${legalIncidentId}/legal-chain/reported-to-board`, {
        note: `Signaal van de mentor ${MARK.legal}`,
      }),
      await leader.post(`/api/aftercare/${own.itemId}`, { note: `Broertje op school ${MARK.care}` }),
    ];
    const team = await leader.post<AnnouncementView>(`${inc}/announcements`, {
      audience: 'crisis-team',
      text: `Overleg om 9:00 ${MARK.team}`,
    });
    planted.push(team);
    expect(planted.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
    own.announcementId = team.body.id;
    agreementsVersion = (await leader.get<AgreementsView>(`${inc}/agreements`)).body.version;

    // Bodies that must be right for the caller or the moment (else a refusal of the body hides the role check).
    const schoolPlan = (await admin.get<{ version: number; content: unknown }>(`/api/schools/${school.id}/plan`)).body;
    const boardPlanRes = await board.get<{ version: number; content: unknown }>(`/api/boards/${school.boardId}/plan`);
    let boardPlan = boardPlanRes.body;
    if (boardPlanRes.status === 404) {
      const made = await board.request<{ version: number; content: unknown }>(
        'PUT',
        `/api/boards/${school.boardId}/plan`,
        bodyFor('PUT', '/api/boards/{boardId}/plan', own),
      );
      expect(made.status).toBe(200);
      boardPlan = made.body;
    }
    const devices = new Map(EVERYONE.map((who) => [who, system.push.createSubscription().subscription]));
    const triggerKey = randomUUID();
    bodies.set('POST /api/incidents', () => ({
      calamityType: 'death-of-pupil',
      schoolId: school.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: triggerKey,
    }));
    // To one role, not to all staff: every message is an SMS to the people without push, and the walk sends many.
    bodies.set('POST /api/incidents/{id}/announcements', () => ({ audience: 'role', role: 'logkeeper', text: 'x' }));
    bodies.set('PUT /api/me/phone', (who) => ({ phone: demoPerson(emails.get(who)!).phone }));
    bodies.set('POST /api/push/subscriptions', (who) => devices.get(who));
    bodies.set('DELETE /api/push/subscriptions', (who) => ({ endpoint: devices.get(who)!.endpoint }));
    bodies.set('PUT /api/schools/{schoolId}/plan', () => ({
      content: schoolPlan.content,
      expectedVersion: schoolPlan.version,
    }));
    bodies.set('PUT /api/boards/{boardId}/plan', () => ({
      content: boardPlan.content,
      expectedVersion: boardPlan.version,
    }));
    bodies.set('PUT /api/incidents/{id}/agreements', () => ({
      expectedVersion: agreementsVersion,
      funeral: 'Besloten kring',
    }));
  }, 240_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  /** The objects an operation aims at: the legal chain needs its calamity, ending and erasing a spare incident. */
  function objectsFor(path: string): SchoolObjects {
    if (path.includes('/legal-chain')) {
      return { ...own, incidentId: legalIncidentId };
    }
    if (/\/(close|cancel|erase-texts)$/.test(path)) {
      return { ...own, incidentId: spareIncidentId };
    }
    return own;
  }

  async function call(
    who: Who,
    method: string,
    path: string,
    operation: OpenApi['paths'][string][string],
  ): Promise<{ status: number; text: string; body: Refusal }> {
    const key = `${method} ${path}`;
    const objects = key === 'DELETE /api/social-map/{id}' ? { ...own, entryId: spareEntryId } : objectsFor(path);
    const url = new URL(`${system.baseUrl}${fillPath(path, objects)}`);
    for (const p of operation.parameters ?? []) {
      if (p.in === 'query' && p.name === 'schoolId') {
        url.searchParams.set('schoolId', objects.schoolId);
      }
    }
    const schema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)
      ? (bodies.get(key)?.(who) ?? bodyFor(method, path, objects) ?? sample(schema, doc, objects) ?? {})
      : undefined;
    const res = await callers.get(who)!.request<Refusal>(method, url.pathname + url.search, body);
    return { status: res.status, text: res.text, body: res.body };
  }

  it('S2: every operation answers 403 to the roles the code keeps out, and lets in the ones it names; staff never receive the crisis team’s texts', async () => {
    const operations = operationsOf(doc);
    const documented = operations.map(({ method, path }) => `${method} ${path}`).sort();
    // The table names every operation of the document, and nothing that is not in it.
    expect(Object.keys(RULES).sort()).toEqual(documented);

    const problems: string[] = [];
    const received = new Map<Who, string[]>(EVERYONE.map((who) => [who, []]));
    const walked = operations.filter(({ method, path }) => !('skip' in RULES[`${method} ${path}`]!));
    // First everyone who may not (nothing changes, so they go side by side), then everyone who may.
    for (const { method, path, operation } of walked) {
      const allowed = RULES[`${method} ${path}`] as readonly Who[];
      const refused = EVERYONE.filter((w) => !allowed.includes(w));
      const answers = await Promise.all(refused.map((who) => call(who, method, path, operation)));
      for (const [i, res] of answers.entries()) {
        const who = refused[i]!;
        received.get(who)!.push(res.text);
        if (res.status !== 403) {
          problems.push(`${method} ${path} as ${who}: ${res.status} (want 403) ${res.text.slice(0, 160)}`);
        }
      }
    }
    let passed = 0;
    let allowedCalls = 0;
    for (const { method, path, operation } of walked) {
      const allowed = RULES[`${method} ${path}`] as readonly Who[];
      // Reads side by side, changes one at a time.
      const answers =
        method === 'GET' ? await Promise.all(allowed.map((who) => call(who, method, path, operation))) : [];
      for (const [i, who] of allowed.entries()) {
        const res = answers[i] ?? (await call(who, method, path, operation));
        received.get(who)!.push(res.text);
        allowedCalls += 1;
        if ([401, 403, 404].includes(res.status) || res.status >= 500) {
          problems.push(`${method} ${path} as ${who}: ${res.status} (want past the check) ${res.text.slice(0, 160)}`);
        } else if (res.status < 300) {
          passed += 1;
        }
      }
    }
    expect(problems).toEqual([]);
    // Most calls of the people who may are plain successes (the rest are 400/409 of the object's state).
    expect(passed / allowedCalls).toBeGreaterThan(0.8);

    // BOPLA: nothing staff received holds a text of the crisis team; the crisis team and management did get each
    // (so the planted texts were reachable and the scan is not empty).
    const staffText = received.get('staff')!.join('\n');
    const othersText = READERS.flatMap((who) => received.get(who)!).join('\n');
    for (const [name, marker] of Object.entries(MARK)) {
      expect({ name, toStaff: staffText.includes(marker) }).toEqual({ name, toStaff: false });
      expect({ name, toTheTeam: othersText.includes(marker) }).toEqual({ name, toTheTeam: true });
    }
    // Staff do read what is sent to all of them.
    const leader = callers.get('leader')!;
    const forAll = await leader.post<AnnouncementView>(`/api/incidents/${own.incidentId}/announcements`, {
      audience: 'all-staff',
      text: 'Personeel verzamelt om 8:15 in de aula',
    });
    expect(forAll.status).toBe(201);
    const read = await callers.get('staff')!.get<AnnouncementView>(`/api/announcements/${forAll.body.id}`);
    expect([read.status, read.body.text]).toEqual([200, 'Personeel verzamelt om 8:15 in de aula']);
  }, 240_000);

  it('S7: hostile text is stored byte for byte, escaped in every export, and never becomes markup in the app', async () => {
    const leader = callers.get('leader')!;
    const created = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId: school.id,
      summary: HOSTILE,
      drill: true,
      idempotencyKey: randomUUID(),
    });
    expect(created.status).toBe(201);
    const incident = created.body;
    const inc = `/api/incidents/${incident.id}`;
    const problems: string[] = [];
    const same = (what: string, got: unknown, want = HOSTILE) => {
      if (got !== want) {
        problems.push(`${what}: stored ${JSON.stringify(got)?.slice(0, 200)}`);
      }
    };
    same('incident summary', (await leader.get<IncidentView>(inc)).body.summary);

    const log = await leader.post<TimelineEntryView>(`${inc}/log`, { text: HOSTILE });
    const finding = await leader.post<TimelineEntryView>(`${inc}/findings`, { kind: 'improve', text: HOSTILE });
    expect([log.status, finding.status]).toEqual([201, 201]);
    const timeline = (await leader.get<TimelineEntryView[]>(`${inc}/timeline`)).body;
    same('log entry', timeline.find((e) => e.seq === log.body.seq)?.data.text);
    same('finding', timeline.find((e) => e.seq === finding.body.seq)?.data.text);

    const announcement = await leader.post<AnnouncementView>(`${inc}/announcements`, {
      audience: 'role',
      role: 'logkeeper',
      text: HOSTILE,
    });
    same('announcement', (await leader.get<AnnouncementView>(`/api/announcements/${announcement.body.id}`)).body.text);

    const task = incident.tasks.find((t) => t.role === 'leader')!;
    const done = await leader.post<TaskView>(`/api/tasks/${task.id}/complete`, { note: HOSTILE });
    expect(done.status).toBe(200);
    same('task note', (await leader.get<IncidentView>(inc)).body.tasks.find((t) => t.id === task.id)?.note);

    await leader.post(`${inc}/press/entries`, { askedBy: HOSTILE, question: HOSTILE });
    const desk = (await leader.get<PressDeskView>(`${inc}/press`)).body;
    same('press question', desk.entries[0]?.question);
    same('press asker', desk.entries[0]?.askedBy);

    await leader.post(`${inc}/family-contacts`, { contactAt: new Date().toISOString(), note: HOSTILE });
    await leader.request('PUT', `${inc}/agreements`, { expectedVersion: 0, mayShare: HOSTILE });
    const agreements = (await leader.get<AgreementsView>(`${inc}/agreements`)).body;
    same('agreement', agreements.mayShare);
    same('family contact', agreements.contacts[0]?.note);

    await leader.post(`${inc}/contacts`, { party: 'police-school-contact', outcome: HOSTILE });
    same('call outcome', (await leader.get<PartyContactView[]>(`${inc}/contacts`)).body[0]?.outcome);

    const core = await leader.post<MessageView>(`${inc}/messages`, { audience: 'core', facts: {} });
    const title = HOSTILE.slice(0, 190);
    const revised = await leader.request<MessageView>('PUT', `/api/messages/${core.body.id}`, {
      expectedVersion: core.body.version,
      title,
      body: HOSTILE_LINES,
    });
    expect(revised.status).toBe(200);
    const message = (await leader.get<MessageView>(`/api/messages/${core.body.id}`)).body;
    same('message title', message.title, title);
    same('message body', message.body, HOSTILE_LINES);
    const approved = await leader.post<MessageView>(`/api/messages/${core.body.id}/approve`, {
      version: message.version,
    });
    expect([approved.status, approved.body.state]).toEqual([200, 'approved']);
    same(
      'message export (text)',
      (await leader.get(`/api/messages/${core.body.id}/export?format=text`)).text,
      `${title}\n\n${HOSTILE_LINES}\n`,
    );
    expect(problems).toEqual([]);

    // The HTML a school pastes or prints, and the printable evaluation report: the text escaped, never markup.
    const pages = {
      'message html': await leader.get(`/api/messages/${core.body.id}/export?format=html`),
      'message print': await leader.get(`/api/messages/${core.body.id}/export?format=print`),
      report: await leader.get(`${inc}/report?format=html`),
    };
    for (const [what, page] of Object.entries(pages)) {
      expect({ what, status: page.status }).toEqual({ what, status: 200 });
      // No element the text could open, and no tag with an event handler or a javascript: URL in it.
      const markup = /<(script|img|iframe)\b|<[^>]*\bon[a-z]+\s*=|<[^>]*javascript:/i.exec(page.text)?.[0];
      expect({ what, markup }).toEqual({ what, markup: undefined });
    }
    expect(pages['message html'].text).toContain(`<h1>${escHtml(title)}</h1>`);
    expect(pages['message print'].text).toContain(escHtml(HOSTILE_LINES.split('\n')[1]!));
    expect(pages.report.text).toContain(`<p>${escHtml(HOSTILE)}</p>`);
    expect(pages.report.text).toContain(escHtml(HOSTILE));

    // Characters PostgreSQL or UTF-8 cannot hold are refused, never stored changed.
    for (const [what, text] of [
      ['NUL', 'voor\u0000na'],
      ['lone surrogate', 'voor\uD800na'],
    ] as const) {
      const res = await leader.post<TimelineEntryView & Refusal>(`${inc}/log`, { text });
      if (res.status === 201) {
        const back = (await leader.get<TimelineEntryView[]>(`${inc}/timeline`)).body.find(
          (e) => e.seq === res.body.seq,
        );
        expect({ what, stored: back?.data.text }).toEqual({ what, stored: text });
      } else {
        expect({ what, status: res.status, field: res.body.field }).toEqual({ what, status: 400, field: 'text' });
        expect(res.body.messageNl?.length).toBeGreaterThan(0);
      }
    }
    expect((await leader.get<{ valid: boolean }>(`${inc}/timeline/verify`)).body.valid).toBe(true);

    // The management timeline is drawn by the app's own scripts: they set text, never HTML, and the page may run
    // no inline script at all.
    const shell = await fetch(`${system.baseUrl}/app/incidents/${incident.id}/timeline`);
    expect(shell.status).toBe(200);
    const csp = shell.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    const webRoot = join(process.cwd(), 'apps', 'gateway', 'web');
    const scripts = (readdirSync(join(webRoot, 'js'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.js'))
      .map((f) => `/js/${f.split('\\').join('/')}`);
    scripts.push('/sw.js');
    expect(scripts).toContain('/js/screens/timeline.js');
    for (const script of scripts) {
      const res = await fetch(`${system.baseUrl}${script}`);
      expect({ script, status: res.status }).toEqual({ script, status: 200 });
      const source = await res.text();
      expect({
        script,
        sink: /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(/.exec(
          source,
        )?.[0],
      }).toEqual({ script, sink: undefined });
    }
  }, 120_000);

  it('S7: invalid state transitions are refused with a code and a Dutch message, and nothing changes', async () => {
    const leader = callers.get('leader')!;
    const incident = (
      await leader.post<IncidentView>('/api/incidents', {
        calamityType: 'death-of-pupil',
        schoolId: school.id,
        summary: 'Oefening overgangen',
        drill: true,
        idempotencyKey: randomUUID(),
      })
    ).body;
    const inc = `/api/incidents/${incident.id}`;

    // A task that is done stays done.
    const [task, other] = incident.tasks;
    expect((await leader.post<TaskView>(`/api/tasks/${task!.id}/complete`, { note: 'Gedaan' })).status).toBe(200);
    const taskNow = async () => (await leader.get<IncidentView>(inc)).body.tasks.find((t) => t.id === task!.id)!;
    const before = await taskNow();
    expectRefusal(await leader.post(`/api/tasks/${task!.id}/acknowledge`, {}), 409, 'INVALID_TRANSITION', 'ack done');
    expectRefusal(
      await leader.post(`/api/tasks/${task!.id}/not-applicable`, { reason: 'Toch niet' }),
      409,
      'INVALID_TRANSITION',
      'dismiss done',
    );
    expectRefusal(
      await leader.post(`/api/tasks/${task!.id}/reassign`, { assigneeId: demoPerson(`bhv@${domain}`).id }),
      409,
      'INVALID_TRANSITION',
      'reassign done',
    );
    expect(await taskNow()).toEqual(before);

    // Messages: a draft cannot be sent back or released; a released one cannot be approved, submitted, sent back
    // or released again.
    const core = (await leader.post<MessageView>(`${inc}/messages`, { audience: 'core', facts: {} })).body;
    const plain = { title: 'Kernboodschap', body: 'Wij zijn geschokt door het bericht.' };
    const coreV2 = (
      await leader.request<MessageView>('PUT', `/api/messages/${core.id}`, { expectedVersion: core.version, ...plain })
    ).body;
    expectRefusal(
      await leader.post(`/api/messages/${core.id}/return`, { version: coreV2.version, reason: 'x' }),
      409,
      'INVALID_STATE',
      'return a draft',
    );
    expect((await leader.post(`/api/messages/${core.id}/approve`, { version: coreV2.version })).status).toBe(200);
    const drafted = (await leader.post<MessageView>(`${inc}/messages`, { audience: 'staff-briefing' })).body;
    const briefing = (
      await leader.request<MessageView>('PUT', `/api/messages/${drafted.id}`, {
        expectedVersion: drafted.version,
        ...plain,
      })
    ).body;
    const v = { version: briefing.version };
    expectRefusal(await leader.post(`/api/messages/${briefing.id}/release`, v), 409, 'NOT_APPROVED', 'release draft');
    expect((await leader.get<MessageView>(`/api/messages/${briefing.id}`)).body.state).toBe('draft');
    expect((await leader.post(`/api/messages/${briefing.id}/approve`, v)).status).toBe(200);
    expect((await leader.post(`/api/messages/${briefing.id}/release`, v)).status).toBe(200);
    const released = (await leader.get<MessageView>(`/api/messages/${briefing.id}`)).body;
    const versions = (await leader.get<unknown[]>(`/api/messages/${briefing.id}/versions`)).body.length;
    expect(released.state).toBe('released');
    expectRefusal(
      await leader.post(`/api/messages/${briefing.id}/release`, v),
      409,
      'ALREADY_RELEASED',
      'release twice',
    );
    expectRefusal(
      await leader.post(`/api/messages/${briefing.id}/approve`, v),
      409,
      'INVALID_STATE',
      'approve released',
    );
    expectRefusal(await leader.post(`/api/messages/${briefing.id}/submit`, v), 409, 'INVALID_STATE', 'submit released');
    expectRefusal(
      await leader.post(`/api/messages/${briefing.id}/return`, { ...v, reason: 'Toch anders' }),
      409,
      'INVALID_STATE',
      'return released',
    );
    expect((await leader.get<MessageView>(`/api/messages/${briefing.id}`)).body).toEqual(released);
    expect((await leader.get<unknown[]>(`/api/messages/${briefing.id}/versions`)).body).toHaveLength(versions);

    // The legal chain records a step once.
    const chain = `/api/incidents/${legalIncidentId}/legal-chain`;
    const chainBefore = (await leader.get(chain)).body;
    expectRefusal(
      await leader.post(`${chain}/reported-to-board`, { note: 'Nog een keer' }),
      409,
      'ALREADY_RECORDED',
      'legal step twice',
    );
    expect((await leader.get(chain)).body).toEqual(chainBefore);

    // An incident closed after its evaluation does not close, cancel or move again, and takes no more entries.
    expect((await leader.post(`${inc}/phase`, { phase: 'evaluation' })).status).toBe(200);
    const closed = await leader.post<IncidentView>(`${inc}/close`, {});
    expect([closed.status, closed.body.status]).toEqual([200, 'closed']);
    const { tasks: _tasks, membership: _m, ...closedIncident } = closed.body as IncidentView & { membership?: unknown };
    const refusals = [
      [await leader.post(`${inc}/close`, { reason: 'Nog eens' }), 409, 'INVALID_TRANSITION', 'close closed'],
      [await leader.post(`${inc}/cancel`, { reason: 'Loos alarm' }), 409, 'INVALID_TRANSITION', 'cancel closed'],
      [await leader.post(`${inc}/phase`, { phase: 5 }), 409, 'INVALID_TRANSITION', 'phase of closed'],
      [await leader.post(`${inc}/log`, { text: 'Te laat' }), 409, 'INCIDENT_CLOSED', 'log on closed'],
      [
        await leader.post(`${inc}/announcements`, { audience: 'all-staff', text: 'Te laat' }),
        409,
        'INCIDENT_CLOSED',
        'announce on closed',
      ],
      [await leader.post(`/api/tasks/${other!.id}/acknowledge`, {}), 409, 'INCIDENT_CLOSED', 'task of closed'],
    ] as const;
    for (const [res, status, code, what] of refusals) {
      expectRefusal(res, status, code, what);
    }
    const {
      tasks: afterTasks,
      membership: _membership,
      ...after
    } = (await leader.get<IncidentView & { membership?: unknown }>(inc)).body;
    expect(after).toEqual(closedIncident);
    // The refused acknowledgement changed nothing. (A push sent before the close may still report the task
    // "notified" meanwhile: that is delivery catching up, not the refused call.)
    const taskAfter = afterTasks.find((t) => t.id === other!.id)!;
    expect(taskAfter.acknowledgedAt).toBe(closed.body.tasks.find((t) => t.id === other!.id)!.acknowledgedAt);
    expect(taskAfter.status).not.toBe('acknowledged');
    const lifecycle = await waitFor(
      async () => {
        const entries = (await leader.get<TimelineEntryView[]>(`${inc}/timeline`)).body;
        return entries.some((e) => e.type === 'crisis.incident.closed.v1') ? entries : undefined;
      },
      { timeoutMs: 20_000, message: 'the close on the timeline' },
    );
    expect(lifecycle.filter((e) => e.type === 'crisis.incident.closed.v1')).toHaveLength(1);
    expect(lifecycle.filter((e) => e.type === 'crisis.incident.cancelled.v1')).toHaveLength(0);
  }, 120_000);

  it('S6: a lost phone’s sessions end at once, refresh tokens and devices included; the queue board’s cookie dies with its session', async () => {
    const person = demoPerson(`docent5@${domain}`);
    const admin = await system.login(`beheer@${domain}`);
    const phone = await system.loginTokens(person.email);
    const laptop = await system.loginTokens(person.email);
    const apis = [phone, laptop].map((t) => new Api(system.baseUrl, t.accessToken));
    for (const api of apis) {
      expect((await api.post('/api/push/subscriptions', system.push.createSubscription().subscription)).status).toBe(
        201,
      );
    }
    const revoked = await admin.post(`/api/people/${person.id}/revoke-sessions`, {});
    expect([revoked.status, revoked.body]).toEqual([200, { revokedSessions: 2, removedDevices: 2 }]);
    for (const api of apis) {
      expect((await api.get('/api/me')).status).toBe(401);
      expect((await api.get(`/api/schools/${school.id}/social-map`)).status).toBe(401);
      expect((await api.post('/api/push/subscriptions', system.push.createSubscription().subscription)).status).toBe(
        401,
      );
    }
    for (const { refreshToken } of [phone, laptop]) {
      const res = await fetch(`${system.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      expect([res.status, ((await res.json()) as Refusal).code]).toEqual([401, 'SESSION_ENDED']);
    }
    // The devices are gone, not just unreachable: a second revoke finds nothing left.
    const again = await admin.post(`/api/people/${person.id}/revoke-sessions`, {});
    expect(again.body).toEqual({ revokedSessions: 0, removedDevices: 0 });
    // Revoking is not a lockout: the person logs in again on a new phone.
    expect((await (await system.login(person.email)).get('/api/me')).status).toBe(200);

    // The queue board takes its cookie from an admin's access token: logout and a revoke must end it too.
    const board = `${system.baseUrl}/admin/queues`;
    const openBoard = async (api: Api) => {
      const res = await fetch(`${system.baseUrl}/api/admin/queues/session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(res.status).toBe(204);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(board, { headers: { cookie } })).status).toBe(200);
      return cookie;
    };
    const loggedOut = await system.login(`beheer@${domain}`);
    const cookie = await openBoard(loggedOut);
    expect((await loggedOut.request('POST', '/api/auth/logout', {})).status).toBe(204);
    expect((await fetch(board, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(board, { headers: { authorization: `Bearer ${loggedOut.token}` } })).status).toBe(401);

    const lostPhone = await system.login(`beheer@${domain}`);
    const lostCookie = await openBoard(lostPhone);
    const self = demoPerson(`beheer@${domain}`).id;
    expect((await admin.post(`/api/people/${self}/revoke-sessions`, {})).status).toBe(200);
    expect((await fetch(board, { headers: { cookie: lostCookie } })).status).toBe(401);
  }, 120_000);
});
