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

  it("takes a flow's waiting items in batches, in order, each counted as one item out", () => {
    const q = new FairQueue<string>(1);
    q.push('school', 's1');
    // A trigger's first assignment arrives alone and goes alone.
    expect(q.takeBatch(32)).toEqual({ flow: 'school', items: ['s1'] });
    for (let i = 2; i <= 5; i += 1) {
      q.push('school', `s${i}`);
    }
    q.push('other', 'o1');
    // The school has its one batch out: the other school's first goes meanwhile.
    expect(q.takeBatch(32)).toEqual({ flow: 'other', items: ['o1'] });
    expect(q.takeBatch(32)).toBeUndefined();
    q.release('school');
    // The rest of the trigger, at most max at once.
    expect(q.takeBatch(3)).toEqual({ flow: 'school', items: ['s2', 's3', 's4'] });
    expect(q.size).toBe(1);
    q.release('school');
    expect(q.takeBatch(3)).toEqual({ flow: 'school', items: ['s5'] });
    expect(q.size).toBe(0);
  });

  it("grows a flow's batches from one (1, 4, 16, … up to max) and starts from one again once it is done", () => {
    const q = new FairQueue<string>(1);
    const school = Array.from({ length: 30 }, (_, i) => `s${i + 1}`);
    school.forEach((item) => q.push('school', item));
    q.push('other', 'o1');
    q.push('other', 'o2');
    const batches: string[][] = [];
    for (let next = q.takeBatch(20); next; next = q.takeBatch(20)) {
      batches.push(next.items);
      q.release(next.flow);
    }

    // The most urgent few go in small batches that finish quickly; the other school takes its turns between.
    expect(batches).toEqual([['s1'], ['o1'], school.slice(1, 5), ['o2'], school.slice(5, 21), school.slice(21, 30)]);
    // Nothing waits and nothing is out: the school's next burst (its next trigger) starts from one again.
    q.push('school', 'n1');
    q.push('school', 'n2');
    expect(q.takeBatch(20)).toEqual({ flow: 'school', items: ['n1'] });
  });

  it("keeps a flow's batches growing while one is out, even when nothing of it waits meanwhile", () => {
    const q = new FairQueue<string>(1);
    q.push('school', 's1');
    expect(q.takeBatch(20)!.items).toEqual(['s1']);
    // The second assignment comes while the first is handled, after a moment with nothing waiting.
    ['s2', 's3', 's4', 's5', 's6'].forEach((item) => q.push('school', item));
    q.release('school');
    expect(q.takeBatch(20)!.items).toEqual(['s2', 's3', 's4', 's5']);
  });
});
