import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EventSubject, parseEvent, type EventEnvelope } from '#lib/contracts';
import { DEMO_PLAN, DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { InboxEntity, OutboxEntity, type OutboxRelayService } from '#lib/messaging';
import { TEST_CATALOG, TEST_SETTINGS } from '../../../../test/support/activation-catalog.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { rpcRefusal } from '../../../../test/support/rpc.js';
import { loadCatalog } from '../catalog/catalog.loader.js';
import { tasksFor } from '../catalog/catalog.types.js';
import { DemoPlanSeeder } from '../plan/demo-plan.seeder.js';
import { PlanVersionEntity } from '../plan/plan-version.entity.js';
import { ACTIVATION_MIGRATIONS } from '../database/migrations.js';
import { PlanService } from '../plan/plan.service.js';
import { IncidentEntity } from './incident.entity.js';
import { IncidentService } from './incident.service.js';
import { TaskEntity } from './task.entity.js';
import type { TriggerIncidentCommand } from './trigger-incident.command.js';

describe(IncidentService.name, () => {
  const schema = uniqueSchema('activation');
  const school = DEMO_SCHOOLS[0]!;
  const leader = demoPerson('leider@deregenboog.example');
  let dataSource: DataSource;
  let incidents: IncidentService;
  let plans: PlanService;
  let nudges = 0;

  const command = (overrides: Partial<TriggerIncidentCommand> = {}): TriggerIncidentCommand => ({
    calamityType: 'death-of-pupil',
    boardId: school.boardId,
    schoolId: school.id,
    summary: 'Een leerling van groep 7 is overleden.',
    drill: false,
    idempotencyKey: `key-${randomUUID()}`,
    actorId: leader.id,
    correlationId: randomUUID(),
    ...overrides,
  });

  let relay: OutboxRelayService;
  const outbox = async (incidentId: string): Promise<EventEnvelope[]> =>
    (await dataSource.getRepository(OutboxEntity).find({ order: { seq: 'ASC' } }))
      .map((row) => row.envelope)
      .filter((e) => e.incidentId === incidentId);

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [IncidentEntity, TaskEntity, PlanVersionEntity, OutboxEntity, InboxEntity],
      ACTIVATION_MIGRATIONS,
    );
    await new DemoPlanSeeder(dataSource).seedIfEmpty();
    relay = { nudge: () => (nudges += 1) } as unknown as OutboxRelayService;
    plans = new PlanService(dataSource, TEST_CATALOG);
    incidents = new IncidentService(dataSource, relay, TEST_CATALOG, TEST_SETTINGS, plans);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('creates the incident, a task per template assigned to the role’s primary, and the events, in one go', async () => {
    const before = nudges;
    const { created, incident } = await incidents.trigger(command());
    expect(created).toBe(true);
    expect(nudges).toBe(before + 1);
    const primaries = new Map<string, string>(
      DEMO_PLAN.filter((s) => s.schoolId === school.id && s.rank === 0).map((s) => [s.role, s.personId]),
    );
    for (const task of incident.tasks) {
      expect(task.assigneeId).toBe(primaries.get(task.role));
    }
    const events = await outbox(incident.id);
    expect(events.map((e) => e.type)).toEqual([
      EventSubject.IncidentActivated,
      ...incident.tasks.filter((t) => t.announceAt === incident.createdAt).map(() => EventSubject.TaskAssigned),
    ]);
    for (const event of events) {
      expect(parseEvent(event.type, JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
      expect(event).toMatchObject({
        incidentId: incident.id,
        schoolId: school.id,
        boardId: school.boardId,
        drill: false,
      });
    }
    const [activated, ...assigned] = events;
    expect(assigned.every((e) => e.causationId === activated!.id && e.correlationId === activated!.correlationId)).toBe(
      true,
    );
  });

  it('announces the most urgent tasks first: earliest deadline, then critical before high before normal', async () => {
    // The real protocol: its fire tasks are listed in the protocol's order, not by urgency.
    const catalog = loadCatalog();
    const real = new IncidentService(dataSource, relay, catalog, TEST_SETTINGS, new PlanService(dataSource, catalog));
    const { incident } = await real.trigger({ ...command(), calamityType: 'fire-explosion-evacuation' });
    const assigned = (await outbox(incident.id)).filter(
      (e): e is EventEnvelope<typeof EventSubject.TaskAssigned> => e.type === EventSubject.TaskAssigned,
    );
    const rank = { critical: 0, high: 1, normal: 2 };
    const keys = assigned.map((e) => [Date.parse(e.payload.dueAt), rank[e.payload.priority]] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(keys).toEqual(sorted);
    // The catalog's own order is not already the most urgent first, or this would prove nothing.
    const byTemplate = new Map(incident.tasks.map((t) => [t.templateId, t]));
    const catalogOrder = tasksFor(catalog, 'fire-explosion-evacuation')
      .map((template) => byTemplate.get(template.id)!)
      .filter((t) => assigned.some((e) => e.payload.taskId === t.id))
      .map((t) => [Date.parse(t.dueAt), rank[t.priority]] as const);
    expect(catalogOrder).toHaveLength(keys.length);
    expect(catalogOrder).not.toEqual(sorted);
  });

  it('returns the first incident for a repeated idempotency key, adding no tasks and no events', async () => {
    const first = await incidents.trigger(command({ idempotencyKey: 'same-key-0001' }));
    const eventsBefore = await outbox(first.incident.id);
    const again = await incidents.trigger(command({ idempotencyKey: 'same-key-0001', summary: 'changed' }));
    expect(again.created).toBe(false);
    expect(again.incident).toEqual(first.incident);
    expect(await outbox(first.incident.id)).toEqual(eventsBefore);
    expect(await dataSource.getRepository(TaskEntity).countBy({ incidentId: first.incident.id })).toBe(
      first.incident.tasks.length,
    );
  });

  it('makes exactly one incident when the same trigger arrives many times at once (a double tap, retries)', async () => {
    const key = `race-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => incidents.trigger(command({ idempotencyKey: key }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(await dataSource.getRepository(IncidentEntity).countBy({ idempotencyKey: key })).toBe(1);
    // The seven that lost wrote nothing beside it: every event in the outbox belongs to an incident that exists.
    const [orphans] = await dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM "${schema}"."outbox" o
       WHERE NOT EXISTS (SELECT 1 FROM "${schema}"."incident" i WHERE i.id = (o.envelope->>'incidentId')::uuid)`,
    );
    expect(orphans!.count).toBe('0');
  });

  it('refuses an unknown calamity type, naming the field, and stores nothing', async () => {
    const count = await dataSource.getRepository(IncidentEntity).count();
    let error: unknown;
    try {
      await incidents.trigger(command({ calamityType: 'alien-invasion' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RpcException);
    expect((error as RpcException).getError()).toMatchObject({ statusCode: 400, field: 'calamityType' });
    expect(await dataSource.getRepository(IncidentEntity).count()).toBe(count);
  });

  it('keeps a task whose role nobody fills, unassigned and without a notification event', async () => {
    const current = (await plans.current('school', school.id))!;
    const saved = await plans.save({
      scope: 'school',
      ownerId: school.id,
      boardId: school.boardId,
      actorId: leader.id,
      expectedVersion: current.version,
      content: { ...current.content, roles: current.content.roles.filter((r) => r.role !== 'family-liaison') },
    });
    expect(saved.unstaffedRoles).toEqual(['family-liaison']); // reported when the plan is saved…
    const { incident } = await incidents.trigger(command());
    expect(incident.unstaffedRoles).toEqual(['family-liaison']); // …and again at trigger time
    expect(incident.planVersions).toEqual({ school: saved.version, board: null });
    const orphan = incident.tasks.find((t) => t.role === 'family-liaison')!;
    expect(orphan.assigneeId).toBeNull();
    const assignedTaskIds = (await outbox(incident.id))
      .filter((e) => e.type === EventSubject.TaskAssigned)
      .map((e) => (e.payload as { taskId: string }).taskId);
    expect(assignedTaskIds).not.toContain(orphan.id);
    expect(assignedTaskIds).toHaveLength(incident.tasks.filter((t) => t.announceAt === incident.createdAt).length - 1);
  });

  it('keeps the catalog version, and announces a task due a week later a day before it is due, not at the trigger', async () => {
    const { incident } = await incidents.trigger(command());
    expect(incident.catalogVersion).toBe(TEST_CATALOG.version);
    const later = incident.tasks.find((t) => t.templateId === 'check-in-week')!;
    const created = Date.parse(incident.createdAt);
    expect(Date.parse(later.dueAt) - created).toBe(7 * 24 * 3_600_000);
    expect(Date.parse(later.announceAt) - created).toBe(6 * 24 * 3_600_000);
    const announcedNow = (await outbox(incident.id)).filter((e) => e.type === EventSubject.TaskAssigned);
    expect(announcedNow.map((e) => (e.payload as { taskId: string }).taskId)).not.toContain(later.id);
  });

  describe('lifecycle', () => {
    const as = (incidentId: string, actorId = leader.id, schoolIds = [school.id]) => ({
      incidentId,
      actorId,
      schoolIds,
      correlationId: 'corr-life',
    });

    it('moves through the phases to the evaluation and closes, each step an event', async () => {
      const { incident } = await incidents.trigger(command());
      expect(incident).toMatchObject({ phase: 1, status: 'active', endedAt: null });
      expect(await incidents.step(as(incident.id), { kind: 'phase', to: 3 })).toMatchObject({
        phase: 3,
        status: 'stabilising',
      });
      await incidents.step(as(incident.id), { kind: 'phase', to: 3 }); // again: nothing new
      await incidents.step(as(incident.id), { kind: 'phase', to: 'evaluation' });
      const closed = await incidents.step(as(incident.id), { kind: 'close' });
      expect(closed).toMatchObject({ status: 'closed', phase: 3, endReason: null });
      expect(closed.endedAt).not.toBeNull();
      const lifecycle = (await outbox(incident.id)).filter(
        (e) => e.type.startsWith('crisis.incident.') && e.type !== EventSubject.IncidentActivated,
      );
      expect(lifecycle.map((e) => e.type)).toEqual([
        EventSubject.IncidentPhaseChanged,
        EventSubject.IncidentPhaseChanged,
        EventSubject.IncidentClosed,
      ]);
      expect(lifecycle[0]!.payload).toEqual({
        phase: 3,
        status: 'stabilising',
        previousPhase: 1,
        previousStatus: 'active',
      });
      expect(lifecycle[2]!.payload).toEqual({ early: false });
    });

    it('refuses: a non-leader (403), another school (404), a phase back (409), an early close without reason (400)', async () => {
      const { incident } = await incidents.trigger(command());
      await incidents.step(as(incident.id), { kind: 'phase', to: 2 });
      const staff = demoPerson('bhv@deregenboog.example');
      expect(await rpcRefusal(incidents.step(as(incident.id, staff.id), { kind: 'phase', to: 3 }))).toMatchObject({
        statusCode: 403,
      });
      expect(
        await rpcRefusal(incidents.step(as(incident.id, leader.id, [DEMO_SCHOOLS[1]!.id]), { kind: 'phase', to: 3 })),
      ).toMatchObject({
        statusCode: 404,
      });
      expect(await rpcRefusal(incidents.step(as(incident.id), { kind: 'phase', to: 1 }))).toMatchObject({
        statusCode: 409,
        code: 'INVALID_TRANSITION',
      });
      expect(await rpcRefusal(incidents.step(as(incident.id), { kind: 'close' }))).toMatchObject({
        statusCode: 400,
        code: 'REASON_REQUIRED',
        field: 'reason',
      });
      expect((await incidents.get(incident.id))!).toMatchObject({ phase: 2, status: 'active' });
    });

    it('cancels a false alarm with its reason; nothing moves it afterwards', async () => {
      const { incident } = await incidents.trigger(command());
      const cancelled = await incidents.step(as(incident.id), { kind: 'cancel', reason: 'Loos alarm' });
      expect(cancelled).toMatchObject({ status: 'cancelled', endReason: 'Loos alarm' });
      expect(await rpcRefusal(incidents.step(as(incident.id), { kind: 'phase', to: 2 }))).toMatchObject({
        statusCode: 409,
      });
      const last = (await outbox(incident.id)).at(-1)!;
      expect(last).toMatchObject({ type: EventSubject.IncidentCancelled, payload: { reason: 'Loos alarm' } });
    });
  });
});
