import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { buildEvent, EVENT_STREAM, EventSubject, type EventEnvelope } from '#lib/contracts';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { startNatsServer, type PrivateNatsServer } from '../../../../test/support/nats-server.js';
import { waitFor } from '../../../../test/support/wait.js';
import { JetStreamClient, type EventPublisher } from '../jetstream/jetstream.client.js';
import { jetStreamDefaults } from '../jetstream/jetstream.options.js';
import { ensureStream } from '../jetstream/streams.js';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxEntity, outboxTableSql } from './outbox.entity.js';
import { addToOutbox } from './outbox.writer.js';
import { TypeOrmOutboxStore } from './typeorm-outbox.store.js';

const schema = uniqueSchema('outbox');

class CreateOutbox1764300000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of outboxTableSql(schema)) {
      await runner.query(sql);
    }
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${schema}"."outbox"`);
  }
}

let n = 0;
const incidentActivated = (incidentId = '0190a5b2-0000-7000-8000-000000000003'): EventEnvelope =>
  buildEvent(
    EventSubject.IncidentActivated,
    {
      boardId: '0190a5b2-0000-7000-8000-000000000001',
      schoolId: '0190a5b2-0000-7000-8000-000000000002',
      incidentId,
      actor: 'system',
      correlationId: `req-${(n += 1)}`,
      causationId: null,
      drill: false,
    },
    { calamityType: 'fire', summary: `event ${n}`, status: 'active', taskCount: 3, catalogVersion: '2026.11' },
  );

interface OutboxRow {
  published_at: Date | null;
  attempts: number;
  last_error: string | null;
}

