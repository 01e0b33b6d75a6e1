import { describe, expect, it } from '@jest/globals';
import { CoalescingReader } from './coalescing-reader.js';

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
