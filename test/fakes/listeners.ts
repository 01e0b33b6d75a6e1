/** A tiny typed event channel. */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();

  /** Registers a listener; returns the function that removes it. */
  on(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.#listeners) {
      listener(event);
    }
  }
}

/**
 * Resolves with the first defined result of `check`, which is re-run on every event;
 * rejects with `describeTimeout()` as the message after `timeoutMs`.
 */
export function waitUntil<T, E>(
  events: Listeners<E>,
  check: () => T | undefined,
  timeoutMs: number,
  describeTimeout: () => string,
): Promise<T> {
  const immediate = check();
  if (immediate !== undefined) {
    return Promise.resolve(immediate);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopListening();
      reject(new Error(describeTimeout()));
    }, timeoutMs);
    const stopListening = events.on(() => {
      const result = check();
      if (result !== undefined) {
        clearTimeout(timer);
        stopListening();
        resolve(result);
      }
    });
  });
}