describe('transactional outbox → JetStream (PostgreSQL + private nats-server)', () => {
  let nats: PrivateNatsServer;
  let dataSource: DataSource;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let client: JetStreamClient;
  let store: TypeOrmOutboxStore;
  /** Every PubAck the relay got, by event id. */
  const acks: { id: string; seq: number; duplicate: boolean }[] = [];
  let publisher: EventPublisher;

  beforeAll(async () => {
    nats = await startNatsServer();
    dataSource = await createDataSource(schema, [OutboxEntity], [CreateOutbox1764300000000]);
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, jetStreamDefaults('outbox-itest', [nats.url]).stream);
    client = new JetStreamClient({ servers: [nats.url], name: 'outbox-itest', publishTimeoutMs: 500 });
    publisher = {
      publishEvent: async (event) => {
        const ack = await client.publishEvent(event);
        acks.push({ id: event.id, ...ack });
        return ack;
      },
    };
    store = new TypeOrmOutboxStore(dataSource);
  });

  afterAll(async () => {
    await client?.close();
    await nc?.close();
    await nats?.dispose();
    await dropDataSource(dataSource, schema);
  });

  const relayOf = (options: Partial<ConstructorParameters<typeof OutboxRelay>[2]> = {}): OutboxRelay =>
    new OutboxRelay(store, publisher, { batchSize: 2, pollIntervalMs: 60_000, maxBackoffMs: 60_000, ...options });

  const commit = (...events: EventEnvelope[]): Promise<void> =>
    dataSource.transaction((manager) => addToOutbox(manager, events));

  async function row(id: string): Promise<OutboxRow | undefined> {
    const rows: OutboxRow[] = await dataSource.query(
      `SELECT published_at, attempts, last_error FROM "${schema}"."outbox" WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The Nats-Msg-Id of every message in the event stream, in stream order. */
  async function streamMsgIds(): Promise<string[]> {
    const { state } = await jsm.streams.info(EVENT_STREAM.name);
    const ids: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
      const stored = await jsm.streams.getMessage(EVENT_STREAM.name, { seq });
      ids.push(stored?.header.get('Nats-Msg-Id') ?? '');
    }
    return ids;
  }

  it('publishes nothing when the transaction that wrote the outbox rows rolls back', async () => {
    const event = incidentActivated();

    await expect(
      dataSource.transaction(async (manager) => {
        await addToOutbox(manager, [event]);
        throw new Error('the trigger was refused after the event was written');
      }),
    ).rejects.toThrow('refused');
    await relayOf().drainNow();

    expect(await row(event.id)).toBeUndefined();
    expect(await store.pendingCount()).toBe(0);
    expect(await streamMsgIds()).not.toContain(event.id);
  });

  it('publishes committed events in commit order with Nats-Msg-Id = event id, and marks them published', async () => {
    const [a, b, c] = [incidentActivated(), incidentActivated(), incidentActivated()];
    await commit(a, b);
    await commit(c);
    expect(await store.pendingCount()).toBe(3);

    await relayOf({ batchSize: 2 }).drainNow();

    expect(await store.pendingCount()).toBe(0);
    const ids = await streamMsgIds();
    expect(ids.filter((id) => [a.id, b.id, c.id].includes(id))).toEqual([a.id, b.id, c.id]);
    for (const event of [a, b, c]) {
      expect(await row(event.id)).toEqual({ published_at: expect.any(Date), attempts: 1, last_error: null });
    }
    const stored = await jsm.streams.getMessage(EVENT_STREAM.name, { last_by_subj: EventSubject.IncidentActivated });
    expect(stored?.json()).toEqual(c);
  });

  it("gives each batch every incident's next events in turns, and keeps each incident's own order", async () => {
    const events = (count: number) => {
      const incidentId = randomUUID();
      return Array.from({ length: count }, () => incidentActivated(incidentId));
    };
    // Three schools trigger one after another: A and B with five events each, C with one.
    const [ofA, ofB, ofC] = [events(5), events(5), events(1)];
    await commit(...ofA);
    await commit(...ofB);
    await commit(...ofC);
    const name = new Map(
      [...ofA, ...ofB, ...ofC].map((e, i) => [e.id, i < 5 ? `A${i + 1}` : i < 10 ? `B${i - 4}` : 'C1']),
    );

    const batches: string[][] = [];
    for (;;) {
      const { claimed } = await store.claim(4, (batch) => {
        batches.push(batch.map((row) => name.get(row.id) ?? 'another test'));
        return Promise.resolve({ published: batch.map((row) => row.id) });
      });
      if (claimed === 0) {
        break;
      }
    }

    // C's only event goes out in the first batch, not after the ten before it; A's and B's in their own order.
    expect(batches).toEqual([
      ['A1', 'A2', 'B1', 'C1'],
      ['A3', 'A4', 'B2', 'B3'],
      ['A5', 'B4', 'B5'],
    ]);
    expect(await store.pendingCount()).toBe(0);
  });

  it('deduplicates a republished row: JetStream answers duplicate and stores the event once', async () => {
    const event = incidentActivated();
    await commit(event);
    const relay = relayOf();
    await relay.drainNow();
    const before = (await jsm.streams.info(EVENT_STREAM.name)).state.messages;

    // As after a crash between publish and commit of the mark.
    await dataSource.query(`UPDATE "${schema}"."outbox" SET published_at = NULL WHERE id = $1`, [event.id]);
    await relay.drainNow();

    expect(acks.filter((a) => a.id === event.id).map((a) => a.duplicate)).toEqual([false, true]);
    expect((await jsm.streams.info(EVENT_STREAM.name)).state.messages).toBe(before);
    expect((await streamMsgIds()).filter((id) => id === event.id)).toHaveLength(1);
    expect(await row(event.id)).toMatchObject({ published_at: expect.any(Date), attempts: 2 });
  });

  it('keeps events pending with the error while NATS is down, and drains them by itself once it is back', async () => {
    const relay = relayOf({ pollIntervalMs: 50, maxBackoffMs: 200 });
    relay.start();
    try {
      await nats.stop();
      const [first, second] = [incidentActivated(), incidentActivated()];
      await commit(first, second);
      relay.nudge();

      const failed = await waitFor(
        async () => {
          const r = await row(first.id);
          return r && r.attempts >= 2 && r.last_error !== null ? r : undefined;
        },
        { timeoutMs: 8_000, message: 'the relay to record failed publishes' },
      );
      expect(failed.published_at).toBeNull();
      expect(failed.last_error).not.toBe('');
      // The second event never overtakes the first one.
      expect(await row(second.id)).toEqual({ published_at: null, attempts: 0, last_error: null });
      expect(await store.pendingCount()).toBe(2);

      await nats.restart();
      await waitFor(async () => (await store.pendingCount()) === 0, {
        timeoutMs: 10_000,
        message: 'the outbox to drain after NATS came back',
      });

      const ids = await streamMsgIds();
      expect(ids.filter((id) => id === first.id || id === second.id)).toEqual([first.id, second.id]);
      expect(await row(first.id)).toMatchObject({ published_at: expect.any(Date) });
    } finally {
      await relay.stop();
    }
  });
});
