import { describe, expect, it } from '@jest/globals';
import { dueAt, durationMs } from './iso-duration.js';

describe('durationMs', () => {
  it.each([
    ['PT15M', 15 * 60_000],
    ['PT1H', 3_600_000],
    ['PT1H30M', 5_400_000],
    ['PT45S', 45_000],
    ['P1D', 86_400_000],
    ['P2DT4H', (48 + 4) * 3_600_000],
  ])('reads %s', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '15M', 'P1M', 'P1Y', 'P1W', 'PT-5M', 'PT1.5H'])('refuses %p', (text) => {
    expect(() => durationMs(text)).toThrow(/ISO-8601/);
  });
});

describe('dueAt', () => {
  it('adds the deadline to the trigger time, in UTC', () => {
    const triggered = new Date('2026-03-29T00:30:00Z'); // the night the clocks go forward in Amsterdam
    expect(dueAt(triggered, 'PT2H').toISOString()).toBe('2026-03-29T02:30:00.000Z');
  });
});
