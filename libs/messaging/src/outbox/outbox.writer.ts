import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '#lib/contracts';
import { insertRows } from '#lib/platform';
import { OutboxEntity } from './outbox.entity.js';

/** The outbox rows of `events`, for a caller that writes them as part of a larger statement. */
export function outboxRows(events: readonly EventEnvelope[]): Partial<OutboxEntity>[] {
  return events.map((event) => ({ id: event.id, subject: event.type, envelope: event }));
}

/** Adds events to the outbox inside the caller's transaction: they are published if and only if it commits. */
export async function addToOutbox(manager: EntityManager, events: readonly EventEnvelope[]): Promise<void> {
  await insertRows(manager, OutboxEntity, outboxRows(events));
}
