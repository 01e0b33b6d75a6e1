import { describe, expect, it } from '@jest/globals';
import { normalisePhone } from './phone-number.js';

describe(normalisePhone.name, () => {
  it.each([
    ['0612345678', '+31612345678'],
    ['06-1234 5678', '+31612345678'],
    ['06 12 34 56 78', '+31612345678'],
    ['0031612345678', '+31612345678'],
    ['+31612345678', '+31612345678'],
    ['+31 (0)6 1234 5678', '+31612345678'],
    ['+32 470 12 34 56', '+32470123456'],
    ['0049 1512 3456789', '+4915123456789'],
  ])('normalises %p to %p', (input, e164) => {
    expect(normalisePhone(input)).toEqual({ ok: true, e164 });
  });

  it.each(['', '12345', '0201234567', '06123', '061234567890', '+3161234567', 'bel me', '+0612345678', '06-abcdefgh'])(
    'refuses %p with a message in Dutch and English naming the field',
    (input) => {
      const result = normalisePhone(input);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : `${result.reason} ${result.reasonNl}`).toMatch(/^phone: .*phone: /);
    },
  );
});
