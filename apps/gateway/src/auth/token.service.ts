import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface AccessClaims {
  /** The person id. */
  sub: string;
  /** The session the token belongs to: revoking it stops the token at once. */
  sid: string;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Short-lived signed access tokens (HS256 JWT) of a session; the session's refresh token makes new ones. */
export class TokenService {
  private readonly key: Buffer;

  constructor(
    secret: string | undefined,
    private readonly ttlSeconds: number,
  ) {
    this.key = secret ? Buffer.from(secret) : randomBytes(32);
  }

  issue(personId: string, sessionId: string, now = Date.now()): { token: string; expiresAt: Date } {
    const iat = Math.floor(now / 1000);
    const claims: AccessClaims = { sub: personId, sid: sessionId, iat, exp: iat + this.ttlSeconds };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return { token: `${body}.${this.sign(body)}`, expiresAt: new Date(claims.exp * 1000) };
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  verify(token: string, now = Date.now()): AccessClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) {
      return null;
    }
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return null;
    }
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as AccessClaims;
      return typeof claims.sub === 'string' &&
        typeof claims.sid === 'string' &&
        typeof claims.exp === 'number' &&
        claims.exp * 1000 > now
        ? claims
        : null;
    } catch {
      return null;
    }
  }

  /** A key for another purpose, derived from the signing key (so every gateway instance shares it). */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`crisisklaar:${purpose}`).digest();
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
