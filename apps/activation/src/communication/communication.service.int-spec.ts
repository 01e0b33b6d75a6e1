import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventSubject, type MessageAudience } from '#lib/contracts';
import { DEMO_SCHOOLS, demoId, demoPerson } from '#lib/demo';
import { InboxEntity, OutboxEntity, type OutboxRelayService } from '#lib/messaging';
import { TEST_CATALOG, TEST_SETTINGS } from '../../../../test/support/activation-catalog.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { rpcRefusal } from '../../../../test/support/rpc.js';
import { ACTIVATION_MIGRATIONS } from '../database/migrations.js';
import { IncidentEntity } from '../incident/incident.entity.js';
import { IncidentService } from '../incident/incident.service.js';
import { TaskEntity } from '../incident/task.entity.js';
import { DemoPlanSeeder } from '../plan/demo-plan.seeder.js';
import { PlanVersionEntity } from '../plan/plan-version.entity.js';
import { PlanService } from '../plan/plan.service.js';
import { DemoSocialMapSeeder } from '../social-map/demo-social-map.seeder.js';
import { PartyContactEntity, SocialMapEntryEntity } from '../social-map/social-map.entities.js';
import { SocialMapService } from '../social-map/social-map.service.js';
import { AgreementService } from './agreement.service.js';
import { COMMUNICATION_ENTITIES } from './communication.entities.js';
import { ERASED, ErasureService } from './erasure.service.js';
import { IncidentScope } from './incident-scope.js';
import { MessageService } from './message.service.js';
import { PressService } from './press.service.js';

