import { hash } from 'node:crypto';

/** The hash before the first entry of an incident's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON (after RFC 8785 for the values we store: strings, integers, booleans, null, arrays, objects):
 * object keys sorted by code point, no whitespace. The same entry hashes the same in every code version.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') {
    return quote(value);
  }
  if (value === null || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error('non-finite numbers have no canonical JSON form');
    }
    return JSON.stringify(value);
  }
  // Built by concatenation, without intermediate arrays: verification hashes every entry of a chain.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) {
        out += ',';
      }
      if (i in value) {
        out += canonicalJson(value[i]);
      }
    }
    return `${out}]`;
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = sortedKeys(object);
    let out = '{';
    for (const key of keys) {
      const member = object[key];
      if (member === undefined) {
        continue;
      }
      if (out.length > 1) {
        out += ',';
      }
      out += `${quote(key)}:${canonicalJson(member)}`;
    }
    return `${out}}`;
  }
  throw new Error(`no canonical JSON form for ${typeof value}`);
}

/** What JSON.stringify escapes in a string: a quote, a backslash, control characters, and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what must be found
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(text)`, without its cost for the strings that need no escape (nearly all of them). */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * An object's keys in the order of the default sort (UTF-16 code units, exactly the comparison the stored
 * hashes were made with, and what `<` does on strings); by insertion when there are few, as in nearly every entry.
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) {
    return keys.sort();
  }
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
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
  return hash('sha256', canonicalJson(text));
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

/**
 * `canonicalJson(chainedContent(entry))`, written directly: the keys are fixed, so they are written in their
 * sorted order without building the object and sorting its keys (verification does this for every entry).
 */
export function canonicalContent(entry: ChainedContent): string {
  const v2 = entry.hashVersion === 2;
  let out = member('{', 'actor', entry.actor);
  out = member(out, 'data', entry.data);
  out = member(out, 'drill', entry.drill);
  out = member(out, 'eventId', entry.eventId);
  if (v2) {
    out = member(out, 'hashVersion', 2);
  }
  out = member(out, 'incidentId', entry.incidentId);
  out = member(out, 'occurredAt', entry.occurredAt);
  out = member(out, 'recordedAt', entry.recordedAt);
  out = member(out, 'seq', entry.seq);
  if (v2) {
    out = member(out, 'textDigest', entry.textDigest ?? null);
  }
  out = member(out, 'type', entry.type);
  return `${out}}`;
}

/** One member of a canonical object whose key is a plain identifier (its JSON form is itself in quotes). */
function member(out: string, key: string, value: unknown): string {
  if (value === undefined) {
    return out;
  }
  return `${out}${out.length > 1 ? ',' : ''}"${key}":${canonicalJson(value)}`;
}

/** hash = SHA-256(previous hash ‖ canonical form of the entry), hex. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return hash('sha256', prevHash + canonicalContent(content));
}

/** The texts of a version-2 chain: those kept, by seq, and the seqs an erasure entry names. */
export interface ChainTexts {
  bySeq: ReadonlyMap<number, Record<string, unknown>>;
  erasedSeqs: ReadonlySet<number>;
}

/**
 * Recomputes a chain in seq order, entries fed in as they are read (so a long chain need not be held whole);
 * remembers the first entry whose link or hash does not hold. With `texts` (version 2): an entry's kept texts
 * must match their digest, and texts that are gone must have been erased by an erasure entry; anything else is
 * a break.
 */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private seen = 0;
  private broken: number | null = null;

  constructor(private readonly texts?: ChainTexts) {}

  /** Checks the next entry; false once the chain is broken (later entries are only counted). */
  add(entry: ChainedContent & { prevHash: string; hash: string }): boolean {
    this.seen += 1;
    if (this.broken !== null) {
      return false;
    }
    const prev = this.prev;
    const linked = entry.seq === this.expectedSeq && entry.prevHash === prev && chainHash(prev, entry) === entry.hash;
    if (!linked || (this.texts && !textHolds(entry, this.texts))) {
      this.broken = entry.seq;
      return false;
    }
    this.prev = entry.hash;
    this.expectedSeq += 1;
    return true;
  }

  /** The outcome so far; `entries` is how many were fed in. */
  result(entries = this.seen): { valid: boolean; entries: number; firstBrokenSeq: number | null } {
    return { valid: this.broken === null, entries, firstBrokenSeq: this.broken };
  }
}

/** Recomputes a whole chain in seq order; names the first entry whose link, hash or texts do not hold. */
export function verifyChain(
  entries: readonly (ChainedContent & { prevHash: string; hash: string })[],
  texts?: ChainTexts,
): {
  valid: boolean;
  entries: number;
  firstBrokenSeq: number | null;
} {
  const verifier = new ChainVerifier(texts);
  for (const entry of entries) {
    if (!verifier.add(entry)) {
      break;
    }
  }
  return verifier.result(entries.length);
}

function textHolds(entry: ChainedContent, texts: ChainTexts): boolean {
  if (entry.hashVersion !== 2 || !entry.textDigest) {
    return !texts.bySeq.has(entry.seq);
  }
  const kept = texts.bySeq.get(entry.seq);
  return kept ? textDigest(kept) === entry.textDigest : texts.erasedSeqs.has(entry.seq);
}
