import { describe, expect, it } from '@jest/globals';
import { aftercareSchedule, canMove, dueDate } from './aftercare-schedule.js';

const TYPES = [
  'death-of-pupil',
  'death-of-staff',
  'suicide',
  'serious-accident-at-school',
  'accident-on-trip',
  'fire-explosion-evacuation',
  'threat-or-violence',
  'bomb-threat',
  'sexual-misconduct-by-staff',
  'missing-pupil',
  'community-disaster',
  'cyber-crisis',
];

describe('aftercare schedule', () => {
  it.each(TYPES)('%s: check-ins at one and six weeks and a look back after a year, in date order', (type) => {
    const items = aftercareSchedule(type);
    const days = items.map((i) => i.daysAfterTrigger);
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(items.find((i) => i.key === 'check-in-week-1')?.daysAfterTrigger).toBe(7);
    expect(items.find((i) => i.key === 'check-in-week-6')?.daysAfterTrigger).toBe(42);
    expect(items.find((i) => i.kind === 'anniversary')?.daysAfterTrigger).toBe(365);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    for (const item of items) {
      expect(item.title.nl.length).toBeGreaterThan(0);
      expect(item.title.en.length).toBeGreaterThan(0);
    }
  });

  it('holds a commemoration after a death, not after a fire', () => {
    for (const type of ['death-of-pupil', 'death-of-staff', 'suicide', 'community-disaster']) {
      expect(aftercareSchedule(type).some((i) => i.kind === 'commemoration')).toBe(true);
    }
    expect(aftercareSchedule('fire-explosion-evacuation').some((i) => i.kind === 'commemoration')).toBe(false);
  });

  it('keeps attention for peers for two years after a suicide, every quarter', () => {
    const peers = aftercareSchedule('suicide').filter((i) => i.kind === 'peer-attention');
    expect(peers).toHaveLength(8);
    expect(peers.at(-1)!.daysAfterTrigger).toBeGreaterThanOrEqual(2 * 364);
    expect(aftercareSchedule('death-of-pupil').some((i) => i.kind === 'peer-attention')).toBe(false);
  });

  it('dates items from the trigger in UTC', () => {
    expect(dueDate('2026-03-02T08:00:00.000Z', 7).toISOString()).toBe('2026-03-09T08:00:00.000Z');
  });

  it('moves scheduled → checked → fine, or referred → closed, and nothing else', () => {
    expect(canMove('scheduled', 'checked')).toBe(true);
    expect(canMove('checked', 'fine')).toBe(true);
    expect(canMove('checked', 'referred')).toBe(true);
    expect(canMove('referred', 'closed')).toBe(true);
    expect(canMove('scheduled', 'fine')).toBe(false);
    expect(canMove('fine', 'referred')).toBe(false);
    expect(canMove('closed', 'scheduled')).toBe(false);
  });
});
