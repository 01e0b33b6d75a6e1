import { plainToInstance } from 'class-transformer';
import { IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Min, validateSync } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { EVENT_PAYLOAD_SCHEMAS, isEventSubject, schemaVersionOf, type EventPayloads } from './event-map.js';
import { passesQuickly } from './quick-validation.js';
import type { EventSubject } from './subjects.js';
import { uuidv7 } from './uuidv7.js';

/** The actor of an event that no person caused (timers, escalation, the reconciler). */
export const SYSTEM_ACTOR = 'system';

/**
 * The one envelope every event travels in. Together `correlationId` and `causationId` let one activation be
 * traced through activation → notifier → timeline.
 */
export interface EventEnvelope<S extends EventSubject = EventSubject> {
  /** UUIDv7 of this event. Also the JetStream `Nats-Msg-Id` (publish dedupe) and the consumers' inbox key. */
  id: string;
  /** The subject, e.g. `crisis.task.assigned.v1`. */
  type: S;
  /** The payload schema version; equals the subject's `.vN` suffix. */
  schemaVersion: number;
  /** When the fact happened, ISO-8601 in UTC. */
  occurredAt: string;
  /** Tenant: the school board. */
  boardId: string;
  /** Tenant: the school the incident belongs to. */
  schoolId: string;
  /** The incident this event is part of. */
  incidentId: string;
  /** The person id that caused it, or `system`. */
  actor: string;
  /** The id of the request or event that started the whole chain (e.g. the trigger request). */
  correlationId: string;
  /** The id of the event (or request) that directly caused this one; null for a first cause. */
  causationId: string | null;
  /** True for drills: flagged everywhere and counted apart from real incidents. */
  drill: boolean;
  payload: EventPayloads[S];
}

/** Everything of an envelope but the subject and payload: what a producer must know to emit an event. */
export type EventMeta = Pick<
  EventEnvelope,
  'boardId' | 'schoolId' | 'incidentId' | 'actor' | 'correlationId' | 'causationId' | 'drill'
> & { occurredAt?: Date };

export function buildEvent<S extends EventSubject>(
  type: S,
  meta: EventMeta,
  payload: EventPayloads[S],
): EventEnvelope<S> {
  return {
    id: uuidv7(),
    type,
    schemaVersion: schemaVersionOf(type),
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    boardId: meta.boardId,
    schoolId: meta.schoolId,
    incidentId: meta.incidentId,
    actor: meta.actor,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    drill: meta.drill,
    payload,
  };
}

/** The meta that an event caused by `cause` carries: same tenant, incident, drill flag and correlation. */
export function metaCausedBy(cause: EventEnvelope, actor: string = SYSTEM_ACTOR): EventMeta {
  return {
    boardId: cause.boardId,
    schoolId: cause.schoolId,
    incidentId: cause.incidentId,
    actor,
    correlationId: cause.correlationId,
    causationId: cause.id,
    drill: cause.drill,
  };
}

/** What every consumed event's envelope must be (its payload has the schema of its subject). */
export class EnvelopeShape {
  @IsUUID() id!: string;
  @IsString() type!: string;
  @IsInt() @Min(1) schemaVersion!: number;
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsUUID() boardId!: string;
  @IsUUID() schoolId!: string;
  @IsUUID() incidentId!: string;
  @IsString() @Length(1, 64) actor!: string;
  @IsString() @Length(1, 128) correlationId!: string;
  @IsOptional() @IsString() @Length(1, 128) causationId!: string | null;
  @IsBoolean() drill!: boolean;
}

export type ParsedEvent<S extends EventSubject = EventSubject> =
  { ok: true; event: EventEnvelope<S> } | { ok: false; reason: string };

/**
 * Validates a consumed message against the envelope and the payload schema of the subject it arrived on.
 * Never throws: an invalid message yields a reason that names every offending field, for the dead letter.
 */
export function parseEvent(subject: string, data: unknown): ParsedEvent {
  if (!isEventSubject(subject)) {
    return { ok: false, reason: `unknown subject ${subject}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'message is not a JSON object' };
  }
  const raw = data as Record<string, unknown>;
  const schema: new () => object = EVENT_PAYLOAD_SCHEMAS[subject];
  if (
    raw.type === subject &&
    raw.schemaVersion === schemaVersionOf(subject) &&
    passesQuickly(EnvelopeShape, raw) &&
    passesQuickly(schema, raw.payload)
  ) {
    return { ok: true, event: raw as unknown as EventEnvelope };
  }
  // Invalid, or not sure: class-validator decides, and names every offending field.
  const problems = describe(validateSync(plainToInstance(EnvelopeShape, raw)));
  if (raw.type !== subject) {
    problems.push(`type: ${String(raw.type)} does not match the subject ${subject}`);
  }
  if (raw.schemaVersion !== schemaVersionOf(subject)) {
    problems.push(`schemaVersion: expected ${schemaVersionOf(subject)}, got ${String(raw.schemaVersion)}`);
  }
  const payload = raw.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    problems.push('payload: must be an object');
  } else {
    problems.push(...describe(validateSync(plainToInstance(schema, payload)), 'payload.'));
  }
  if (problems.length > 0) {
    return { ok: false, reason: problems.join('; ') };
  }
  return { ok: true, event: raw as unknown as EventEnvelope };
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...describe(error.children ?? [], `${path}.`)];
  });
}
