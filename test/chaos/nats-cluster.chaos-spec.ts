import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_STREAM, type EventEnvelope } from '#lib/contracts';
import { ensureStream, JetStreamClient, jetStreamDefaults } from '#lib/messaging';
import { taskAssignedEvent } from '../support/events.js';
import { NatsCluster } from '../support/nats-cluster.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stream's leader as the cluster reports it, once it has one. */
async function leaderOf(jsm: JetStreamManager, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const leader = (await jsm.streams.info(EVENT_STREAM.name)).cluster?.leader;
      if (leader) {
        return leader;
      }
    } catch {
      // no leader yet
    }
    if (Date.now() > deadline) {
      throw new Error('the stream has no leader');
    }
    await sleep(250);
  }
}

/**
 * The event stream at 3 replicas on a 3-node cluster on loopback (issue 8, item 2): events are published through
 * the apps' own client (Nats-Msg-Id = event id; a failed publish is retried with the same id, as the outbox relay
 * does) while the stream's leader is SIGKILLed and later restarted. Every event the stream acknowledged must be in
 * it exactly once, and publishing must resume.
 */
describe('the event stream on a 3-node NATS cluster', () => {
  let cluster: NatsCluster;
  let admin: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    cluster = await NatsCluster.start(3);
    admin = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    // The cluster may not have elected its JetStream meta leader yet: do not ask the API before the retries below.
    jsm = await jetstreamManager(admin, { checkAPI: false });
    const settings = jetStreamDefaults('chaos', cluster.urls, 3).stream;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await ensureStream(jsm, settings);
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw error; // the cluster never elected a JetStream meta leader
        }
        await sleep(500);
      }
    }
    await leaderOf(jsm);
  }, 120_000);

  afterAll(async () => {
    await admin?.close();
    await cluster?.dispose();
  }, 60_000);

  it('loses and doubles nothing it acknowledged when the stream leader is killed under load, and recovers', async () => {
    const client = new JetStreamClient({ servers: cluster.urls, name: 'chaos-publisher', publishTimeoutMs: 2_000 });
    const acknowledged = new Set<string>();
    let retries = 0;
    let stop = false;
    let killedAt = 0;
    let firstAckAfterKill = 0;

    const publishOne = async (event: EventEnvelope): Promise<void> => {
      for (;;) {
        const started = Date.now();
        try {
          await client.publishEvent(event);
          acknowledged.add(event.id);
          if (killedAt && started > killedAt && !firstAckAfterKill) {
            firstAckAfterKill = Date.now();
          }
          return;
        } catch {
          retries += 1; // no ack: the same event again, with the same Nats-Msg-Id
          await sleep(100);
        }
      }
    };
    const publisher = (async () => {
      while (!stop) {
        await Promise.all(Array.from({ length: 10 }, () => publishOne(taskAssignedEvent())));
      }
    })();

    await sleep(2_000);
    const leader = await leaderOf(jsm);
    const before = acknowledged.size;
    cluster.kill(leader);
    killedAt = Date.now();
    await sleep(5_000);
    const newLeader = await leaderOf(jsm);
    await cluster.restart(leader);
    await sleep(3_000);
    stop = true;
    await publisher;
    await client.close();

    // Read the whole stream back through a fresh ordered consumer.
    const js = jetstream(admin);
    const consumer = await js.consumers.get(EVENT_STREAM.name, { deliver_policy: DeliverPolicy.All });
    const info = await jsm.streams.info(EVENT_STREAM.name);
    const stored = new Map<string, number>();
    const messages = await consumer.consume();
    let read = 0;
    for await (const m of messages) {
      const id = m.json<EventEnvelope>().id;
      stored.set(id, (stored.get(id) ?? 0) + 1);
      read += 1;
      if (read >= info.state.messages) {
        break;
      }
    }
    await messages.close();

    const lost = [...acknowledged].filter((id) => !stored.has(id));
    const doubled = [...stored.entries()].filter(([, n]) => n > 1);
    process.stdout.write(
      `[chaos] stream leader ${leader} SIGKILLed (new leader ${newLeader}), then restarted: ` +
        `${acknowledged.size} events acknowledged (${before} before the kill), ${retries} publish retries, ` +
        `lost ${lost.length}, duplicated ${doubled.length}, ` +
        `publishing resumed ${firstAckAfterKill ? firstAckAfterKill - killedAt : 'n/a'} ms after the kill\n`,
    );
    expect(newLeader).not.toBe(leader);
    expect(acknowledged.size).toBeGreaterThan(before);
    expect(firstAckAfterKill).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
  }, 120_000);
});
