/** How a {@link Coalescer} groups its work. */
export interface CoalescerOptions {
  /** The most items one run carries; the rest wait for the next. */
  maxItems: number;
}

/**
 * Runs work item by item, one statement for many items when they overlap: an item given while no run is on its
 * way goes at once, alone; the items given while one is on its way wait for it and then go together. So an item
 * is never held back when the database is idle, and under load many items take one round trip instead of one
 * each. In a burst every push cost two statements, the read of its notification and its outcome (BENCHMARKS.md,
 * 2026-12-06), and each statement is a round trip whose socket write the kernel charges to the notifier.
 *
 * `runMany` answers each item of a run, in its order: with its result, or with a promise of it, which may reject
 * with the error of that item alone. Such a promise lets an item finish on its own (for instance alone, after a
 * wait) while the next run goes. A run that fails as a whole (rejects, or throws) fails the items it carried, and
 * only those; the next run goes as before.
 */
export class Coalescer<I, R> {
  private waiting: { item: I; resolve: (result: R | Promise<R>) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly runMany: (items: I[]) => Promise<(R | Promise<R>)[]>,
    private readonly options: CoalescerOptions,
  ) {}

  /** The result of `item`, run alone or with the items given at the same time. */
  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) {
      return;
    }
    this.running = true;
    const batch = this.waiting.splice(0, Math.max(1, this.options.maxItems));
    // In an async function a runMany that throws instead of rejecting fails its items the same way.
    const running = (async () => this.runMany(batch.map((b) => b.item)))();
    void running
      .then(
        (results) => {
          batch.forEach((b, i) => {
            if (i < results.length) {
              b.resolve(results[i]!);
            } else {
              b.reject(new Error(`no result for item ${i} of a run of ${batch.length}`));
            }
          });
        },
        (error: unknown) => {
          for (const b of batch) {
            b.reject(error);
          }
        },
      )
      .finally(() => {
        this.running = false;
        this.next();
      });
  }
}

/** How a {@link CoalescingReader} groups its reads. */
export interface CoalescingOptions {
  /** The most keys one read asks for; the rest wait for the next. */
  maxKeys: number;
}

/**
 * Reads by key with a {@link Coalescer}: a read made while none is on its way goes at once, the reads made
 * meanwhile go together after it, each key asked once. The notifier's push jobs, twenty at once, each begin with
 * the read of their notification.
 */
export class CoalescingReader<K, V> {
  private readonly reads: Coalescer<K, V | undefined>;

  /** `readMany` resolves with the values of the keys it found, each key once; a key it did not find is absent. */
  constructor(readMany: (keys: K[]) => Promise<Map<K, V>>, options: CoalescingOptions) {
    this.reads = new Coalescer(
      async (keys) => {
        const found = await readMany([...new Set(keys)]);
        return keys.map((key) => found.get(key));
      },
      { maxItems: options.maxKeys },
    );
  }

  /** The value of `key`, or undefined when there is none. */
  read(key: K): Promise<V | undefined> {
    return this.reads.run(key);
  }
}
