import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventSubject, type IncidentCommand } from '#lib/contracts';
import { DEMO_SCHOOLS, demoPerson } from '#lib/demo';
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
import { LegalChainService } from './legal-chain.service.js';
import { LegalStepEntity } from './legal-step.entity.js';

describe(LegalChainService.name, () => {
  const schema = uniqueSchema('legal');
  const school = DEMO_SCHOOLS[0]!;
  const leader = demoPerson('leider@deregenboog.example');
  const liaison = demoPerson('bestuurscontact@deregenboog.example');
  let dataSource: DataSource;
  let incidents: IncidentService;
  let chain: LegalChainService;

  const trigger = async (calamityType = 'sexual-misconduct-by-staff') =>
    (
      await incidents.trigger({
        calamityType,
        boardId: school.boardId,
        schoolId: school.id,
        summary: 'Signaal van een leerling',
        drill: false,
        idempotencyKey: `key-${randomUUID()}`,
        actorId: leader.id,
        correlationId: 'corr',
      })
    ).incident;
  const as = (incidentId: string, actorId = liaison.id, schoolIds = [school.id]): IncidentCommand => ({
    incidentId,
    actorId,
    schoolIds,
    correlationId: 'corr-legal',
  });

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [IncidentEntity, TaskEntity, PlanVersionEntity, LegalStepEntity, OutboxEntity, InboxEntity],
      ACTIVATION_MIGRATIONS,
    );
    await new DemoPlanSeeder(dataSource).seedIfEmpty();
    const relay = { nudge: () => undefined } as unknown as OutboxRelayService;
    const plans = new PlanService(dataSource, TEST_CATALOG);
    incidents = new IncidentService(dataSource, relay, TEST_CATALOG, TEST_SETTINGS, plans);
    chain = new LegalChainService(dataSource, relay, plans);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('records the chain in the law’s order, with the times things happened, each step an event', async () => {
    const incident = await trigger();
    expect(await chain.get(as(incident.id))).toMatchObject({ steps: [], next: ['reported-to-board'], complete: false });
    const reportedAt = new Date(Date.now() - 20 * 60_000);
    await chain.record(as(incident.id), {
      step: 'reported-to-board',
      occurredAt: reportedAt,
      note: 'Mentor belde het bestuur',
    });
    const early = await rpcRefusal(chain.record(as(incident.id), { step: 'police-report-filed', note: 'x' }));
    expect(early).toMatchObject({ statusCode: 409, code: 'OUT_OF_ORDER', message: 'Record inspector-consulted first' });
    await chain.record(as(incident.id), { step: 'inspector-consulted', note: 'Vertrouwensinspecteur gebeld' });
    expect(
      await rpcRefusal(chain.record(as(incident.id), { step: 'suspicion-decided', note: 'Besluit' })),
    ).toMatchObject({
      statusCode: 400,
      field: 'reasonableSuspicion',
    });
    await chain.record(as(incident.id, leader.id), {
      step: 'suspicion-decided',
      note: 'Redelijk vermoeden',
      reasonableSuspicion: true,
    });
    await chain.record(as(incident.id), { step: 'accused-and-parents-informed', note: 'Gesprekken gevoerd' });
    const done = await chain.record(as(incident.id), { step: 'police-report-filed', note: 'Aangifte gedaan' });
    expect(done.complete).toBe(true);
    expect(done.steps.map((s) => s.step)).toEqual([
      'reported-to-board',
      'inspector-consulted',
      'suspicion-decided',
      'accused-and-parents-informed',
      'police-report-filed',
    ]);
    expect(done.steps[0]!.occurredAt).toBe(reportedAt.toISOString());
    const events = (await dataSource.getRepository(OutboxEntity).find({ order: { seq: 'ASC' } }))
      .map((r) => r.envelope)
      .filter((e) => e.incidentId === incident.id && e.type === EventSubject.LegalStepRecorded);
    expect(events.map((e) => (e.payload as { step: string }).step)).toEqual(done.steps.map((s) => s.step));
    expect(
      await rpcRefusal(chain.record(as(incident.id), { step: 'police-report-filed', note: 'again' })),
    ).toMatchObject({
      code: 'ALREADY_RECORDED',
    });
  });

  it('documents the decision when there is no reasonable suspicion', async () => {
    const incident = await trigger();
    await chain.record(as(incident.id), { step: 'reported-to-board', note: 'a' });
    await chain.record(as(incident.id), { step: 'inspector-consulted', note: 'b' });
    const decided = await chain.record(as(incident.id), {
      step: 'suspicion-decided',
      note: 'c',
      reasonableSuspicion: false,
    });
    expect(decided.next).toEqual(['decision-documented']);
    expect((await chain.record(as(incident.id), { step: 'decision-documented', note: 'd' })).complete).toBe(true);
  });

  it('is kept by the leader and the board liaison only; other schools and other calamities have none', async () => {
    const incident = await trigger();
    const bhv = demoPerson('bhv@deregenboog.example');
    expect(await rpcRefusal(chain.get(as(incident.id, bhv.id)))).toMatchObject({ statusCode: 403 });
    expect(
      await rpcRefusal(chain.record(as(incident.id, bhv.id), { step: 'reported-to-board', note: 'x' })),
    ).toMatchObject({
      statusCode: 403,
    });
    expect(await rpcRefusal(chain.get(as(incident.id, liaison.id, [DEMO_SCHOOLS[1]!.id])))).toMatchObject({
      statusCode: 404,
    });
    const other = await trigger('death-of-pupil');
    expect(await rpcRefusal(chain.get(as(other.id)))).toMatchObject({ statusCode: 409, code: 'NO_LEGAL_CHAIN' });
    const future = new Date(Date.now() + 3_600_000);
    expect(
      await rpcRefusal(chain.record(as(incident.id), { step: 'reported-to-board', note: 'x', occurredAt: future })),
    ).toMatchObject({
      field: 'occurredAt',
    });
    expect((await chain.get(as(incident.id))).steps).toEqual([]);
  });
});
