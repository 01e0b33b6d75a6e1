import { describe, expect, it } from '@jest/globals';
import { CRISIS_ROLES } from '#lib/demo';
import { BUILTIN_CALAMITY_TYPES } from './builtin-protocol.js';
import { durationMs } from './iso-duration.js';

describe('the built-in protocol', () => {
  const roles = new Set<string>(CRISIS_ROLES.map((r) => r.id));

  it.each(BUILTIN_CALAMITY_TYPES.map((t) => [t.id, t] as const))('%s: every task is well-formed', (_id, type) => {
    expect(type.tasks.length).toBeGreaterThan(0);
    expect(new Set(type.tasks.map((t) => t.id)).size).toBe(type.tasks.length);
    for (const task of type.tasks) {
      expect(roles.has(task.role)).toBe(true);
      expect(durationMs(task.deadline)).toBeGreaterThan(0);
      expect(task.phase).toBeGreaterThanOrEqual(1);
      expect(task.title.nl.length).toBeGreaterThan(0);
      expect(task.title.en.length).toBeGreaterThan(0);
      expect(task.sources.every((s) => /^S\d+$/.test(s))).toBe(true);
    }
  });

  it('always has the leader convene the team first', () => {
    for (const type of BUILTIN_CALAMITY_TYPES) {
      const first = [...type.tasks].sort((a, b) => durationMs(a.deadline) - durationMs(b.deadline))[0]!;
      expect(durationMs(first.deadline)).toBeLessThanOrEqual(durationMs('PT15M'));
      expect(type.tasks.some((t) => t.role === 'leader' && t.id === 'common.convene-team')).toBe(true);
    }
  });
});
