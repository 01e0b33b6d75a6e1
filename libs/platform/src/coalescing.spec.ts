import { describe, expect, it } from '@jest/globals';
import { Coalescer, CoalescingReader } from './coalescing.js';

/** A store read by hand: each call to readMany waits until the test answers it. */
function store(values: Record<string, number>) {
  const calls: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = [];
  const reader = new CoalescingReader<string, number>(
    (keys) =>
      new Promise((resolve, reject) => {
        calls.push({
          keys,
          answer: () => resolve(new Map(keys.filter((k) => k in values).map((k) => [k, values[k]!]))),
          fail: reject,
        });
      }),
    { maxKeys: 3 },
  );
  return { reader, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingReader', () => {
  it('reads a key at once when no read is on its way', async () => {
    const { reader, calls } = store({ a: 1 });
    const a = reader.read('a');
    expect(calls.map((c) => c.keys)).toEqual([['a']]);
    calls[0]!.answer();
    await expect(a).resolves.toBe(1);
  });

  it('sends the reads made meanwhile together after the one on its way, at most maxKeys at a time', async () => {
    const { reader, calls } = store({ a: 1, b: 2, c: 3, d: 4, e: 5 });
    const first = reader.read('a');
    const later = ['b', 'c', 'd', 'e'].map((k) => reader.read(k));
    expect(calls.map((c) => c.keys)).toEqual([['a']]);

    calls[0]!.answer();
    await settle();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.answer();
    await settle();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    calls[2]!.answer();

    await expect(first).resolves.toBe(1);
    await expect(Promise.all(later)).resolves.toEqual([2, 3, 4, 5]);
  });

  it('gives each caller its own key, undefined for a key not found, and asks for a key once', async () => {
    const { reader, calls } = store({ a: 1, c: 3 });
    const first = reader.read('x');
    const later = [reader.read('c'), reader.read('missing'), reader.read('c')];
    calls[0]!.answer();
    await settle();
    expect(calls[1]!.keys).toEqual(['c', 'missing']);
    calls[1]!.answer();
    await expect(first).resolves.toBeUndefined();
    await expect(Promise.all(later)).resolves.toEqual([3, undefined, 3]);
  });

  it('fails only the reads a failed read carried; the next ones go as before', async () => {
    const { reader, calls } = store({ a: 1, b: 2 });
    const first = reader.read('a');
    const second = reader.read('b');
    calls[0]!.fail(new Error('connection reset'));
    await expect(first).rejects.toThrow('connection reset');
    await settle();
    calls[1]!.answer();
    await expect(second).resolves.toBe(2);
    const third = reader.read('a');
    calls[2]!.answer();
    await expect(third).resolves.toBe(1);
  });

  it('fails the reads when readMany throws instead of rejecting, and keeps reading', async () => {
    let broken = true;
    const reader = new CoalescingReader<string, number>(
      (keys) => {
        if (broken) {
          throw new Error('not connected');
        }
        return Promise.resolve(new Map(keys.map((k) => [k, k.length])));
      },
      { maxKeys: 10 },
    );
    await expect(reader.read('a')).rejects.toThrow('not connected');
    broken = false;
    await expect(reader.read('abc')).resolves.toBe(3);
  });
});

describe('Coalescer', () => {
  /** Doubles numbers, by hand: each run waits until the test answers it; a negative number fails alone. */
  const doubler = () => {
    const runs: { items: number[]; answer: () => void }[] = [];
    const coalescer = new Coalescer<number, number>(
      (items) =>
        new Promise((resolve) => {
          runs.push({
            items,
            answer: () => resolve(items.map((n) => (n < 0 ? Promise.reject(new Error(`${n} is negative`)) : 2 * n))),
          });
        }),
      { maxItems: 4 },
    );
    return { coalescer, runs };
  };

  it('runs an item at once when no run is on its way, and the items given meanwhile together after it', async () => {
    const { coalescer, runs } = doubler();
    const first = coalescer.run(1);
    const later = [2, 3, 2].map((n) => coalescer.run(n));
    expect(runs.map((r) => r.items)).toEqual([[1]]);
    runs[0]!.answer();
    await settle();
    // Every item is its own: a write given twice runs twice (unlike a read).
    expect(runs.map((r) => r.items)).toEqual([[1], [2, 3, 2]]);
    runs[1]!.answer();
    await expect(first).resolves.toBe(2);
    await expect(Promise.all(later)).resolves.toEqual([4, 6, 4]);
  });

  it('fails an item that failed alone, and answers the others of its run', async () => {
    const { coalescer, runs } = doubler();
    void coalescer.run(0);
    const results = [5, -1, 7].map((n) => coalescer.run(n).catch((error: Error) => error.message));
    runs[0]!.answer();
    await settle();
    runs[1]!.answer();
    await expect(Promise.all(results)).resolves.toEqual([10, '-1 is negative', 14]);
  });

  it('lets an item answered with a promise finish on its own while the next run goes', async () => {
    let finishAlone: (value: number) => void = () => undefined;
    const runs: number[][] = [];
    const coalescer = new Coalescer<number, number>(
      (items) => {
        runs.push(items);
        return Promise.resolve(
          items.map((n) => (n === 13 ? new Promise<number>((resolve) => (finishAlone = resolve)) : n)),
        );
      },
      { maxItems: 4 },
    );
    const slow = coalescer.run(13);
    await settle();
    await expect(coalescer.run(2)).resolves.toBe(2);
    expect(runs).toEqual([[13], [2]]);
    finishAlone(26);
    await expect(slow).resolves.toBe(26);
  });

  it('fails the items a run left unanswered instead of leaving them waiting', async () => {
    const coalescer = new Coalescer<number, number>((items) => Promise.resolve(items.slice(1)), { maxItems: 4 });
    const first = coalescer.run(1);
    await expect(first).rejects.toThrow('no result for item 0 of a run of 1');
  });
});
