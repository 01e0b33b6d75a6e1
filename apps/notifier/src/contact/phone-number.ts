/**
 * A phone number as the notifier stores it: E.164 (`+31612345678`). Dutch mobile numbers as people type them
 * (`06-1234 5678`, `0031 6 …`, `+31 (0)6 …`) are normalised; anything else that is not E.164 is refused.
 */
export function normalisePhone(
  input: string,
): { ok: true; e164: string } | { ok: false; reason: string; reasonNl: string } {
  const compact = input.trim().replace(/[\s\-.()]/g, '');
  const candidates = [
    [/^06(\d{8})$/, (m: RegExpExecArray) => `+316${m[1]}`],
    [/^00316(\d{8})$/, (m: RegExpExecArray) => `+316${m[1]}`],
    [/^\+3106(\d{8})$/, (m: RegExpExecArray) => `+316${m[1]}`], // "+31 (0)6 …"
    [/^00([1-9]\d{7,14})$/, (m: RegExpExecArray) => `+${m[1]}`],
    [/^\+([1-9]\d{7,14})$/, (m: RegExpExecArray) => `+${m[1]}`],
  ] as const;
  for (const [pattern, build] of candidates) {
    const match = pattern.exec(compact);
    if (match) {
      const e164 = build(match);
      if (e164.startsWith('+31') && !/^\+31[1-9]\d{8}$/.test(e164)) {
        break; // a Dutch number has nine digits after +31
      }
      return { ok: true, e164 };
    }
  }
  return {
    ok: false,
    reason: 'phone: give a mobile number like 06 12345678 or an international number like +32470123456',
    reasonNl: 'phone: geef een mobiel nummer zoals 06 12345678, of een internationaal nummer zoals +32470123456',
  };
}
