import { describe, expect, it } from '@jest/globals';
import type { TaskTemplate } from '../catalog/catalog.types.js';
import { assigneeFor, effectivePlan, nextInLine, unstaffedRoles } from './effective-plan.js';
import type { PlanContent } from './plan-content.js';

const plan = (content: Partial<PlanContent>): PlanContent => ({
  roles: [],
  unavailable: [],
  taskOverrides: [],
  extraTasks: [],
  reviewDue: '2027-09-01',
  ...content,
});
const template = (id: string, deadline = 'PT1H'): TaskTemplate => ({
  id,
  calamityTypes: ['*'],
  phase: 1,
  role: 'leader',
  deadline,
  priority: 'high',
  ackRequired: true,
  title: { nl: id, en: id },
  instruction: { nl: id, en: id },
  sources: ['S4'],
  parties: [],
  file: 'x.yaml',
});

describe('effectivePlan', () => {
  const board = plan({
    roles: [
      { role: 'board-liaison', people: ['bestuur'] },
      { role: 'leader', people: ['board-leader'] },
    ],
    taskOverrides: [
      { templateId: 'b', deadline: 'PT2H' },
      { templateId: 'c', disabled: true },
    ],
  });
  const school = plan({
    roles: [
      { role: 'leader', people: ['anna', 'bart', 'cem'] },
      { role: 'logkeeper', people: [] },
    ],
    unavailable: ['anna'],
    taskOverrides: [{ templateId: 'b', deadline: 'PT30M' }],
    extraTasks: [{ ...template('local.keys'), id: 'local.keys', calamityTypes: ['fire'], deadline: 'PT5M' }],
  });

  it('takes the school’s people for a role it fills, the board’s otherwise', () => {
    const merged = effectivePlan(board, school);
    expect(merged.people.get('leader')).toEqual(['anna', 'bart', 'cem']);
    expect(merged.people.get('board-liaison')).toEqual(['bestuur']);
  });

  it('gives a task to the first available person, and hands it on in call order skipping the unavailable', () => {
    const merged = effectivePlan(board, school);
    expect(assigneeFor(merged, 'leader')).toBe('bart');
    expect(nextInLine(merged, 'leader', 'bart')).toBe('cem');
    expect(nextInLine(merged, 'leader', 'cem')).toBeNull();
    expect(nextInLine(merged, 'leader', null)).toBe('bart');
  });

  it('reports the roles nobody available fills', () => {
    const merged = effectivePlan(board, school);
    expect(unstaffedRoles(merged, ['leader', 'logkeeper', 'board-liaison', 'bhv'])).toEqual(['logkeeper', 'bhv']);
    expect(
      unstaffedRoles(effectivePlan(null, plan({ roles: [{ role: 'bhv', people: ['x'] }], unavailable: ['x'] })), [
        'bhv',
      ]),
    ).toEqual(['bhv']);
  });

  it('applies task overrides (the school’s win) and adds the plans’ own tasks for their calamity types', () => {
    const merged = effectivePlan(board, school);
    const fire = merged.tasks([template('a'), template('b'), template('c')], 'fire');
    expect(fire.map((t) => [t.id, t.deadline])).toEqual([
      ['a', 'PT1H'],
      ['b', 'PT30M'],
      ['local.keys', 'PT5M'],
    ]);
    expect(merged.tasks([template('a')], 'threat').map((t) => t.id)).toEqual(['a']);
  });
});
