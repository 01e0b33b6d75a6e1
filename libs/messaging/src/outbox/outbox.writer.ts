import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '#lib/contracts';
import { insertRows } from '#lib/platform';
import { OutboxEntity } from './outbox.entity.js';

/** Adds events to the outbox inside the caller's transaction: they are published if and only if it commits. */
export async function addToOutbox(manager: EntityManager, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  await insertRows(
    manager,
    OutboxEntity,
    events.map((event) => ({ id: event.id, subject: event.type, envelope: event })),
  );
}
