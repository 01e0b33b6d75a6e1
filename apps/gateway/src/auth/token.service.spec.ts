import { describe, expect, it } from '@jest/globals';
import { TokenService } from './token.service.js';

describe(TokenService.name, () => {
  const person = '0b4f2a9e-3a1d-4c3f-9d56-1c2b3a4d5e6f';
  const session = '7d1c2b3a-4d5e-4f60-8a1b-2c3d4e5f6a7b';

  it('verifies a token it issued and returns the person', () => {
    const tokens = new TokenService('a'.repeat(32), 900);
    const { token } = tokens.issue(person, session);
    expect(tokens.verify(token)).toMatchObject({ sub: person, sid: session });
  });

  it('refuses an expired token', () => {
    const tokens = new TokenService('a'.repeat(32), 60);
    const { token } = tokens.issue(person, session, Date.parse('2026-11-28T10:00:00Z'));
    expect(tokens.verify(token, Date.parse('2026-11-28T10:00:59Z'))).not.toBeNull();
    expect(tokens.verify(token, Date.parse('2026-11-28T10:01:01Z'))).toBeNull();
  });

  it('refuses a token signed with another secret, or with its claims changed', () => {
    const { token } = new TokenService('a'.repeat(32), 900).issue(person, session);
    expect(new TokenService('b'.repeat(32), 900).verify(token)).toBeNull();
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'someone-else', sid: session, iat: 0, exp: 4_000_000_000 }),
    ).toString('base64url');
    expect(new TokenService('a'.repeat(32), 900).verify(`${header}.${forged}.${signature}`)).toBeNull();
  });

  it('refuses garbage', () => {
    const tokens = new TokenService(undefined, 900);
    for (const bad of ['', 'a.b', 'a.b.c', 'x'.repeat(500)]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });
});