describe('crisis communication (activation, real PostgreSQL)', () => {
  const schema = uniqueSchema('communication');
  const school = DEMO_SCHOOLS[0]!;
  const otherSchool = DEMO_SCHOOLS[2]!;
  const leader = demoPerson('leider@deregenboog.example');
  const writer = demoPerson('communicatie@deregenboog.example');
  const liaison = demoPerson('familiecontact@deregenboog.example');
  const care = demoPerson('zorg@deregenboog.example');
  const spokesperson = demoPerson('woordvoerder@deregenboog.example');
  const outsider = demoPerson('leider@horizoncollege.example');
  let dataSource: DataSource;
  let incidents: IncidentService;
  let messages: MessageService;
  let agreements: AgreementService;
  let press: PressService;
  let map: SocialMapService;

  const trigger = async (calamityType = 'death-of-pupil') =>
    (
      await incidents.trigger({
        calamityType,
        boardId: school.boardId,
        schoolId: school.id,
        summary: 'Overlijden leerling groep 7',
        drill: false,
        idempotencyKey: `key-${randomUUID()}`,
        actorId: leader.id,
        correlationId: 'corr',
      })
    ).incident;
  const scope = (actorId: string, schoolIds = [school.id]) => ({ actorId, schoolIds, correlationId: 'corr-comm' });
  const create = (incidentId: string, audience: MessageAudience, actorId = writer.id, facts = {}) =>
    messages.create({
      incidentId,
      messageId: randomUUID(),
      audience,
      language: 'nl',
      schoolName: school.name,
      facts,
      ...scope(actorId),
    });
  const events = async (incidentId: string) =>
    (await dataSource.getRepository(OutboxEntity).find({ order: { seq: 'ASC' } }))
      .map((row) => row.envelope)
      .filter((e) => e.incidentId === incidentId);
  const facts = {
    what: 'Een leerling van groep 7 is gisteravond overleden na een verkeersongeluk.',
    where: 'de Dorpsstraat',
    when: 'dinsdagavond',
    who: 'een leerling van groep 7',
    actions: 'De klas wordt opgevangen door de eigen leerkracht.',
    contact: 'de directeur',
    help: 'de intern begeleider',
  };

  /** An incident with an approved core message, as the leader left it. */
  async function withApprovedCore(calamityType = 'death-of-pupil') {
    const incident = await trigger(calamityType);
    const core = await create(incident.id, 'core', writer.id, facts);
    await messages.act({ messageId: core.id, action: 'approve', version: 1, ...scope(leader.id) });
    return incident;
  }

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [
        IncidentEntity,
        TaskEntity,
        PlanVersionEntity,
        ...COMMUNICATION_ENTITIES,
        SocialMapEntryEntity,
        PartyContactEntity,
        OutboxEntity,
        InboxEntity,
      ],
      ACTIVATION_MIGRATIONS,
    );
    await new DemoPlanSeeder(dataSource).seedIfEmpty();
    await new DemoSocialMapSeeder(dataSource).seedIfEmpty();
    const relay = { nudge: () => undefined } as unknown as OutboxRelayService;
    const plans = new PlanService(dataSource, TEST_CATALOG);
    const incidentScope = new IncidentScope(plans);
    incidents = new IncidentService(dataSource, relay, TEST_CATALOG, TEST_SETTINGS, plans);
    agreements = new AgreementService(dataSource, relay, incidentScope);
    messages = new MessageService(dataSource, TEST_CATALOG, relay, incidentScope, agreements);
    press = new PressService(dataSource, TEST_CATALOG, relay, incidentScope);
    map = new SocialMapService(dataSource, TEST_CATALOG, relay, incidentScope);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('keeps every version of the core message with its author; a stale edit and an outsider are refused', async () => {
    const incident = await trigger();
    expect(await rpcRefusal(create(incident.id, 'core', care.id))).toMatchObject({ statusCode: 403 });
    const v1 = await create(incident.id, 'core', writer.id, { what: facts.what });
    expect(v1).toMatchObject({ version: 1, state: 'draft', created: true });
    expect(v1.unfilled).toEqual(['who', 'where', 'when', 'actions', 'help', 'contact']);
    expect(await rpcRefusal(create(incident.id, 'core'))).toMatchObject({ code: 'CORE_MESSAGE_EXISTS' });
    expect(await rpcRefusal(create(incident.id, 'parent-letter'))).toMatchObject({
      statusCode: 409,
      code: 'CORE_MESSAGE_NOT_APPROVED',
    });
    expect(
      await rpcRefusal(messages.act({ messageId: v1.id, action: 'approve', version: 1, ...scope(leader.id) })),
    ).toMatchObject({ code: 'UNFILLED_PLACES', field: 'body' });

    const v2 = await messages.revise({ messageId: v1.id, expectedVersion: 1, facts, ...scope(leader.id) });
    expect(v2).toMatchObject({ version: 2, unfilled: [] });
    expect(v2.body).toContain('Met grote verslagenheid hebben wij vernomen dat een leerling van groep 7 is overleden');
    expect(
      await rpcRefusal(messages.revise({ messageId: v1.id, expectedVersion: 1, body: 'x', ...scope(writer.id) })),
    ).toMatchObject({ statusCode: 409, code: 'STALE_VERSION', field: 'expectedVersion' });
    await messages.revise({
      messageId: v1.id,
      expectedVersion: 2,
      body: `${v2.body}\nMorgen is er een ouderavond.`,
      ...scope(writer.id),
    });
    expect(
      (await messages.versions({ messageId: v1.id, schoolIds: [school.id] })).map((v) => [v.version, v.authorId]),
    ).toEqual([
      [1, writer.id],
      [2, leader.id],
      [3, writer.id],
    ]);
    expect(await rpcRefusal(messages.get({ messageId: v1.id, schoolIds: [otherSchool.id] }))).toMatchObject({
      statusCode: 404,
    });
    expect(
      await rpcRefusal(
        messages.revise({ messageId: v1.id, expectedVersion: 3, body: 'x', ...scope(outsider.id, [otherSchool.id]) }),
      ),
    ).toMatchObject({ statusCode: 404 });

    expect(
      await rpcRefusal(messages.act({ messageId: v1.id, action: 'approve', version: 3, ...scope(writer.id) })),
    ).toMatchObject({ statusCode: 403 });
    const approved = await messages.act({ messageId: v1.id, action: 'approve', version: 3, ...scope(leader.id) });
    expect(approved).toMatchObject({ state: 'approved', approval: { version: 3, by: leader.id } });
    const log = await events(incident.id);
    const drafted = log.filter((e) => e.type === EventSubject.MessageDrafted);
    expect(drafted.map((e) => (e.payload as { version: number }).version)).toEqual([1, 2, 3]);
    const approval = log.find((e) => e.type === EventSubject.MessageApproved)!;
    expect(approval).toMatchObject({
      actor: leader.id,
      payload: { version: 3, audience: 'core', awaitingFamily: false },
    });
    expect((approval.payload as { text: string }).text).toContain('Morgen is er een ouderavond.');
  });

  it('a parent letter after a death: leader approval, then the family, then release with its channel', async () => {
    const incident = await withApprovedCore();
    const letter = await create(incident.id, 'parent-letter');
    expect(letter).toMatchObject({
      basedOnCoreVersion: 1,
      coreVersionNow: 1,
      familyApproval: { required: true, reasons: ['protocol'] },
      releaseKind: 'export',
    });
    expect(letter.body).toContain('Met grote verslagenheid hebben wij vernomen');
    await messages.act({ messageId: letter.id, action: 'submit', version: 1, ...scope(writer.id) });
    const waiting = await messages.act({ messageId: letter.id, action: 'approve', version: 1, ...scope(leader.id) });
    expect(waiting.state).toBe('awaiting_family');
    const refused = await rpcRefusal(
      messages.act({
        messageId: letter.id,
        action: 'release',
        version: 1,
        channel: 'parent-portal',
        ...scope(leader.id),
      }),
    );
    expect(refused).toMatchObject({ statusCode: 409, code: 'FAMILY_APPROVAL_REQUIRED' });
    expect((await messages.get({ messageId: letter.id, schoolIds: [school.id] })).state).toBe('awaiting_family');
    expect(
      await rpcRefusal(
        messages.act({ messageId: letter.id, action: 'family-approve', version: 1, ...scope(writer.id) }),
      ),
    ).toMatchObject({ statusCode: 403 });
    const agreed = await messages.act({
      messageId: letter.id,
      action: 'family-approve',
      version: 1,
      note: 'Moeder akkoord, telefonisch',
      ...scope(liaison.id),
    });
    expect(agreed).toMatchObject({ state: 'approved', familyApproval: { approvedVersion: 1, approvedBy: liaison.id } });
    expect(
      await rpcRefusal(messages.act({ messageId: letter.id, action: 'release', version: 1, ...scope(writer.id) })),
    ).toMatchObject({ statusCode: 400, field: 'channel' });
    const released = await messages.act({
      messageId: letter.id,
      action: 'release',
      version: 1,
      channel: 'parent-portal',
      ...scope(writer.id),
    });
    expect(released).toMatchObject({
      state: 'released',
      release: { version: 1, via: 'export', channel: 'parent-portal' },
    });

    // A correction after release is a new version: the family must agree again before it goes out.
    const corrected = await messages.revise({
      messageId: letter.id,
      expectedVersion: 1,
      body: `${released.body}\nDe uitvaart is vrijdag.`,
      ...scope(writer.id),
    });
    expect(corrected).toMatchObject({ state: 'draft', version: 2, release: { version: 1 } });
    expect(corrected.blockedBy.map((b) => b.code)).toEqual(['FAMILY_APPROVAL_REQUIRED']);
    const types = (await events(incident.id)).map((e) => e.type).filter((t) => t.startsWith('crisis.message.'));
    expect(types).toEqual([
      EventSubject.MessageDrafted,
      EventSubject.MessageApproved,
      EventSubject.MessageDrafted,
      EventSubject.MessageSubmitted,
      EventSubject.MessageApproved,
      EventSubject.MessageFamilyApproved,
      EventSubject.MessageReleased,
      EventSubject.MessageDrafted,
    ]);
  });

  it('releases a staff briefing in the app to the recipients the gateway names', async () => {
    const incident = await withApprovedCore();
    const briefing = await create(incident.id, 'staff-briefing');
    expect(briefing.familyApproval.required).toBe(false);
    await messages.act({ messageId: briefing.id, action: 'approve', version: 1, ...scope(leader.id) });
    const staff = [demoPerson('docent@deregenboog.example').id, demoPerson('docent2@deregenboog.example').id];
    const released = await messages.act({
      messageId: briefing.id,
      action: 'release',
      version: 1,
      recipientIds: staff,
      ...scope(leader.id),
    });
    expect(released.release).toMatchObject({ via: 'app', channel: null, recipients: 2 });
    const event = (await events(incident.id)).find((e) => e.type === EventSubject.MessageReleased)!;
    expect(event.payload).toMatchObject({ via: 'app', recipientIds: staff, messageId: briefing.id });
    expect(
      await rpcRefusal(messages.act({ messageId: briefing.id, action: 'release', version: 1, ...scope(leader.id) })),
    ).toMatchObject({ code: 'ALREADY_RELEASED' });
  });

  it('keeps the agreements versioned, each part recorded by its own roles, shown beside every message', async () => {
    const incident = await withApprovedCore();
    const input = { incidentId: incident.id, ...scope(writer.id) };
    expect(await rpcRefusal(agreements.save({ ...input, expectedVersion: 0, mayShare: 'x' }))).toMatchObject({
      statusCode: 403,
      field: 'mayShare',
    });
    const first = await agreements.save({
      ...input,
      ...scope(liaison.id),
      expectedVersion: 0,
      mayShare: 'Alleen de voornaam, geen doodsoorzaak',
      photoConsent: false,
      funeral: 'Vrijdag 14:00, besloten',
    });
    expect(first).toMatchObject({ version: 1, photoConsent: false, updatedBy: liaison.id });
    expect(
      await rpcRefusal(agreements.save({ ...input, ...scope(liaison.id), expectedVersion: 0, condolence: 'x' })),
    ).toMatchObject({ statusCode: 409, code: 'STALE_VERSION' });
    await agreements.logFamilyContact({
      incidentId: incident.id,
      contactId: randomUUID(),
      contactAt: new Date().toISOString(),
      note: 'Huisbezoek, 16:00',
      ...scope(liaison.id),
    });
    const letter = await create(incident.id, 'parent-letter');
    expect(letter.agreements).toMatchObject({ version: 1, mayShare: 'Alleen de voornaam, geen doodsoorzaak' });
    expect(letter.agreements.contacts).toHaveLength(1);
    const withPhoto = await messages.revise({
      messageId: letter.id,
      expectedVersion: 1,
      includesPhoto: true,
      ...scope(writer.id),
    });
    expect(
      await rpcRefusal(messages.act({ messageId: withPhoto.id, action: 'approve', version: 2, ...scope(leader.id) })),
    ).toMatchObject({ code: 'PHOTO_CONSENT_MISSING' });
    expect((await events(incident.id)).filter((e) => e.type === EventSubject.AgreementsUpdated)).toHaveLength(1);
  });

  it('records what police and board agreed by the leader or the board liaison only', async () => {
    const incident = await trigger('sexual-misconduct-by-staff');
    const board = demoPerson('bestuurscontact@deregenboog.example');
    expect(
      await rpcRefusal(
        agreements.save({ incidentId: incident.id, expectedVersion: 0, policeAgreed: 'x', ...scope(liaison.id) }),
      ),
    ).toMatchObject({ statusCode: 403, field: 'policeAgreed' });
    const saved = await agreements.save({
      incidentId: incident.id,
      expectedVersion: 0,
      policeAgreed: 'Politie: alleen dat er onderzoek loopt',
      boardAgreed: 'Bestuur: geen namen',
      ...scope(board.id),
    });
    expect(saved).toMatchObject({ version: 1, policeAgreed: 'Politie: alleen dat er onderzoek loopt' });
  });

  it('names the plan’s spokesperson, lets the leader change it, and logs the press by the right people only', async () => {
    const incident = await trigger();
    const desk = await press.get({ incidentId: incident.id, schoolIds: [school.id] });
    expect(desk.spokespersonId).toBe(spokesperson.id);
    expect(desk.instruction.nl).toContain('verwijs door naar de woordvoerder');
    expect(
      await rpcRefusal(press.setSpokesperson({ incidentId: incident.id, personId: writer.id, ...scope(writer.id) })),
    ).toMatchObject({ statusCode: 403 });
    expect(
      (await press.setSpokesperson({ incidentId: incident.id, personId: writer.id, ...scope(leader.id) }))
        .spokespersonId,
    ).toBe(writer.id);
    const entry = {
      incidentId: incident.id,
      entryId: randomUUID(),
      askedAt: new Date().toISOString(),
      askedBy: 'Omroep West',
      question: 'Klopt het dat er een leerling is overleden?',
      answer: 'Wij verwijzen naar onze verklaring.',
    };
    expect(await rpcRefusal(press.log({ ...entry, ...scope(care.id) }))).toMatchObject({ statusCode: 403 });
    await press.log({ ...entry, ...scope(spokesperson.id) });
    const again = await press.log({ ...entry, ...scope(spokesperson.id) });
    expect(again.entries).toHaveLength(1);
    expect(again.entries[0]).toMatchObject({ askedBy: 'Omroep West', answer: 'Wij verwijzen naar onze verklaring.' });
    // A question answered later: once, with the time of the answer.
    const open = await press.log({ ...entry, entryId: randomUUID(), answer: undefined, ...scope(leader.id) });
    const question = open.entries.find((e) => e.answer === null)!;
    expect(question.answeredAt).toBeNull();
    const answer = { incidentId: incident.id, entryId: question.id, answer: 'Morgen meer.' };
    expect(await rpcRefusal(press.answer({ ...answer, ...scope(care.id) }))).toMatchObject({ statusCode: 403 });
    const answered = await press.answer({ ...answer, ...scope(spokesperson.id) });
    expect(answered.entries.find((e) => e.id === question.id)).toMatchObject({ answer: 'Morgen meer.' });
    expect(answered.entries.find((e) => e.id === question.id)!.answeredAt).not.toBeNull();
    expect((await press.answer({ ...answer, ...scope(spokesperson.id) })).entries).toHaveLength(2);
    expect(
      await rpcRefusal(press.answer({ ...answer, answer: 'Iets anders', ...scope(spokesperson.id) })),
    ).toMatchObject({ statusCode: 409, code: 'ALREADY_ANSWERED' });
    const answeredEvents = (await events(incident.id)).filter((e) => e.type === EventSubject.PressEntryAnswered);
    expect(answeredEvents).toHaveLength(1);
  });

  it('gives the sociale kaart with national, board and school entries, links tasks to it, and logs calls once', async () => {
    const incident = await trigger();
    const view = await map.get({ schoolId: school.id, boardId: school.boardId, incidentId: incident.id });
    expect(view.parties[0]!.relevant).toBe(true);
    const police = view.parties.find((p) => p.party === 'police-school-contact')!;
    expect(police.entries.map((e) => e.scope)).toEqual(['school', 'board', 'national']);
    expect(police.entries[2]).toMatchObject({ phone: '0900-8844', telUri: 'tel:09008844' });
    const suicideLine = view.parties.find((p) => p.party === 'suicide-prevention-113')!;
    expect(suicideLine.entries.map((e) => e.telUri)).toEqual(['tel:08000113', 'tel:0203113888']);
    // Another board's entries never show.
    const horizon = await map.get({ schoolId: otherSchool.id, boardId: otherSchool.boardId });
    expect(horizon.parties.find((p) => p.party === 'police-school-contact')!.entries.map((e) => e.name)).not.toContain(
      `Wijkagent ${school.name} (demo)`,
    );

    const funeral = await map.save({
      entryId: randomUUID(),
      scope: 'incident',
      boardId: school.boardId,
      schoolId: school.id,
      incidentId: incident.id,
      entry: { party: 'funeral-contact', name: 'Uitvaartverzorger Van Dam', phone: '+31 20 000 9999' },
      actorId: leader.id,
    });
    expect(
      await rpcRefusal(
        map.save({
          entryId: randomUUID(),
          scope: 'school',
          boardId: school.boardId,
          schoolId: school.id,
          entry: { party: 'funeral-contact', name: 'x', phone: '112' },
          actorId: leader.id,
        }),
      ),
    ).toMatchObject({ statusCode: 400, field: 'party' });

    const task = (await dataSource.getRepository(TaskEntity).findBy({ incidentId: incident.id })).find(
      (t) => t.templateId === 'call-family',
    )!;
    const linked = await map.forTask({ taskId: task.id, schoolIds: [school.id] });
    expect(linked.parties.map((p) => p.party)).toEqual(['funeral-contact', 'police-school-contact']);
    expect(linked.parties[0]!.entries[0]).toMatchObject({ id: funeral.id, scope: 'incident' });

    const call = {
      contactId: randomUUID(),
      taskId: task.id,
      party: 'police-school-contact',
      entryId: demoId(`social-map:${school.id}:police`),
      outcome: 'Overlijden bevestigd door de wijkagent',
      ...scope(liaison.id),
    };
    expect(await map.logContact(call)).toMatchObject({ created: true, incidentId: incident.id, taskId: task.id });
    expect(await map.logContact(call)).toMatchObject({ created: false });
    expect(await rpcRefusal(map.logContact({ ...call, contactId: randomUUID(), entryId: funeral.id! }))).toMatchObject({
      field: 'entryId',
    });
    expect(
      await rpcRefusal(map.logContact({ ...call, contactId: randomUUID(), ...scope(outsider.id, [otherSchool.id]) })),
    ).toMatchObject({
      statusCode: 404,
    });
    expect((await map.forTask({ taskId: task.id, schoolIds: [school.id] })).contacts).toHaveLength(1);
    const contacted = (await events(incident.id)).filter((e) => e.type === EventSubject.PartyContacted);
    expect(contacted).toHaveLength(1);
    expect(contacted[0]!.payload).toMatchObject({ party: 'police-school-contact', taskId: task.id });
  });
  it('erases the incident’s personal texts once the retention passed, keeping who did what and when', async () => {
    const incident = await withApprovedCore();
    await agreements.save({
      incidentId: incident.id,
      expectedVersion: 0,
      mayShare: 'Alleen de voornaam',
      photoConsent: true,
      ...scope(liaison.id),
    });
    await press.log({
      incidentId: incident.id,
      entryId: randomUUID(),
      askedAt: new Date().toISOString(),
      askedBy: 'Omroep West',
      question: 'Hoe heette de leerling?',
      ...scope(leader.id),
    });
    const erasure = new ErasureService(dataSource);
    const first = await erasure.erase(incident.id);
    expect(first.erased).toBeGreaterThanOrEqual(5);
    const [core] = await messages.list({ incidentId: incident.id, schoolIds: [school.id] });
    expect(core).toMatchObject({
      title: ERASED,
      body: ERASED,
      facts: null,
      state: 'approved',
      approval: { version: 1 },
    });
    expect(
      (await messages.versions({ messageId: core!.id, schoolIds: [school.id] })).every((v) => v.body === ERASED),
    ).toBe(true);
    const kept = await agreements.get({ incidentId: incident.id, schoolIds: [school.id] });
    expect(kept).toMatchObject({ version: 1, mayShare: null, photoConsent: null, updatedBy: liaison.id });
    const desk = await press.get({ incidentId: incident.id, schoolIds: [school.id] });
    expect(desk.entries[0]).toMatchObject({ askedBy: ERASED, question: ERASED, loggedBy: leader.id });
    const row = await dataSource.getRepository(IncidentEntity).findOneByOrFail({ id: incident.id });
    expect(row.summary).toBe(ERASED);
    // Again: nothing left to erase.
    expect(await erasure.erase(incident.id)).toEqual({ erased: 0 });
  });
});
