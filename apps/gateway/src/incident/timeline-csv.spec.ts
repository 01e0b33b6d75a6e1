import { describe, expect, it } from '@jest/globals';
import type { TimelineEntryView } from '#lib/contracts';
import { toCsv } from './timeline-csv.js';

const entry = (seq: number, data: Record<string, unknown>): TimelineEntryView => ({
  seq,
  id: `id-${seq}`,
  eventId: `e-${seq}`,
  incidentId: 'i',
  type: 'crisis.incident.activated.v1',
  occurredAt: '2026-11-28T10:00:00.000Z',
  recordedAt: '2026-11-28T10:00:00.005Z',
  actor: 'system',
  drill: false,
  data,
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
});

describe('toCsv', () => {
  it('writes a header and one line per entry, in order', () => {
    const lines = toCsv([entry(1, {}), entry(2, {})]).split('\r\n');
    expect(lines[0]).toBe('seq,occurredAt,recordedAt,type,actor,drill,data,prevHash,hash');
    expect(lines[1]!.startsWith('1,')).toBe(true);
    expect(lines[2]!.startsWith('2,')).toBe(true);
  });

  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    const csv = toCsv([
      entry(1, { summary: 'Brand, "groot"\nlokaal 12' }),
      { ...entry(2, {}), actor: '=HYPERLINK("x")' },
    ]);
    expect(csv).toContain('"{""summary"":""Brand, \\""groot\\""\\nlokaal 12""}"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
