import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * Reserves the next send slot: slots are `interval` ms apart, shared by every notifier through one Redis key
 * (the time of the next free slot, on Redis's clock, so the notifiers' clocks do not matter); after a pause the
 * second slot is two intervals after the first (the first request may set up a connection: measured 40-60 ms
 * late on loopback). Returns the slot (ms on Redis's clock) and how long the caller waits for it. With `pause`,
 * pushes the next free slot to at least now + ARGV[3] ms.
 */
const SLOT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[2] == 'pause' then
  local resume = now + tonumber(ARGV[3])
  if resume > nextFree then
    redis.call('SET', KEYS[1], resume, 'PX', resume - now + 60000)
  end
  return {now, 0}
end
local slot = math.max(nextFree, now)
local after = slot + interval
if nextFree < now then
  -- the first request after a pause: it may open a new connection, so the next one waits a slot longer
  after = after + interval
end
redis.call('SET', KEYS[1], after, 'PX', after - now + 60000)
return {slot, slot - now}
`;

/**
 * Slots are 5% further apart than the rate: a request reaches the provider a few ms to a few tens of ms after
 * its slot (TLS, the event loop, the first request on a new connection), and without a margin that jitter puts
 * rate + 1 requests into some second at the provider (measured: 11 in a sliding second at 10/s, gaps of 94 to
 * 123 ms between requests slotted 100 ms apart). 10/s becomes 9.5/s.
 */
const JITTER_MARGIN = 1.05;

/**
 * Paces the calls to the SMS provider, at the provider: one slot every 1000/rate ms (plus the margin above) for
 * all notifiers together,
 * taken right before the request (not when the job starts, as BullMQ's limiter counts), so the time a job spends
 * reading and writing before its request cannot bunch the requests. Within one notifier, slots go in priority
 * order, then in the order the jobs started: a crisis-team SMS that started is sent before any all-staff SMS
 * still waiting here, however long its own reads took.
 */
export class SmsPacer {
  private readonly intervalMs: number;
  private readonly waiting: Turn[] = [];
  private sequence = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    ratePerSecond: number,
  ) {
    this.intervalMs = Math.max(1, Math.ceil((1000 * JITTER_MARGIN) / ratePerSecond));
  }

  /**
   * Joins the line when a job starts (`priority`: BullMQ's, lower first). Call `take` right before the request,
   * and `leave` in any case when the job ends (a no-op after `take`).
   */
  enter(priority: number): Turn {
    const turn = new Turn(priority, this.sequence++);
    let at = this.waiting.findIndex((other) => turn.before(other));
    if (at < 0) {
      at = this.waiting.length;
    }
    this.waiting.splice(at, 0, turn);
    return turn;
  }

  /**
   * Waits until every job ahead in line took its slot or ended, then reserves the next slot and waits for it.
   * Resolves with the slot, in ms on Redis's clock (the same clock for every notifier).
   */
  async take(turn: Turn): Promise<number> {
    try {
      if (this.waiting[0] !== turn) {
        await new Promise<void>((resolve) => (turn.wake = resolve));
      }
      const [slot, waitMs] = (await this.redis.eval(SLOT_SCRIPT, 1, this.key, this.intervalMs, 'take')) as [
        number,
        number,
      ];
      if (waitMs > 0) {
        await sleep(waitMs);
      }
      return slot;
    } finally {
      this.leave(turn);
    }
  }

  /** Leaves the line; the next job in line may take its slot. */
  leave(turn: Turn): void {
    const at = this.waiting.indexOf(turn);
    if (at < 0) {
      return;
    }
    this.waiting.splice(at, 1);
    const head = this.waiting[0];
    if (head?.wake) {
      const wake = head.wake;
      head.wake = undefined;
      wake();
    }
  }

  /** The provider asked to slow down (429): no notifier takes a slot for `ms`. */
  async pause(ms: number): Promise<void> {
    await this.redis.eval(SLOT_SCRIPT, 1, this.key, this.intervalMs, 'pause', Math.max(0, Math.round(ms)));
  }
}

/** A job's place in the pacer's line. */
export class Turn {
  wake?: () => void;

  constructor(
    readonly priority: number,
    readonly sequence: number,
  ) {}

  before(other: Turn): boolean {
    return this.priority < other.priority || (this.priority === other.priority && this.sequence < other.sequence);
  }
}
