import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type {
  AnnouncementView,
  EvaluationReport,
  IncidentView,
  MessageView,
  PartyContactView,
  SocialMapEntryView,
  SocialMapView,
  TimelineEntryView,
} from '#lib/contracts';
import { demoPerson } from '#lib/demo';
import { waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

type Refusal = { statusCode: number; code: string; field?: string; message: string; messageNl: string };

/**
 * Crisis communication over the gateway with all four apps as processes: the core message is drafted and approved,
 * the staff briefing derived and released (staff get a link-only notification), the parent letter derived, refused
 * before the family agreed, then approved and exported; every step on the timeline. And the sociale kaart: a call
 * logged in one tap from a task.
 */
describe('crisis communication and the sociale kaart', () => {
  let system: System;
  let leader: Api;
  let writer: Api;
  let liaison: Api;
  let docent: Api;
  let incident: IncidentView;
  let device: ReturnType<System['push']['createSubscription']>;
  const pupil = 'Sanne de Wit';
  const facts = {
    what: `${pupil} uit groep 7 is gisteravond overleden na een verkeersongeluk.`,
    where: 'de Dorpsstraat',
    when: 'dinsdagavond 27 november',
    who: pupil,
    actions: 'De klas wordt vandaag opgevangen door de eigen leerkracht en de intern begeleider.',
    contact: 'de directeur, via de administratie',
    help: 'de intern begeleider en de GGD',
  };
  const leaderPerson = demoPerson('leider@deregenboog.example');

  const timeline = async () =>
    (await leader.get<TimelineEntryView[]>(`/api/incidents/${incident.id}/timeline`)).body.filter((e) =>
      /^crisis\.(message|communication|press|party|announcement)\./.test(e.type),
    );

  beforeAll(async () => {
    system = await System.start();
    leader = await system.login(leaderPerson.email);
    writer = await system.login('communicatie@deregenboog.example');
    liaison = await system.login('familiecontact@deregenboog.example');
    docent = await system.login('docent@deregenboog.example');
    device = system.push.createSubscription();
    expect((await docent.post('/api/push/subscriptions', device.subscription)).status).toBe(201);
    const me = await leader.get<{ memberships: { schoolId: string }[] }>('/api/me');
    const trigger = await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId: me.body.memberships[0]!.schoolId,
      summary: `${pupil} is overleden`,
      drill: false,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(trigger.status).toBe(201);
    incident = trigger.body;
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('drafts and approves the core message, releases the staff briefing, and holds the parent letter for the family', async () => {
    // The core message, drafted by the communication role from the catalog's template for a death.
    const core = await writer.post<MessageView>(`/api/incidents/${incident.id}/messages`, { audience: 'core', facts });
    expect(core.status).toBe(201);
    expect(core.body).toMatchObject({ audience: 'core', state: 'draft', version: 1, unfilled: [] });
    expect(core.body.body).toContain(`Met grote verslagenheid hebben wij vernomen dat ${pupil} is overleden.`);
    expect((await docent.post(`/api/incidents/${incident.id}/messages`, { audience: 'core' })).status).toBe(403);
    const approvedCore = await leader.post<MessageView>(`/api/messages/${core.body.id}/approve`, { version: 1 });
    expect([approvedCore.status, approvedCore.body.state]).toEqual([200, 'approved']);

    // The staff briefing starts from the approved core message and goes out in the app.
    const briefing = await writer.post<MessageView>(`/api/incidents/${incident.id}/messages`, {
      audience: 'staff-briefing',
    });
    expect(briefing.status).toBe(201);
    expect(briefing.body).toMatchObject({ basedOnCoreVersion: 1, releaseKind: 'app' });
    expect(briefing.body.body).toContain(facts.actions);
    expect((await writer.post(`/api/messages/${briefing.body.id}/approve`, { version: 1 })).status).toBe(403);
    expect((await leader.post(`/api/messages/${briefing.body.id}/approve`, { version: 1 })).status).toBe(200);
    const released = await writer.post<MessageView>(`/api/messages/${briefing.body.id}/release`, { version: 1 });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ state: 'released', release: { via: 'app', version: 1 } });
    expect(released.body.release!.recipients).toBeGreaterThan(10);
    const [push] = await system.push.waitFor(
      (p) => p.subscriptionId === device.id && (p.json as { kind?: string }).kind === 'announcement',
      20_000,
    );
    const link = push!.json as { announcementId: string; url: string };
    expect(link.url).toBe(`${system.baseUrl}/app/announcements/${link.announcementId}`);
    expect(push!.payload).not.toContain('Sanne');
    expect(push!.payload).not.toContain('overleden');
    const read = await docent.get<AnnouncementView>(`/api/announcements/${link.announcementId}`);
    expect(read.status).toBe(200);
    expect(read.body.text).toContain(facts.actions);

    // The parent letter: the family must agree before it may go out.
    const letter = await writer.post<MessageView>(`/api/incidents/${incident.id}/messages`, {
      audience: 'parent-letter',
    });
    expect(letter.body.familyApproval).toMatchObject({ required: true, reasons: ['protocol'] });
    expect((await writer.get(`/api/messages/${letter.body.id}/export`)).status).toBe(409);
    const waiting = await leader.post<MessageView>(`/api/messages/${letter.body.id}/approve`, { version: 1 });
    expect(waiting.body.state).toBe('awaiting_family');
    const refused = await writer.post<Refusal>(`/api/messages/${letter.body.id}/release`, {
      version: 1,
      channel: 'parent-portal',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'FAMILY_APPROVAL_REQUIRED',
      messageNl: 'De familie heeft nog niet ingestemd met deze versie: hij kan niet worden vrijgegeven',
    });
    const agreed = await liaison.post<MessageView>(`/api/messages/${letter.body.id}/family-approval`, {
      version: 1,
      note: 'Ouders akkoord met de tekst, telefonisch 15:10',
    });
    expect([agreed.status, agreed.body.state]).toEqual([200, 'approved']);

    const text = await writer.get(`/api/messages/${letter.body.id}/export?format=text`);
    expect(text.status).toBe(200);
    expect(text.text.startsWith('Aan de ouders en verzorgers van leerlingen van De Regenboog\n\nBeste ouders')).toBe(
      true,
    );
    const html = await writer.get(`/api/messages/${letter.body.id}/export?format=html`);
    expect(html.text).toContain('<h1>Aan de ouders en verzorgers van leerlingen van De Regenboog</h1>');
    const print = await writer.get(`/api/messages/${letter.body.id}/export?format=print`);
    expect(print.text).toContain('<!doctype html>');
    expect(print.text).toContain('Versie 1, goedgekeurd');
    const sent = await writer.post<MessageView>(`/api/messages/${letter.body.id}/release`, {
      version: 1,
      channel: 'parent-portal',
      note: 'Via Social Schools',
    });
    expect(sent.body).toMatchObject({ state: 'released', release: { via: 'export', channel: 'parent-portal' } });

    // Every step is on the timeline: what was said, to whom, when, and who approved it.
    await waitFor(async () => (await timeline()).filter((e) => e.type === 'crisis.message.released.v1').length === 2, {
      timeoutMs: 20_000,
      message: 'both releases on the timeline',
    });
    const entries = await timeline();
    const ofLetter = entries.filter((e) => e.data.messageId === letter.body.id);
    expect(ofLetter.map((e) => e.type)).toEqual([
      'crisis.message.drafted.v1',
      'crisis.message.approved.v1',
      'crisis.message.family-approved.v1',
      'crisis.message.released.v1',
    ]);
    expect(ofLetter[1]!.data).toMatchObject({ awaitingFamily: true, version: 1 });
    expect(ofLetter[3]!.data).toMatchObject({ channel: 'parent-portal', via: 'export' });
    const approvals = entries.filter((e) => e.type === 'crisis.message.approved.v1');
    expect(approvals).toHaveLength(3);
    expect(approvals.every((e) => e.actor === leaderPerson.id)).toBe(true);
    expect(String(approvals[0]!.data.text)).toContain(facts.what);
    expect(entries.some((e) => e.type === 'crisis.announcement.sent.v1')).toBe(true);
    expect((await leader.get<{ valid: boolean }>(`/api/incidents/${incident.id}/timeline/verify`)).body.valid).toBe(
      true,
    );
    const report = await leader.get<EvaluationReport>(`/api/incidents/${incident.id}/report`);
    expect(report.body.communication.messages.map((m) => [m.audience, m.channel])).toEqual([
      ['core', null],
      ['staff-briefing', 'app'],
      ['parent-letter', 'parent-portal'],
    ]);
    expect(report.body.milestones.find((m) => m.key === 'parents-informed')!.at).toBe(sent.body.release!.at);
  });

  it('refuses bad input naming the field, keeps what was stored, and hides messages from other schools', async () => {
    const list = await leader.get<MessageView[]>(`/api/incidents/${incident.id}/messages`);
    const core = list.body.find((m) => m.audience === 'core')!;
    const versions = async () => (await leader.get<unknown[]>(`/api/messages/${core.id}/versions`)).body.length;
    const before = await versions();
    for (const [path, method, body, field] of [
      [`/api/incidents/${incident.id}/messages`, 'POST', { audience: 'gossip' }, 'audience'],
      [`/api/incidents/${incident.id}/messages`, 'POST', { audience: 'core', extra: 1 }, 'extra'],
      [
        `/api/incidents/${incident.id}/messages`,
        'POST',
        { audience: 'core', facts: { what: 'x'.repeat(1001) } },
        'facts.what',
      ],
      [`/api/messages/${core.id}`, 'PUT', { expectedVersion: 1, body: '   ' }, 'body'],
      [`/api/messages/${core.id}`, 'PUT', { body: 'x' }, 'expectedVersion'],
      [`/api/messages/${core.id}/approve`, 'POST', { version: 'een' }, 'version'],
      [`/api/messages/${core.id}/release`, 'POST', { version: 1, channel: 'pigeon' }, 'channel'],
      [`/api/messages/not-an-id`, 'PUT', { expectedVersion: 1 }, 'id'],
    ] as const) {
      const res = await writer.request<Refusal>(method, path, body);
      expect({ path, field, status: res.status, got: res.body.field }).toEqual({
        path,
        field,
        status: 400,
        got: field,
      });
      expect(res.body.messageNl.length).toBeGreaterThan(0);
    }
    const stale = await writer.request<Refusal>('PUT', `/api/messages/${core.id}`, { expectedVersion: 9, body: 'x' });
    expect([stale.status, stale.body.code]).toEqual([409, 'STALE_VERSION']);
    const twice = await writer.post<Refusal>(`/api/incidents/${incident.id}/messages`, { audience: 'core' });
    expect([twice.status, twice.body.code]).toEqual([409, 'CORE_MESSAGE_EXISTS']);
    const coreRelease = await leader.post<Refusal>(`/api/messages/${core.id}/release`, { version: 1 });
    expect([coreRelease.status, coreRelease.body.code]).toEqual([409, 'NOT_RELEASABLE']);
    expect(await versions()).toBe(before);

    for (const email of ['leider@hetbaken.example', 'leider@horizoncollege.example']) {
      const other = await system.login(email);
      expect((await other.get(`/api/messages/${core.id}`)).status).toBe(404);
      expect((await other.get(`/api/incidents/${incident.id}/messages`)).status).toBe(404);
      expect((await other.post(`/api/messages/${core.id}/approve`, { version: 1 })).status).toBe(404);
    }
  });

  it('keeps the family agreements beside the drafts, and the press desk with its log and staff instruction', async () => {
    const saved = await liaison.request<{ version: number; mayShare: string }>(
      'PUT',
      `/api/incidents/${incident.id}/agreements`,
      { expectedVersion: 0, mayShare: 'Voornaam en klas; geen doodsoorzaak', photoConsent: false },
    );
    expect([saved.status, saved.body.version]).toEqual([200, 1]);
    const byWriter = await writer.request<Refusal>('PUT', `/api/incidents/${incident.id}/agreements`, {
      expectedVersion: 1,
      funeral: 'x',
    });
    expect([byWriter.status, byWriter.body.field]).toEqual([403, 'funeral']);
    const messages = (await leader.get<MessageView[]>(`/api/incidents/${incident.id}/messages`)).body;
    expect(messages.every((m) => m.agreements.mayShare === 'Voornaam en klas; geen doodsoorzaak')).toBe(true);

    const desk = await leader.get<{ spokespersonName: string; instruction: { nl: string } }>(
      `/api/incidents/${incident.id}/press`,
    );
    const spokesperson = demoPerson('woordvoerder@deregenboog.example');
    expect(desk.body.spokespersonName).toBe(spokesperson.name);
    expect(desk.body.instruction.nl).toContain(`woordvoerder van de school (${spokesperson.name})`);
    const press = await system.login(spokesperson.email);
    const entry = await press.post<{ entries: { askedBy: string }[] }>(`/api/incidents/${incident.id}/press/entries`, {
      askedBy: 'Omroep West, J. Jansen',
      question: 'Klopt het dat er een leerling is overleden?',
      answer: 'Wij verwijzen naar onze verklaring.',
    });
    expect(entry.status).toBe(201);
    expect(entry.body.entries.map((e) => e.askedBy)).toEqual(['Omroep West, J. Jansen']);
    const pushes = system.push.received.filter((p) => p.subscriptionId === device.id).length;
    const instruction = await leader.post<AnnouncementView>(`/api/incidents/${incident.id}/press/instruction`, {});
    expect(instruction.status).toBe(201);
    expect(instruction.body.text).toContain('verwijs door naar de woordvoerder');
    await system.push.waitFor((p) => p.subscriptionId === device.id, 20_000, pushes + 1);
    expect((await docent.post(`/api/incidents/${incident.id}/press/instruction`, {})).status).toBe(403);
    await waitFor(async () => (await timeline()).some((e) => e.type === 'crisis.press.entry-logged.v1'), {
      timeoutMs: 20_000,
      message: 'the press entry on the timeline',
    });
  });

  it('gives the sociale kaart, links a task to its parties, and logs a call from the task in one tap', async () => {
    const map = await leader.get<SocialMapView>(`/api/incidents/${incident.id}/social-map`);
    expect(map.status).toBe(200);
    const police = map.body.parties.find((p) => p.party === 'police-school-contact')!;
    expect(police.entries.map((e) => e.scope)).toEqual(['school', 'board', 'national']);
    expect(police.whenToCall.nl).toContain('overlijden');
    expect(map.body.parties.filter((p) => p.relevant).map((p) => p.party)).toEqual(['funeral-contact', 'ggd-youth']);

    const funeral = await liaison.post<SocialMapEntryView>(`/api/incidents/${incident.id}/social-map`, {
      party: 'funeral-contact',
      name: 'Uitvaartverzorging Van Dam, mevrouw De Boer',
      phone: '+31 20 000 7777',
    });
    expect(funeral.status).toBe(201);
    expect(funeral.body.telUri).toBe('tel:+31200007777');
    const task = incident.tasks.find((t) => t.templateId === 'death.funeral-and-condolence')!;
    const parties = await liaison.get<{ parties: SocialMapView['parties'] }>(`/api/tasks/${task.id}/parties`);
    expect(parties.body.parties.map((p) => p.party)).toEqual(['funeral-contact']);
    expect(parties.body.parties[0]!.entries[0]!.id).toBe(funeral.body.id);

    const contactId = randomUUID();
    const call = await liaison.post<PartyContactView>(`/api/tasks/${task.id}/contacts`, {
      party: 'funeral-contact',
      entryId: funeral.body.id,
      outcome: 'Uitvaart vrijdag 14:00; de klas is welkom',
      contactId,
    });
    expect(call.status).toBe(201);
    expect(call.body).toMatchObject({ taskId: task.id, party: 'funeral-contact' });
    const again = await liaison.post(`/api/tasks/${task.id}/contacts`, {
      party: 'funeral-contact',
      outcome: 'Uitvaart vrijdag 14:00; de klas is welkom',
      contactId,
    });
    expect(again.status).toBe(200);
    const bad = await liaison.post<Refusal>(`/api/tasks/${task.id}/contacts`, { party: 'bakker', outcome: 'x' });
    expect([bad.status, bad.body.field]).toEqual([400, 'party']);
    await waitFor(async () => (await timeline()).filter((e) => e.type === 'crisis.party.contacted.v1').length === 1, {
      timeoutMs: 20_000,
      message: 'the call on the timeline',
    });

    // A school's admin adds a local contact; staff cannot, and another school cannot touch it.
    const admin = await system.login('beheer@deregenboog.example');
    const schoolId = incident.schoolId;
    const local = await admin.post<SocialMapEntryView>(`/api/schools/${schoolId}/social-map`, {
      party: 'ggd-youth',
      name: 'Jeugdverpleegkundige van de school',
      phone: '06 0000 1234',
    });
    expect([local.status, local.body.scope]).toEqual([201, 'school']);
    expect(
      (await docent.post(`/api/schools/${schoolId}/social-map`, { party: 'ggd-youth', name: 'x', phone: '112' }))
        .status,
    ).toBe(403);
    const badPhone = await admin.post<Refusal>(`/api/schools/${schoolId}/social-map`, {
      party: 'ggd-youth',
      name: 'x',
      phone: 'bel de GGD',
    });
    expect([badPhone.status, badPhone.body.field]).toEqual([400, 'phone']);
    const otherAdmin = await system.login('beheer@horizoncollege.example');
    expect(
      (
        await otherAdmin.request('PUT', `/api/social-map/${local.body.id}`, {
          party: 'ggd-youth',
          name: 'x',
          phone: '112',
        })
      ).status,
    ).toBe(404);
    expect((await docent.get<SocialMapView>(`/api/schools/${schoolId}/social-map`)).status).toBe(200);
  });
  it('holds type-specific rules: after a suicide a confirmed checklist, after a threat what police and board agreed', async () => {
    const schoolId = incident.schoolId;
    const start = async (calamityType: string) =>
      (
        await leader.post<IncidentView>('/api/incidents', {
          calamityType,
          schoolId,
          summary: 'Oefening communicatie',
          drill: true,
          idempotencyKey: `e2e-${randomUUID()}`,
        })
      ).body;
    const suicide = await start('suicide');
    const core = (await writer.post<MessageView>(`/api/incidents/${suicide.id}/messages`, { audience: 'core', facts }))
      .body;
    expect(core.rules.checklist.map((c) => c.id)).toEqual([
      'no-method',
      'no-speculation',
      'peers-at-risk',
      'help-line',
    ]);
    expect(core.rules.guidance.map((g) => g.nl).join(' ')).toContain('nooit de methode');
    const partial = await leader.post<Refusal>(`/api/messages/${core.id}/approve`, {
      version: 1,
      checklist: ['no-method', 'no-speculation'],
    });
    expect(partial.status).toBe(400);
    expect(partial.body).toMatchObject({ code: 'CHECKLIST_INCOMPLETE', field: 'checklist' });
    expect(partial.body.messageNl).toContain('peers-at-risk, help-line');
    const approved = await leader.post<MessageView>(`/api/messages/${core.id}/approve`, {
      version: 1,
      checklist: core.rules.checklist.map((c) => c.id),
    });
    expect(approved.body.approval!.checklist).toEqual(core.rules.checklist.map((c) => c.id));
    const map = await leader.get<SocialMapView>(`/api/incidents/${suicide.id}/social-map`);
    expect(map.body.parties[0]!.party).toBe('suicide-prevention-113');

    const threat = await start('threat-or-violence');
    const threatCore = (
      await writer.post<MessageView>(`/api/incidents/${threat.id}/messages`, { audience: 'core', facts })
    ).body;
    expect(threatCore.body).toContain('zoals afgestemd met politie en bestuur');
    expect(threatCore.blockedBy.map((b) => b.code)).toEqual(['CLEARANCE_MISSING']);
    const early = await leader.post<Refusal>(`/api/messages/${threatCore.id}/approve`, { version: 1 });
    expect([early.status, early.body.code]).toEqual([409, 'CLEARANCE_MISSING']);
    const cleared = await leader.request('PUT', `/api/incidents/${threat.id}/agreements`, {
      expectedVersion: 0,
      policeAgreed: 'Politie: alleen dat er een melding is en dat de politie onderzoek doet.',
      boardAgreed: 'Bestuur: ouders vandaag informeren, geen namen.',
    });
    expect(cleared.status).toBe(200);
    const ok = await leader.post<MessageView>(`/api/messages/${threatCore.id}/approve`, { version: 1 });
    expect([ok.status, ok.body.state]).toEqual([200, 'approved']);
  });
});
