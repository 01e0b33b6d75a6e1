import { createHash } from 'node:crypto';

/** The hash before the first entry of an incident's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON (after RFC 8785 for the values we store: strings, integers, booleans, null, arrays, objects):
 * object keys sorted by code point, no whitespace. The same entry hashes the same in every code version.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error('non-finite numbers have no canonical JSON form');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`no canonical JSON form for ${typeof value}`);
}

/** What the hash covers: everything an entry says, and its place in the chain. */
export interface ChainedContent {
  incidentId: string;
  seq: number;
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actor: string;
  drill: boolean;
  data: Record<string, unknown>;
}

/** Exactly the fields the hash covers, whatever else the stored row carries. */
export function chainedContent(entry: ChainedContent): ChainedContent {
  return {
    incidentId: entry.incidentId,
    seq: entry.seq,
    eventId: entry.eventId,
    type: entry.type,
    occurredAt: entry.occurredAt,
    recordedAt: entry.recordedAt,
    actor: entry.actor,
    drill: entry.drill,
    data: entry.data,
  };
}

/** hash = SHA-256(previous hash ‖ canonical form of the entry), hex. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson(chainedContent(content)))
    .digest('hex');
}

/** Recomputes a chain in seq order; names the first entry whose link or hash does not hold. */
export function verifyChain(entries: readonly (ChainedContent & { prevHash: string; hash: string })[]): {
  valid: boolean;
  entries: number;
  firstBrokenSeq: number | null;
} {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq || entry.prevHash !== prev || chainHash(prev, chainedContent(entry)) !== entry.hash) {
      return { valid: false, entries: entries.length, firstBrokenSeq: entry.seq };
    }
    prev = entry.hash;
    expectedSeq += 1;
  }
  return { valid: true, entries: entries.length, firstBrokenSeq: null };
}
