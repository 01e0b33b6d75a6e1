import { describe, expect, it } from '@jest/globals';
import { uuidv7, uuidv7Time } from './uuidv7.js';

// The generator keeps the last millisecond it used (module state), so each test uses timestamps above every
// earlier test's: an id is never dated before one made earlier.
const DAY = 86_400_000;
const FUTURE = Date.UTC(2040, 0, 1);

const versionNibble = (id: string): string => id.charAt(14);
const variantNibble = (id: string): string => id.charAt(19);
/** The index of the first id not greater than the one before it, or -1 when they strictly increase. */
const firstOutOfOrder = (ids: string[]): number => ids.findIndex((id, i) => i > 0 && id <= ids.at(i - 1)!);

describe('uuidv7', () => {
  it('has the RFC 9562 layout: 8-4-4-4-12 hex, version 7, variant 10xx', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = uuidv7();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(versionNibble(id)).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(variantNibble(id));
    }
  });

  it('carries the millisecond it was made in: uuidv7Time round-trips', () => {
    const ms = FUTURE + 123;
    const id = uuidv7(ms);
    expect(uuidv7Time(id)).toBe(ms);
    expect(uuidv7Time(uuidv7(ms + 1))).toBe(ms + 1);
  });

  it('is strictly increasing within one millisecond', () => {
    const ms = FUTURE + DAY;
    const ids = Array.from({ length: 1_000 }, () => uuidv7(ms));
    expect(new Set(ids).size).toBe(ids.length);
    expect(firstOutOfOrder(ids)).toBe(-1);
    expect(uuidv7Time(ids.at(0)!)).toBe(ms);
  });

  it('borrows the next millisecond rather than repeat or go back when one millisecond runs out of ids', () => {
    const ms = FUTURE + 2 * DAY;
    // 4096 counter values per millisecond at most, so 10 000 ids must spill over.
    const ids = Array.from({ length: 10_000 }, () => uuidv7(ms));
    expect(firstOutOfOrder(ids)).toBe(-1);
    expect(ids.every((id) => versionNibble(id) === '7')).toBe(true);
    expect(uuidv7Time(ids.at(-1)!)).toBeGreaterThan(ms);
    expect(uuidv7Time(ids.at(-1)!) - ms).toBeLessThan(10);
  });

  it('never goes back when the clock does', () => {
    const ms = FUTURE + 3 * DAY;
    const first = uuidv7(ms);
    const afterClockStep = uuidv7(ms - 60_000);
    expect(afterClockStep > first).toBe(true);
    expect(uuidv7Time(afterClockStep)).toBe(ms);
  });

  it('encodes all 48 bits of the timestamp, big-endian', () => {
    const ms = 0x1a2b3c4d5e6f; // year 2881: above every other test's time
    const id = uuidv7(ms);
    expect(id.slice(0, 13)).toBe('1a2b3c4d-5e6f');
    expect(uuidv7Time(id)).toBe(ms);
  });
});
