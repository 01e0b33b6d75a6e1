import { parseEvent, type EventEnvelope } from '#lib/contracts';

/** The part of a JetStream message the processor needs; a fake of it makes the ack/nak rules unit-testable. */
export interface ConsumedMessage {
  subject: string;
  data: Uint8Array;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** Acknowledge and wait for the server to confirm it (double ack). */
  ack(): Promise<void>;
  /** Negative acknowledge: deliver again after `delayMs`. */
  nak(delayMs: number): void;
  /** Stop redelivering this message. */
  term(reason: string): void;
  /** Tell the server the handler is still busy, so it does not redeliver. */
  working(): void;
}

export type Outcome = 'acked' | 'retry' | 'dead-lettered';

export interface ProcessorRules {
  maxDeliver: number;
  backoffMs: number[];
  ackWaitMs: number;
}

export interface ProcessorPorts {
  /** Runs the handler; resolves only after the handler's database transaction committed. */
  handle(event: EventEnvelope, message: ConsumedMessage): Promise<void>;
  /** Stores the message with its reason in the dead-letter stream; rejects when that is not possible. */
  deadLetter(message: ConsumedMessage, reason: string): Promise<void>;
  onOutcome?(outcome: Outcome, subject: string, detail?: string): void;
}

/** The nak delay for a failed delivery: `backoffMs[n-1]`, the last value repeating. */
export function backoffFor(deliveryCount: number, backoffMs: readonly number[]): number {
  if (backoffMs.length === 0) {
    return 0;
  }
  return backoffMs[Math.min(Math.max(deliveryCount, 1), backoffMs.length) - 1]!;
}

/** The message's event, or why it is not one (the reason its dead letter gives). */
export function readEvent(
  message: Pick<ConsumedMessage, 'subject' | 'data'>,
): { ok: true; event: EventEnvelope } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(message.data).toString('utf8'));
  } catch {
    return { ok: false, reason: 'message is not valid JSON' };
  }
  const parsed = parseEvent(message.subject, data);
  return parsed.ok ? parsed : { ok: false, reason: `invalid event: ${parsed.reason}` };
}

/**
 * One consumed message, by the rules every consumer follows:
 * - an invalid message (not JSON, wrong envelope or payload) is dead-lettered with the reason at once:
 *   retrying cannot fix it, and dropping it would be silent;
 * - the handler succeeded → ack (confirmed by the server; if the confirmation is lost the message comes again
 *   and the handler's inbox makes the second run a no-op);
 * - the handler failed → nak with the backoff for this delivery, until `maxDeliver`, then dead-letter;
 * - the dead-letter store itself failed → nak, so the message is not lost.
 */
export async function processMessage(
  message: ConsumedMessage,
  rules: ProcessorRules,
  ports: ProcessorPorts,
): Promise<Outcome> {
  const parsed = readEvent(message);
  if (!parsed.ok) {
    return deadLetter(message, rules, ports, parsed.reason);
  }

  const heartbeat = setInterval(() => message.working(), Math.max(rules.ackWaitMs / 3, 100));
  try {
    await ports.handle(parsed.event, message);
  } catch (error) {
    const reason = describeError(error);
    if (message.deliveryCount >= rules.maxDeliver) {
      return deadLetter(message, rules, ports, `handler failed ${message.deliveryCount} times: ${reason}`);
    }
    message.nak(backoffFor(message.deliveryCount, rules.backoffMs));
    ports.onOutcome?.('retry', message.subject, reason);
    return 'retry';
  } finally {
    clearInterval(heartbeat);
  }
  try {
    await message.ack();
  } catch (error) {
    // Redelivery will follow; the inbox turns it into a no-op. Not a failure of the effect.
    ports.onOutcome?.('acked', message.subject, `ack not confirmed: ${String(error)}`);
    return 'acked';
  }
  ports.onOutcome?.('acked', message.subject);
  return 'acked';
}

async function deadLetter(
  message: ConsumedMessage,
  rules: ProcessorRules,
  ports: ProcessorPorts,
  reason: string,
): Promise<Outcome> {
  try {
    await ports.deadLetter(message, reason);
  } catch (error) {
    message.nak(backoffFor(message.deliveryCount, rules.backoffMs));
    ports.onOutcome?.('retry', message.subject, `dead letter failed: ${String(error)}`);
    return 'retry';
  }
  message.term(reason.slice(0, 200));
  ports.onOutcome?.('dead-lettered', message.subject, reason);
  return 'dead-lettered';
}

/** A readable reason for anything thrown: an Error, an RpcException body, a string. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
