import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { HttpError } from './http-helpers.js';

/** VAPID (RFC 8292) allows a JWT to expire at most 24 hours ahead. */
const MAX_EXPIRY_AHEAD_SECONDS = 24 * 60 * 60;

/** Who sent a push, as proven by its VAPID JWT. */
export interface VapidIdentity {
  /** Contact of the application server: a `mailto:` or `https:` URI. */
  sub: string;
  /** Origin of the push service the JWT was made for. */
  aud: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** The application server's public key (the `k` parameter), base64url. */
  publicKey: string;
}

/** What a push service expects of a VAPID JWT. */
export interface VapidExpectations {
  audience: string;
  /** When set, only this application server key is accepted (403 otherwise). */
  expectedPublicKey?: string | undefined;
}

/**
 * Checks an `Authorization: vapid t=<JWT>, k=<key>` header the way a push service does.
 * Throws an {@link HttpError} (401, or 403 for an unexpected key) that says what is wrong.
 */
export function verifyVapidAuthorization(header: string | undefined, expected: VapidExpectations): VapidIdentity {
  const { token, publicKey } = parseAuthorization(header);
  const claims = verifyJwt(token, publicKey);
  const identity = { ...checkClaims(claims, expected.audience), publicKey };
  if (expected.expectedPublicKey !== undefined && !sameKey(publicKey, expected.expectedPublicKey)) {
    throw new HttpError(403, 'VAPID key k is not the application server key this service expects');
  }
  return identity;
}

function parseAuthorization(header: string | undefined): { token: string; publicKey: string } {
  const match = /^vapid\s+(.+)$/i.exec(header ?? '');
  if (!match) {
    throw new HttpError(401, 'missing Authorization: vapid t=<JWT>, k=<public key> header (RFC 8292)');
  }
  const params = new Map(
    match[1]!.split(',').map((part) => {
      const [name, ...value] = part.trim().split('=');
      return [(name ?? '').toLowerCase(), value.join('=')] as const;
    }),
  );
  const token = params.get('t');
  const publicKey = params.get('k');
  if (!token || !publicKey) {
    throw new HttpError(401, 'VAPID Authorization header needs both t= and k=');
  }
  return { token, publicKey };
}

function verifyJwt(token: string, publicKey: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new HttpError(401, 'VAPID t= is not a JWT (header.payload.signature)');
  }
  const [header = '', payload = '', signature = ''] = parts;
  if (decodeSegment(header).alg !== 'ES256') {
    throw new HttpError(401, 'VAPID JWT must use alg ES256');
  }
  const key = toKeyObject(publicKey);
  const data = Buffer.from(`${header}.${payload}`);
  const valid = verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!valid) {
    throw new HttpError(401, 'VAPID JWT signature does not verify with key k');
  }
  return decodeSegment(payload);
}

/** Builds a key from a 65-byte uncompressed P-256 point (0x04 || x || y). */
function toKeyObject(publicKey: string): KeyObject {
  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new HttpError(401, 'VAPID k must be a 65-byte uncompressed P-256 public key');
  }
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33).toString('base64url'),
  };
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new HttpError(401, 'VAPID k is not a point on P-256');
  }
}

function checkClaims(claims: Record<string, unknown>, audience: string): Omit<VapidIdentity, 'publicKey'> {
  const { sub, aud, exp } = claims;
  if (aud !== audience) {
    throw new HttpError(401, `VAPID aud must be the push service origin ${audience}, got ${String(aud)}`);
  }
  if (typeof exp !== 'number') {
    throw new HttpError(401, 'VAPID JWT has no numeric exp');
  }
  const now = Math.floor(Date.now() / 1000);
  if (exp <= now) {
    throw new HttpError(401, 'VAPID JWT has expired');
  }
  if (exp > now + MAX_EXPIRY_AHEAD_SECONDS) {
    throw new HttpError(401, 'VAPID exp is more than 24 hours ahead');
  }
  if (typeof sub !== 'string' || !/^(mailto|https):/.test(sub)) {
    throw new HttpError(401, 'VAPID sub must be a mailto: or https: URI');
  }
  return { sub, aud, exp };
}

function decodeSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null) {
      return value as Record<string, unknown>;
    }
  } catch {
    // fall through to the rejection below
  }
  throw new HttpError(401, 'VAPID JWT segment is not base64url JSON');
}

function sameKey(a: string, b: string): boolean {
  return Buffer.from(a, 'base64url').equals(Buffer.from(b, 'base64url'));
}
