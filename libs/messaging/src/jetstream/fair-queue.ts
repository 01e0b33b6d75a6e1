/**
 * Waiting messages of one consumer, served in turn per flow (an incident) and in arrival order within a flow.
 * One incident's burst (a trigger's 30-odd task assignments, an announcement to 150 staff) then waits behind
 * one message of every other incident instead of holding their first messages up: in a regional calamity the
 * first assignment of the fiftieth school goes out after at most 49 others, not after 1,600.
 */
export class FairQueue<T> {
  private readonly flows = new Map<string, T[]>();
  /** Flows with waiting items, in the order of their turn. */
  private readonly turns: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(flow: string, item: T): void {
    let queue = this.flows.get(flow);
    if (!queue) {
      queue = [];
      this.flows.set(flow, queue);
      this.turns.push(flow);
    }
    queue.push(item);
    this.count += 1;
  }

  /** The next item: the head of the flow whose turn it is; that flow then waits for every other flow's turn. */
  shift(): T | undefined {
    const flow = this.turns.shift();
    if (flow === undefined) {
      return undefined;
    }
    const queue = this.flows.get(flow)!;
    const item = queue.shift()!;
    if (queue.length > 0) {
      this.turns.push(flow);
    } else {
      this.flows.delete(flow);
    }
    this.count -= 1;
    return item;
  }

  /** Every waiting item, in no particular order. */
  *items(): IterableIterator<T> {
    for (const queue of this.flows.values()) {
      yield* queue;
    }
  }

  /** Removes and returns every waiting item. */
  clear(): T[] {
    const all = [...this.items()];
    this.flows.clear();
    this.turns.length = 0;
    this.count = 0;
    return all;
  }
}
