import { describe, expect, it } from '@jest/globals';
import { describeFindings, redisFindings, refusesProduction, streamFindings } from './durability.js';

const stream = { name: 'CRISIS', storage: 'file', replicas: 3, duplicateWindowMs: 600_000 };

describe('durability checks', () => {
  it('accepts a replicated file stream with a long enough duplicate window, in production too', () => {
    expect(streamFindings(stream, true)).toEqual([]);
    expect(refusesProduction(streamFindings(stream, true), true)).toBe(false);
  });

  it('refuses memory storage, a short duplicate window, and one replica in production only', () => {
    const findings = streamFindings({ ...stream, storage: 'memory', replicas: 1, duplicateWindowMs: 60_000 }, true);
    expect(describeFindings(findings)).toEqual([
      'stream CRISIS storage: memory, want file',
      'stream CRISIS duplicate window: 60 s, want ≥ 120 s',
      'stream CRISIS replicas: 1, want ≥ 3 (NATS_STREAM_REPLICAS on a cluster)',
    ]);
    expect(refusesProduction(findings, true)).toBe(true);
    const development = streamFindings({ ...stream, replicas: 1 }, false);
    expect(development).toEqual([]);
    expect(refusesProduction(streamFindings({ ...stream, storage: 'memory' }, false), false)).toBe(false);
  });

  it('wants Redis never to evict, and an append-only file in production; an unreadable setting is said, not refused', () => {
    expect(redisFindings({ maxmemoryPolicy: 'noeviction', appendonly: 'yes' }, true)).toEqual([]);
    const evicting = redisFindings({ maxmemoryPolicy: 'allkeys-lru', appendonly: 'no' }, true);
    expect(describeFindings(evicting)).toEqual([
      'Redis maxmemory-policy: allkeys-lru, want noeviction',
      'Redis appendonly: no, want yes (AOF)',
    ]);
    expect(refusesProduction(evicting, true)).toBe(true);
    expect(redisFindings({ maxmemoryPolicy: 'noeviction', appendonly: 'no' }, false)).toEqual([]);
    const managed = redisFindings({ maxmemoryPolicy: null, appendonly: null }, true);
    expect(managed.map((f) => f.severity)).toEqual(['unknown', 'unknown']);
    expect(refusesProduction(managed, true)).toBe(false);
  });
});
