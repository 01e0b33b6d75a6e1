/** How much larger each of a flow's batches may be than the one before (see {@link FairQueue.takeBatch}). */
const BATCH_GROWTH = 4;

/**
 * Waiting messages of one consumer, served in turn per flow (an incident) and in arrival order within a flow.
 * One incident's burst (a trigger's 30-odd task assignments, an announcement to 150 staff) then waits behind
 * one message of every other incident instead of holding their first messages up: in a regional calamity the
 * first assignment of the fiftieth school goes out after at most 49 others, not after 1,600.
 *
 * `perFlow` bounds how many items of one flow are taken and not yet released: a trigger's most urgent
 * assignment (the first of its flow) then shares the database and the CPU with a few of its own, not with
 * every other assignment of the same trigger.
 */
export class FairQueue<T> {
  private readonly flows = new Map<string, T[]>();
  /** Flows with waiting items, in the order of their turn. */
  private readonly turns: string[] = [];
  /** Items taken and not yet released, per flow. */
  private readonly active = new Map<string, number>();
  /** Turns a flow took since it last had nothing waiting and nothing out (how large its next batch may be). */
  private readonly taken = new Map<string, number>();
  private count = 0;

  constructor(private readonly perFlow = Number.POSITIVE_INFINITY) {}

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

  /**
   * The next item and its flow: the head of the first flow in turn that has fewer than `perFlow` items out;
   * that flow then waits for every other flow's turn. A flow at its bound keeps its place until it may take
   * more. Undefined when nothing may be taken now. Give the item back with {@link release} when it is done.
   */
  take(): { flow: string; item: T } | undefined {
    const next = this.takeBatch(1);
    return next && { flow: next.flow, item: next.items[0]! };
  }

  /**
   * As {@link take}, with several of the flow's waiting items at once, in arrival order: one turn and one item out
   * of `perFlow` for all of them (release the flow once when they are done). A flow's batches grow from one:
   * 1, 4, 16, … up to `max`, from its first turn until it has nothing waiting and nothing out again. A trigger's
   * most urgent assignments then go in small batches that finish quickly (the leader's, third to fifth of a fire,
   * in the second), and the thirty-odd after them together.
   */
  takeBatch(max: number): { flow: string; items: T[] } | undefined {
    const index = this.turns.findIndex((flow) => (this.active.get(flow) ?? 0) < this.perFlow);
    if (index < 0) {
      return undefined;
    }
    const flow = this.turns.splice(index, 1)[0]!;
    const queue = this.flows.get(flow)!;
    const turn = this.taken.get(flow) ?? 0;
    this.taken.set(flow, turn + 1);
    const items = queue.splice(0, Math.max(1, Math.min(max, BATCH_GROWTH ** turn)));
    if (queue.length > 0) {
      this.turns.push(flow);
    } else {
      this.flows.delete(flow);
    }
    this.count -= items.length;
    this.active.set(flow, (this.active.get(flow) ?? 0) + 1);
    return { flow, items };
  }

  /** An item of `flow` taken earlier is done: the flow may take another. */
  release(flow: string): void {
    const left = (this.active.get(flow) ?? 0) - 1;
    if (left > 0) {
      this.active.set(flow, left);
    } else {
      this.active.delete(flow);
      if (!this.flows.has(flow)) {
        this.taken.delete(flow);
      }
    }
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
    for (const flow of this.taken.keys()) {
      if (!this.active.has(flow)) {
        this.taken.delete(flow);
      }
    }
    return all;
  }
}
