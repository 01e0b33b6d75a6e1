import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { buildEvent, EventSubject, type EventEnvelope, type IncidentView, type TaskCommand } from '#lib/contracts';
import { DEMO_PLAN, DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { InboxEntity, OutboxEntity, type OutboxRelayService } from '#lib/messaging';
import { TEST_CATALOG, TEST_SETTINGS } from '../../../../test/support/activation-catalog.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { rpcRefusal } from '../../../../test/support/rpc.js';
import { IncidentEntity } from '../incident/incident.entity.js';
import { IncidentService } from '../incident/incident.service.js';
import { TaskEntity } from '../incident/task.entity.js';
import { DemoPlanSeeder } from '../plan/demo-plan.seeder.js';
import { PlanVersionEntity } from '../plan/plan-version.entity.js';
import { ACTIVATION_MIGRATIONS } from '../database/migrations.js';
import { PlanService } from '../plan/plan.service.js';
import { TaskService } from './task.service.js';

describe(TaskService.name, () => {
  const schema = uniqueSchema('tasks');
  const school = DEMO_SCHOOLS[0]!;
  const otherSchool = DEMO_SCHOOLS[2]!;
  const leader = demoPerson('leider@deregenboog.example');
  const slot = (role: string, rank: number) =>
    DEMO_PLAN.find((s) => s.schoolId === school.id && s.role === role && s.rank === rank)!;
  const logkeeper = slot('logkeeper', 0).personId;
  const logkeeperDeputy = slot('logkeeper', 1).personId;
  let dataSource: DataSource;
  let incidents: IncidentService;
  let tasks: TaskService;
  let plans: PlanService;
  const relay = { nudge: () => undefined } as unknown as OutboxRelayService;

  const trigger = async (): Promise<IncidentView> =>
    (
      await incidents.trigger({
        calamityType: 'death-of-pupil',
        boardId: school.boardId,
        schoolId: school.id,
        summary: 'x',
        drill: false,
        idempotencyKey: `key-${randomUUID()}`,
        actorId: leader.id,
        correlationId: randomUUID(),
      })
    ).incident;
  const as = (actorId: string, taskId: string, schoolIds = [school.id]): TaskCommand => ({
    taskId,
    actorId,
    schoolIds,
    correlationId: 'corr',
  });
  const events = async (taskId: string): Promise<EventEnvelope[]> =>
    (await dataSource.getRepository(OutboxEntity).find({ order: { seq: 'ASC' } }))
      .map((r) => r.envelope)
      .filter((e) => (e.payload as { taskId?: string }).taskId === taskId);

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [IncidentEntity, TaskEntity, PlanVersionEntity, OutboxEntity, InboxEntity],
      ACTIVATION_MIGRATIONS,
    );
    await new DemoPlanSeeder(dataSource).seedIfEmpty();
    plans = new PlanService(dataSource, TEST_CATALOG);
    incidents = new IncidentService(dataSource, relay, TEST_CATALOG, TEST_SETTINGS, plans);
    tasks = new TaskService(dataSource, relay, plans);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('acknowledges once: a second tap changes nothing and emits nothing', async () => {
    const log = (await trigger()).tasks.find((t) => t.role === 'logkeeper')!;
    const first = await tasks.change(as(logkeeper, log.id), { action: 'acknowledge' });
    expect(first.status).toBe('acknowledged');
    expect(first.acknowledgedAt).not.toBeNull();
    await tasks.change(as(logkeeper, log.id), { action: 'acknowledge' });
    expect((await events(log.id)).map((e) => e.type)).toEqual([
      EventSubject.TaskAssigned,
      EventSubject.TaskAcknowledged,
    ]);
  });

  it('applies many simultaneous acknowledgements one after the other: one event', async () => {
    const log = (await trigger()).tasks.find((t) => t.role === 'logkeeper')!;
    await Promise.all(Array.from({ length: 6 }, () => tasks.change(as(logkeeper, log.id), { action: 'acknowledge' })));
    expect((await events(log.id)).filter((e) => e.type === EventSubject.TaskAcknowledged)).toHaveLength(1);
  });

  it('completes with a note; a later "not applicable" is refused as an invalid transition and changes nothing', async () => {
    const log = (await trigger()).tasks.find((t) => t.role === 'logkeeper')!;
    const done = await tasks.change(as(logkeeper, log.id), { action: 'complete', note: 'Logboek loopt sinds 09:12' });
    expect(done).toMatchObject({ status: 'done', note: 'Logboek loopt sinds 09:12' });
    const refused = await rpcRefusal(tasks.change(as(logkeeper, log.id), { action: 'dismiss', reason: 'x' }));
    expect(refused).toMatchObject({ statusCode: 409, code: 'INVALID_TRANSITION' });
    expect((await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: log.id })).note).toBe(
      'Logboek loopt sinds 09:12',
    );
    const completed = (await events(log.id)).find((e) => e.type === EventSubject.TaskCompleted)!;
    expect(completed.payload).toMatchObject({ note: 'Logboek loopt sinds 09:12', assigneeId: logkeeper });
  });

  it('lets only the assignee or a leader act; another school’s task is not found', async () => {
    const incident = await trigger();
    const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
    const someoneElse = slot('bhv', 0).personId;
    expect(await rpcRefusal(tasks.change(as(someoneElse, log.id), { action: 'acknowledge' }))).toMatchObject({
      statusCode: 403,
      code: 'FORBIDDEN',
    });
    expect(
      await rpcRefusal(tasks.change(as(logkeeper, log.id, [otherSchool.id]), { action: 'acknowledge' })),
    ).toMatchObject({
      statusCode: 404,
    });
    expect(
      await tasks.change(as(leader.id, log.id), { action: 'dismiss', reason: 'Geen logboek nodig' }),
    ).toMatchObject({
      status: 'not_applicable',
    });
  });

  it('reassigns to a deputy at a leader’s word, telling the new person; not to someone outside the team', async () => {
    const log = (await trigger()).tasks.find((t) => t.role === 'logkeeper')!;
    await tasks.change(as(logkeeper, log.id), { action: 'acknowledge' });
    const moved = await tasks.change(as(leader.id, log.id), { action: 'reassign', assigneeId: logkeeperDeputy });
    expect(moved).toMatchObject({ status: 'pending', assigneeId: logkeeperDeputy, acknowledgedAt: null });
    const reassigned = (await events(log.id)).find((e) => e.type === EventSubject.TaskReassigned)!;
    expect(reassigned.payload).toMatchObject({
      fromAssigneeId: logkeeper,
      toAssigneeId: logkeeperDeputy,
      reason: 'manual',
    });
    expect(
      await rpcRefusal(tasks.change(as(leader.id, log.id), { action: 'reassign', assigneeId: randomUUID() })),
    ).toMatchObject({
      statusCode: 400,
      field: 'assigneeId',
    });
    expect(
      await rpcRefusal(tasks.change(as(logkeeper, log.id), { action: 'reassign', assigneeId: logkeeper })),
    ).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('flags open tasks overdue once, from the database alone (a restarted scheduler does not flag them again)', async () => {
    const incident = await trigger();
    const convene = incident.tasks.find((t) => t.templateId === 'convene')!;
    const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
    await tasks.change(as(logkeeper, log.id), { action: 'complete' });
    const inAnHour = new Date(Date.parse(incident.createdAt) + 3_600_000);
    await tasks.runSchedule(inAnHour);
    const restarted = new TaskService(dataSource, relay, plans);
    await restarted.runSchedule(new Date(inAnHour.getTime() + 60_000));
    expect((await events(convene.id)).filter((e) => e.type === EventSubject.TaskOverdue)).toHaveLength(1);
    expect((await events(log.id)).filter((e) => e.type === EventSubject.TaskOverdue)).toHaveLength(0);
    const family = incident.tasks.find((t) => t.templateId === 'call-family')!;
    expect((await events(family.id)).filter((e) => e.type === EventSubject.TaskOverdue)).toHaveLength(0); // due in 4 h
  });

  it('announces a task due a week later a day before it is due, once', async () => {
    const incident = await trigger();
    const later = incident.tasks.find((t) => t.templateId === 'check-in-week')!;
    const created = Date.parse(incident.createdAt);
    await tasks.runSchedule(new Date(created + 5 * 24 * 3_600_000));
    expect((await events(later.id)).filter((e) => e.type === EventSubject.TaskAssigned)).toHaveLength(0);
    await tasks.runSchedule(new Date(created + 6 * 24 * 3_600_000 + 1));
    await tasks.runSchedule(new Date(created + 6 * 24 * 3_600_000 + 60_000));
    const announced = (await events(later.id)).filter((e) => e.type === EventSubject.TaskAssigned);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.payload).toMatchObject({ taskId: later.id, dueAt: later.dueAt });
    expect((await tasks.listMine(later.assigneeId!, [school.id])).map((t) => t.id)).toContain(later.id);
  });

  it('lists my tasks: only announced ones, of my schools, open first', async () => {
    const incident = await trigger();
    const mine = await tasks.listMine(logkeeper, [school.id]);
    const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
    expect(mine.map((t) => t.id)).toContain(log.id);
    expect(mine.every((t) => t.assigneeId === logkeeper && t.schoolId === school.id)).toBe(true);
    const firstClosed = mine.findIndex((t) => t.status === 'done' || t.status === 'not_applicable');
    if (firstClosed >= 0) {
      expect(mine.slice(firstClosed).every((t) => t.status === 'done' || t.status === 'not_applicable')).toBe(true);
    }
    expect(await tasks.listMine(logkeeper, [otherSchool.id])).toEqual([]);
  });

  it('marks a task notified once a notification reached its assignee, and never moves it back', async () => {
    const incident = await trigger();
    const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
    const sent = (personId: string) =>
      buildEvent(
        EventSubject.NotificationSent,
        {
          boardId: incident.boardId,
          schoolId: incident.schoolId,
          incidentId: incident.id,
          actor: 'system',
          correlationId: 'corr-sent',
          causationId: null,
          drill: false,
        },
        { notificationId: randomUUID(), taskId: log.id, personId, channel: 'sms', attempt: 1, devices: 1 },
      );
    expect(await tasks.onNotified(sent(logkeeperDeputy))).toBe(false); // not the assignee
    expect(await tasks.onNotified(sent(logkeeper))).toBe(true);
    expect((await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: log.id })).status).toBe('notified');
    await tasks.change(as(logkeeper, log.id), { action: 'acknowledge' });
    expect(await tasks.onNotified(sent(logkeeper))).toBe(false); // a late report does not undo the acknowledgement
    expect((await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: log.id })).status).toBe('acknowledged');
  });

  describe('when nobody picks a task up', () => {
    const unacknowledged = (incident: IncidentView, taskId: string, personId: string) =>
      buildEvent(
        EventSubject.NotificationUnacknowledged,
        {
          boardId: incident.boardId,
          schoolId: incident.schoolId,
          incidentId: incident.id,
          actor: 'system',
          correlationId: 'corr-escalation',
          causationId: null,
          drill: false,
        },
        { taskId, personId, lastChannel: 'sms', attempts: 2 },
      );

    it('hands the task to the next deputy, once, however often the event comes', async () => {
      const incident = await trigger();
      const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
      const event = unacknowledged(incident, log.id, logkeeper);
      expect(await tasks.onUnacknowledged(event)).toBe('reassigned');
      expect(await tasks.onUnacknowledged(event)).toBe('ignored');
      const moved = await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: log.id });
      expect(moved.assigneeId).toBe(logkeeperDeputy);
      const reassigned = (await events(log.id)).filter((e) => e.type === EventSubject.TaskReassigned);
      expect(reassigned).toHaveLength(1);
      expect(reassigned[0]!.payload).toMatchObject({ toAssigneeId: logkeeperDeputy, reason: 'unacknowledged' });
    });

    it('does nothing when the task was acknowledged meanwhile: an acknowledgement stops the chain', async () => {
      const incident = await trigger();
      const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
      await tasks.change(as(logkeeper, log.id), { action: 'acknowledge' });
      expect(await tasks.onUnacknowledged(unacknowledged(incident, log.id, logkeeper))).toBe('ignored');
      expect((await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: log.id })).assigneeId).toBe(logkeeper);
    });

    it('tells the leader the role is unstaffed when the last deputy does not answer either', async () => {
      const incident = await trigger();
      const log = incident.tasks.find((t) => t.role === 'logkeeper')!;
      expect(await tasks.onUnacknowledged(unacknowledged(incident, log.id, logkeeper))).toBe('reassigned');
      expect(await tasks.onUnacknowledged(unacknowledged(incident, log.id, logkeeperDeputy))).toBe('unstaffed');
      const alert = await dataSource
        .getRepository(TaskEntity)
        .findOneByOrFail({ incidentId: incident.id, templateId: 'system.role-unstaffed' });
      expect(alert).toMatchObject({ role: 'leader', assigneeId: leader.id, priority: 'critical', status: 'pending' });
      expect(alert.titleNl).toContain('logkeeper');
      expect((await events(alert.id)).map((e) => e.type)).toEqual([EventSubject.TaskAssigned]);
    });
  });
});
