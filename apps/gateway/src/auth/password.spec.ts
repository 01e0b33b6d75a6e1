import { describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password only, with a salt of its own per hash', async () => {
    const a = await hashPassword('Crisisklaar-demo-2026');
    const b = await hashPassword('Crisisklaar-demo-2026');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('Crisisklaar-demo-2026', a)).toBe(true);
    expect(await verifyPassword('crisisklaar-demo-2026', a)).toBe(false);
    expect(await verifyPassword('Crisisklaar-demo-2026', 'not-a-hash')).toBe(false);
  });
});
