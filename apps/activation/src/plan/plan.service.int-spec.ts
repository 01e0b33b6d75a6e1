import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { InboxEntity, OutboxEntity, type OutboxRelayService } from '#lib/messaging';
import { TEST_CATALOG, TEST_SETTINGS } from '../../../../test/support/activation-catalog.js';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { rpcRefusal } from '../../../../test/support/rpc.js';
import { ACTIVATION_MIGRATIONS } from '../database/migrations.js';
import { IncidentEntity } from '../incident/incident.entity.js';
import { IncidentService } from '../incident/incident.service.js';
import { TaskEntity } from '../incident/task.entity.js';
import { DemoPlanSeeder } from './demo-plan.seeder.js';
import type { PlanContent } from './plan-content.js';
import { PlanVersionEntity } from './plan-version.entity.js';
import { PlanService } from './plan.service.js';

describe(PlanService.name, () => {
  const schema = uniqueSchema('plans');
  const school = DEMO_SCHOOLS[1]!; // Het Baken
  const sibling = DEMO_SCHOOLS[0]!; // De Regenboog, same board
  const admin = demoPerson('beheer@hetbaken.example');
  let dataSource: DataSource;
  let plans: PlanService;
  let incidents: IncidentService;

  const schoolPlan = async (): Promise<{ version: number; content: PlanContent }> =>
    (await plans.current('school', school.id))!;
  const save = (content: PlanContent, expectedVersion: number | null, scope: 'school' | 'board' = 'school') =>
    plans.save({
      scope,
      ownerId: scope === 'school' ? school.id : school.boardId,
      boardId: school.boardId,
      content,
      actorId: admin.id,
      expectedVersion,
    });
  const trigger = async (schoolId = school.id) =>
    (
      await incidents.trigger({
        calamityType: 'death-of-pupil',
        boardId: school.boardId,
        schoolId,
        summary: 'x',
        drill: true,
        idempotencyKey: `key-${randomUUID()}`,
        actorId: admin.id,
        correlationId: 'c',
      })
    ).incident;

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [IncidentEntity, TaskEntity, PlanVersionEntity, OutboxEntity, InboxEntity],
      ACTIVATION_MIGRATIONS,
    );
    await new DemoPlanSeeder(dataSource).seedIfEmpty();
    plans = new PlanService(dataSource, TEST_CATALOG);
    const relay = { nudge: () => undefined } as unknown as OutboxRelayService;
    incidents = new IncidentService(dataSource, relay, TEST_CATALOG, TEST_SETTINGS, plans);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('saves every change as a new version, and refuses to overwrite a change made meanwhile', async () => {
    const v1 = await schoolPlan();
    const v2 = await save({ ...v1.content, note: 'Jaarlijkse evaluatie met de MR' }, v1.version);
    expect(v2.version).toBe(v1.version + 1);
    expect(await rpcRefusal(save({ ...v1.content, note: 'stale edit' }, v1.version))).toMatchObject({
      statusCode: 409,
      code: 'PLAN_CHANGED',
    });
    expect((await schoolPlan()).content.note).toBe('Jaarlijkse evaluatie met de MR');
    expect(await dataSource.getRepository(PlanVersionEntity).countBy({ ownerId: school.id })).toBe(2);
  });

  it('refuses roles and tasks the catalog does not know, naming the field', async () => {
    const { version, content } = await schoolPlan();
    expect(
      await rpcRefusal(save({ ...content, roles: [...content.roles, { role: 'pers', people: [] }] }, version)),
    ).toMatchObject({
      statusCode: 400,
      field: `content.roles[${content.roles.length}].role`,
    });
    expect(
      await rpcRefusal(save({ ...content, taskOverrides: [{ templateId: 'no.such.task', disabled: true }] }, version)),
    ).toMatchObject({
      field: 'content.taskOverrides[0].templateId',
    });
    expect(
      await rpcRefusal(save({ ...content, taskOverrides: [{ templateId: 'log', deadline: 'P' }] }, version)),
    ).toMatchObject({
      field: 'content.taskOverrides[0].deadline',
    });
    expect((await schoolPlan()).version).toBe(version);
  });

  it('gives a task to the first deputy while the primary is unavailable', async () => {
    const { version, content } = await schoolPlan();
    const [primary, deputy] = content.roles.find((r) => r.role === 'logkeeper')!.people;
    await save({ ...content, unavailable: [primary!] }, version);
    const incident = await trigger();
    expect(incident.tasks.find((t) => t.role === 'logkeeper')!.assigneeId).toBe(deputy);
    const back = await schoolPlan();
    await save({ ...back.content, unavailable: [] }, back.version);
    expect((await trigger()).tasks.find((t) => t.role === 'logkeeper')!.assigneeId).toBe(primary);
  });

  it('lets schools inherit the board’s plan, with their own overrides winning; the incident keeps both versions', async () => {
    const boardLiaison = demoPerson('bestuur@delinde.example').id;
    const board = await save(
      {
        roles: [{ role: 'board-liaison', people: [boardLiaison] }],
        unavailable: [],
        taskOverrides: [
          { templateId: 'care-class', deadline: 'PT12H' },
          { templateId: 'check-in-week', disabled: true },
        ],
        extraTasks: [],
        reviewDue: '2027-06-30',
      },
      null,
      'board',
    );
    const { version, content } = await schoolPlan();
    await save(
      {
        ...content,
        roles: content.roles.filter((r) => r.role !== 'board-liaison'),
        taskOverrides: [{ templateId: 'care-class', deadline: 'PT6H' }],
        extraTasks: [
          {
            id: 'local.close-gym',
            calamityTypes: ['death-of-pupil'],
            phase: 2,
            role: 'bhv',
            deadline: 'PT2H',
            priority: 'high',
            ackRequired: true,
            title: { nl: 'Sluit de gymzaal af', en: 'Close the gym' },
            instruction: { nl: 'Daar vond het plaats.', en: 'That is where it happened.' },
          },
        ],
      },
      version,
    );
    const incident = await trigger();
    const ids = incident.tasks.map((t) => t.templateId);
    expect(ids).toContain('local.close-gym');
    expect(ids).not.toContain('check-in-week'); // switched off by the board
    const care = incident.tasks.find((t) => t.templateId === 'care-class')!;
    expect(Date.parse(care.dueAt) - Date.parse(incident.createdAt)).toBe(6 * 3_600_000); // the school's deadline wins
    expect(incident.planVersions).toEqual({ school: version + 1, board: board.version });
    // The sibling school of the same board inherits the board's plan too.
    const siblingIncident = await trigger(sibling.id);
    expect(siblingIncident.tasks.map((t) => t.templateId)).not.toContain('check-in-week');
    expect(siblingIncident.tasks.find((t) => t.templateId === 'care-class')!.dueAt).not.toBe(care.dueAt);
  });
});
