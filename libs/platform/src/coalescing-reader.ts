/** How a {@link CoalescingReader} groups its reads. */
export interface CoalescingOptions {
  /** The most keys one read asks for; the rest wait for the next. */
  maxKeys: number;
}

/**
 * Reads by key, one statement for many keys when the reads overlap: a read made while none is on its way goes at
 * once, alone; the reads made while one is on its way wait for it and then go together. So a read is never held
 * back when the database is idle, and under load the reads take one round trip for many keys instead of one each.
 * The notifier's push jobs, twenty at once, each begin with the read of their notification (BENCHMARKS.md,
 * 2026-12-06): in a burst every push cost two statements, this read and its outcome, and each statement is a
 * round trip whose socket write the kernel charges to the notifier.
 *
 * A failed read fails the reads it carried, and only those; the next reads go as before.
 */
export class CoalescingReader<K, V> {
  private waiting: { key: K; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }[] = [];
  private reading = false;

  /** `readMany` resolves with the values of the keys it found, each key once; a key it did not find is absent. */
  constructor(
    private readonly readMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly options: CoalescingOptions,
  ) {}

  /** The value of `key`, or undefined when there is none. */
  read(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.reading || this.waiting.length === 0) {
      return;
    }
    this.reading = true;
    const batch = this.waiting.splice(0, Math.max(1, this.options.maxKeys));
    const keys = [...new Set(batch.map((b) => b.key))];
    // In an async function a readMany that throws instead of rejecting fails its reads the same way.
    const reading = (async () => this.readMany(keys))();
    void reading
      .then(
        (found) => {
          for (const b of batch) {
            b.resolve(found.get(b.key));
          }
        },
        (error: unknown) => {
          for (const b of batch) {
            b.reject(error);
          }
        },
      )
      .finally(() => {
        this.reading = false;
        this.next();
      });
  }
}
