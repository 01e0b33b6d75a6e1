import { describe, expect, it } from '@jest/globals';
import { FairQueue } from './fair-queue.js';

const drain = <T>(q: FairQueue<T>): T[] => {
  const out: T[] = [];
  for (let item = q.shift(); item !== undefined; item = q.shift()) {
    out.push(item);
  }
  return out;
};

describe('FairQueue', () => {
  it('serves flows in turn, each in arrival order', () => {
    const q = new FairQueue<string>();
    for (const item of ['a1', 'a2', 'a3', 'a4']) {
      q.push('a', item);
    }
    q.push('b', 'b1');
    q.push('c', 'c1');
    q.push('b', 'b2');
    expect(q.size).toBe(7);
    expect(drain(q)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    expect(q.size).toBe(0);
  });

  it('puts a flow that arrives late after the flows already waiting, not behind their whole backlog', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 30; i += 1) {
      q.push('big', `big${i}`);
    }
    expect(q.shift()).toBe('big1');
    q.push('late', 'late1');
    expect([q.shift(), q.shift()]).toEqual(['big2', 'late1']);
  });

  it('is first in, first out with one flow', () => {
    const q = new FairQueue<number>();
    [3, 1, 2].forEach((n) => q.push('', n));
    expect(drain(q)).toEqual([3, 1, 2]);
    expect(q.shift()).toBeUndefined();
  });

  it('lists and clears what waits', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('b', 'b1');
    q.push('a', 'a2');
    expect([...q.items()].sort()).toEqual(['a1', 'a2', 'b1']);
    expect(q.clear().sort()).toEqual(['a1', 'a2', 'b1']);
    expect(q.size).toBe(0);
    q.push('c', 'c1');
    expect(drain(q)).toEqual(['c1']);
  });
});
