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
  /** The structure of the entry (ids, roles, times); from version 2 without the personal texts. */
  data: Record<string, unknown>;
  /**
   * Version 2: the digest of the personal texts, which are kept apart so that they can be erased after the
   * retention period while the chain still verifies. Version 1 entries carry their texts in `data`.
   */
  hashVersion?: 1 | 2;
  textDigest?: string | null;
}

/** The data keys that hold personal text (what people typed): kept apart from version 2 on, erasable. */
export const PERSONAL_TEXT_KEYS = ['summary', 'text', 'note', 'reason', 'subject', 'detail'] as const;

/** Splits an entry's data into its structure and its personal texts (null when it has none). */
export function splitText(data: Record<string, unknown>): {
  structure: Record<string, unknown>;
  text: Record<string, unknown> | null;
} {
  const structure: Record<string, unknown> = {};
  const text: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if ((PERSONAL_TEXT_KEYS as readonly string[]).includes(key) && typeof value === 'string') {
      text[key] = value;
    } else {
      structure[key] = value;
    }
  }
  return { structure, text: Object.keys(text).length > 0 ? text : null };
}

/** SHA-256 of the canonical form of the personal texts, hex. */
export function textDigest(text: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(text)).digest('hex');
}

/** Exactly the fields the hash covers, whatever else the stored row carries. */
export function chainedContent(entry: ChainedContent): Record<string, unknown> {
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
    ...(entry.hashVersion === 2 ? { hashVersion: 2, textDigest: entry.textDigest ?? null } : {}),
  };
}

/** hash = SHA-256(previous hash ‖ canonical form of the entry), hex. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson(chainedContent(content)))
    .digest('hex');
}

/**
 * Recomputes a chain in seq order; names the first entry whose link or hash does not hold. With `texts`
 * (version 2): an entry's kept texts must match their digest, and texts that are gone must have been erased by
 * an erasure entry (`erasedSeqs`); anything else is a break.
 */
export function verifyChain(
  entries: readonly (ChainedContent & { prevHash: string; hash: string })[],
  texts?: { bySeq: ReadonlyMap<number, Record<string, unknown>>; erasedSeqs: ReadonlySet<number> },
): {
  valid: boolean;
  entries: number;
  firstBrokenSeq: number | null;
} {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    const linked = entry.seq === expectedSeq && entry.prevHash === prev && chainHash(prev, entry) === entry.hash;
    if (!linked || (texts && !textHolds(entry, texts))) {
      return { valid: false, entries: entries.length, firstBrokenSeq: entry.seq };
    }
    prev = entry.hash;
    expectedSeq += 1;
  }
  return { valid: true, entries: entries.length, firstBrokenSeq: null };
}

function textHolds(
  entry: ChainedContent,
  texts: { bySeq: ReadonlyMap<number, Record<string, unknown>>; erasedSeqs: ReadonlySet<number> },
): boolean {
  if (entry.hashVersion !== 2 || !entry.textDigest) {
    return !texts.bySeq.has(entry.seq);
  }
  const kept = texts.bySeq.get(entry.seq);
  return kept ? textDigest(kept) === entry.textDigest : texts.erasedSeqs.has(entry.seq);
}
