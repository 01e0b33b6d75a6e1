import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  canonicalContent,
  canonicalJson,
  chainedContent,
  chainHash,
  GENESIS_HASH,
  verifyChain,
  type ChainedContent,
} from './hash-chain.js';

function chain(n: number) {
  const entries: (ChainedContent & { prevHash: string; hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const content: ChainedContent = {
      incidentId: '018f0000-0000-7000-8000-000000000001',
      seq,
      eventId: `018f0000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
      type: 'crisis.task.assigned.v1',
      occurredAt: '2026-11-28T10:00:00.000Z',
      recordedAt: '2026-11-28T10:00:00.010Z',
      actor: 'system',
      drill: false,
      data: { taskId: `t${seq}`, title: { nl: 'Bel de familie', en: 'Call the family' } },
    };
    const hash = chainHash(prev, content);
    entries.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return entries;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: true, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('is the same for the same value built in another order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });

  it('gives exactly the form of the first implementation, so stored hashes still verify', () => {
    // The implementation the stored chains were hashed with, kept here as the reference.
    const reference = (value: unknown): string => {
      if (value === null || typeof value === 'boolean' || typeof value === 'string') {
        return JSON.stringify(value);
      }
      if (typeof value === 'number') {
        return JSON.stringify(value);
      }
      if (Array.isArray(value)) {
        return `[${value.map(reference).join(',')}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const keys = [
      'a',
      'B',
      'b',
      'aa',
      '',
      'é',
      'z',
      '\u{1F600}',
      '\uFF5E',
      '10',
      '9',
      'taskId',
      'data',
      'ü"\\',
      '\ud800',
      'x\udfff',
      '\u007f',
      '\t',
    ];
    const value = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 3 ? 5 : 8));
      switch (pick) {
        case 0:
          return null;
        case 1:
          return random() < 0.5;
        case 2:
          return Math.floor(random() * 2000) - 1000 + (random() < 0.3 ? 0.25 : 0);
        case 3:
          return keys[Math.floor(random() * keys.length)]! + String(random()).slice(2, 5) + '\n\u2028';
        case 4:
          return 'x';
        case 5:
        case 6: {
          const object: Record<string, unknown> = {};
          for (let i = Math.floor(random() * 6); i > 0; i -= 1) {
            object[keys[Math.floor(random() * keys.length)]!] = random() < 0.1 ? undefined : value(depth + 1);
          }
          return object;
        }
        default:
          return Array.from({ length: Math.floor(random() * 5) }, () => value(depth + 1));
      }
    };
    for (let i = 0; i < 2000; i += 1) {
      const sample = {
        data: value(0),
        seq: i,
        drill: false,
        many: Object.fromEntries(keys.map((k, j) => [k + (i % 7), j])),
      };
      expect(canonicalJson(sample)).toBe(reference(sample));
    }
  });
});

describe('chainHash', () => {
  it('hashes exactly what the first implementation hashed, for entries of both versions', () => {
    // The first implementation: the content object, canonical JSON, SHA-256 over the previous hash and it.
    const reference = (prev: string, content: ChainedContent) =>
      createHash('sha256')
        .update(prev)
        .update(canonicalJson(chainedContent(content)))
        .digest('hex');
    const contents: ChainedContent[] = [
      ...chain(3),
      {
        ...chain(1)[0]!,
        type: 'crisis.log.entry-added.v1',
        actor: '018f0000-0000-7000-8000-0000000000aa',
        drill: true,
        data: { 'é\\"': ['ü', { b: 1, a: null, '\u2028': 'x\ny' }], n: -0.25, empty: {} },
        hashVersion: 2,
        textDigest: 'd'.repeat(64),
      },
      { ...chain(1)[0]!, hashVersion: 2, textDigest: null },
      { ...chain(1)[0]!, hashVersion: 2 },
      { ...chain(1)[0]!, hashVersion: 1, data: {} },
    ];
    for (const content of contents) {
      expect(canonicalContent(content)).toBe(canonicalJson(chainedContent(content)));
      expect(chainHash(GENESIS_HASH, content)).toBe(reference(GENESIS_HASH, content));
    }
    // A stored entry from before this form was written directly still verifies.
    const stored = chain(2);
    expect(chainHash(stored[0]!.hash, stored[1]!)).toBe(reference(stored[0]!.hash, stored[1]!));
  });

  it('changes with every field the hash covers', () => {
    const [base] = chain(1);
    const changed: Partial<ChainedContent>[] = [
      { incidentId: 'other' },
      { seq: 2 },
      { eventId: 'other' },
      { type: 'other' },
      { occurredAt: '2026-11-28T10:00:00.001Z' },
      { recordedAt: '2026-11-28T10:00:00.011Z' },
      { actor: 'other' },
      { drill: true },
      { data: { taskId: 't1' } },
      { hashVersion: 2 },
    ];
    const hashes = new Set([chainHash(GENESIS_HASH, base!)]);
    for (const change of changed) {
      hashes.add(chainHash(GENESIS_HASH, { ...base!, ...change }));
    }
    hashes.add(chainHash(GENESIS_HASH, { ...base!, hashVersion: 2, textDigest: 'd'.repeat(64) }));
    expect(hashes.size).toBe(changed.length + 2);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain', () => {
    expect(verifyChain(chain(5))).toEqual({ valid: true, entries: 5, firstBrokenSeq: null });
  });

  it('ignores stored columns the hash does not cover', () => {
    const rows = chain(3).map((e) => ({ ...e, id: 'row-id', schoolId: 'school', correlationId: 'c' }));
    expect(verifyChain(rows).valid).toBe(true);
  });

  it('names the first entry whose content was changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, data: { taskId: 't3', title: { nl: 'Bel NIET de familie', en: 'x' } } };
    expect(verifyChain(entries)).toEqual({ valid: false, entries: 5, firstBrokenSeq: 3 });
  });

  it('names the entry after a removed one', () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(verifyChain(entries).firstBrokenSeq).toBe(3);
  });

  it('catches a rewritten entry even when its own hash was recomputed', () => {
    const entries = chain(4);
    const forged = { ...entries[1]!, actor: 'someone-else' };
    forged.hash = chainHash(forged.prevHash, forged);
    entries[1] = forged;
    expect(verifyChain(entries).firstBrokenSeq).toBe(3);
  });
});
