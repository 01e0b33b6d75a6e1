import { describe, expect, it } from '@jest/globals';
import { FairQueue } from './fair-queue.js';

/** Takes everything, releasing each item at once (as a handler that finishes before the next starts). */
const drain = <T>(q: FairQueue<T>): T[] => {
  const out: T[] = [];
  for (let next = q.take(); next !== undefined; next = q.take()) {
    out.push(next.item);
    q.release(next.flow);
  }
  return out;
};
const shift = <T>(q: FairQueue<T>): T | undefined => {
  const next = q.take();
  if (next) {
    q.release(next.flow);
  }
  return next?.item;
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
    expect(shift(q)).toBe('big1');
    q.push('late', 'late1');
    expect([shift(q), shift(q)]).toEqual(['big2', 'late1']);
  });

  it('is first in, first out with one flow', () => {
    const q = new FairQueue<number>();
    [3, 1, 2].forEach((n) => q.push('', n));
    expect(drain(q)).toEqual([3, 1, 2]);
    expect(q.take()).toBeUndefined();
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

  it('takes at most perFlow items of one flow until they are released, and lets other flows pass meanwhile', () => {
    const q = new FairQueue<string>(2);
    for (let i = 1; i <= 5; i += 1) {
      q.push('school', `s${i}`);
    }
    const first = q.take()!;
    const second = q.take()!;
    expect([first.item, second.item]).toEqual(['s1', 's2']);
    // The school has two out: nothing more of it, however many wait.
    expect(q.take()).toBeUndefined();
    expect(q.size).toBe(3);
    // Another school's first message is not held up by the bound.
    q.push('other', 'o1');
    expect(q.take()).toEqual({ flow: 'other', item: 'o1' });
    expect(q.take()).toBeUndefined();
    q.release(first.flow);
    expect(q.take()?.item).toBe('s3');
    expect(q.take()).toBeUndefined();
    q.release(second.flow);
    q.release('other');
    expect(q.take()?.item).toBe('s4');
    expect(q.size).toBe(1);
  });

  it('takes up to max waiting items of one flow as one batch, in order, counted as one item out', () => {
    const q = new FairQueue<string>(1);
    q.push('school', 's1');
    // A trigger's first assignment arrives alone and goes alone.
    const leader = q.takeBatch(32)!;
    expect(leader).toEqual({ flow: 'school', items: ['s1'] });
    for (let i = 2; i <= 5; i += 1) {
      q.push('school', `s${i}`);
    }
    q.push('other', 'o1');
    q.push('other', 'o2');
    // The school has its one item out: the other school's waiting items go, together, meanwhile.
    expect(q.takeBatch(32)).toEqual({ flow: 'other', items: ['o1', 'o2'] });
    expect(q.takeBatch(32)).toBeUndefined();
    q.release('school');
    // The rest of the trigger, at most max at once.
    expect(q.takeBatch(3)).toEqual({ flow: 'school', items: ['s2', 's3', 's4'] });
    expect(q.size).toBe(1);
    q.release('school');
    expect(q.takeBatch(3)).toEqual({ flow: 'school', items: ['s5'] });
    expect(q.size).toBe(0);
  });
});
