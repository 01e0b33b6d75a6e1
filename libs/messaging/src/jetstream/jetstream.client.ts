import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { jetstream, type JetStreamClient as NatsJetStream, type PubAck } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { EventEnvelope } from '#lib/contracts';
import { NATS_CONNECTION } from './jetstream.options.js';

/** The incident an event belongs to, as a header: consumers take incidents in turn without parsing the body. */
export const INCIDENT_HEADER = 'Crisisklaar-Incident';

/**
 * The task an event is about (its payload's `taskId`), or {@link NO_TASK}, as a header: a consumer that reads
 * only events about tasks passes the others by without parsing them (see `JetStreamHandlerExtras.onlyAboutTasks`).
 * A message without the header (published before it existed, or a replayed dead letter) is read as before.
 */
export const TASK_HEADER = 'Crisisklaar-Task';
export const NO_TASK = 'none';

/** The value of {@link TASK_HEADER} for `event`. */
function taskHeaderOf(event: EventEnvelope): string {
  const taskId = (event.payload as { taskId?: unknown } | null)?.taskId;
  return typeof taskId === 'string' && taskId !== '' ? taskId : NO_TASK;
}

/** Publishes events to JetStream; the outbox relay is its one caller in the apps. */
export interface EventPublisher {
  /** Resolves with the stream's PubAck once the event is stored; a duplicate id yields `duplicate: true`. */
  publishEvent(event: EventEnvelope): Promise<{ seq: number; duplicate: boolean }>;
}

/**
 * The client half of the JetStream transport: `emit(subject, envelope)` stores the event with
 * `Nats-Msg-Id` = the event id, so a retried publish is deduplicated by the stream. Request/reply does not
 * go over JetStream: use Nest's `Transport.NATS` for that.
 */
export class JetStreamClient extends ClientProxy implements EventPublisher {
  private nc?: NatsConnection;
  private js?: NatsJetStream;
  private connecting?: Promise<NatsConnection>;

  constructor(private readonly options: { servers: string[]; name: string; publishTimeoutMs?: number }) {
    super();
  }

  async connect(): Promise<NatsConnection> {
    if (this.nc && !this.nc.isClosed()) {
      return this.nc;
    }
    this.connecting ??= connect({
      servers: this.options.servers,
      name: this.options.name,
      ...NATS_CONNECTION,
    }).then(
      (nc) => {
        this.nc = nc;
        this.js = jetstream(nc);
        this.connecting = undefined;
        return nc;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  isConnected(): boolean {
    return this.nc !== undefined && !this.nc.isClosed();
  }

  async publishEvent(event: EventEnvelope): Promise<{ seq: number; duplicate: boolean }> {
    await this.connect();
    const h = headers();
    h.set(INCIDENT_HEADER, event.incidentId);
    h.set(TASK_HEADER, taskHeaderOf(event));
    const ack: PubAck = await this.js!.publish(event.type, JSON.stringify(event), {
      msgID: event.id,
      headers: h,
      timeout: this.options.publishTimeoutMs ?? 5_000,
    });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<EventEnvelope>): Promise<T> {
    return (await this.publishEvent(packet.data)) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('request/reply is not carried over JetStream; use Transport.NATS'), isDisposed: true });
    return () => undefined;
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  async close(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) {
      await this.nc.drain();
    }
  }
}
