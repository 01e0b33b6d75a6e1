import type { TimelineEntryView } from '#lib/contracts';

const COLUMNS = ['seq', 'occurredAt', 'recordedAt', 'type', 'actor', 'drill', 'data', 'prevHash', 'hash'] as const;

/** RFC 4180 field; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
function field(value: unknown): string {
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(entries: readonly TimelineEntryView[]): string {
  const lines = [COLUMNS.join(',')];
  for (const entry of entries) {
    lines.push(COLUMNS.map((c) => field(entry[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
