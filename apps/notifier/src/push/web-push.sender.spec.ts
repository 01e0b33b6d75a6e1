import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import webpush from 'web-push';
import { Secret } from '#lib/platform';
import { startFakePushService, type FakePushService } from '../../../../test/fakes/index.js';
import { PreconnectingAgent } from './preconnecting-agent.js';
import type { PushMessage } from './push-sender.port.js';
import { WebPushSender } from './web-push.sender.js';

const message = (taskId: string): PushMessage => ({
  v: 1,
  kind: 'task',
  taskId,
  incidentId: 'i1',
  drill: true,
  url: `https://app.example/tasks/${taskId}`,
  title: 'Taak',
  body: 'Open de app',
  actions: [],
});

const keys = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@crisisklaar.test';

function claims(authorization: string): { aud: string; exp: number; sub: string } {
  const jwt = /^vapid t=([^,]+), k=/.exec(authorization)![1]!;
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as {
    aud: string;
    exp: number;
    sub: string;
  };
}

describe('WebPushSender: one VAPID signature per push service, until shortly before it expires', () => {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const sender = new WebPushSender({
    publicKey: keys.publicKey,
    privateKey: new Secret(keys.privateKey),
    subject: SUBJECT,
    ttlSeconds: 60,
    now: () => now,
  });

  it('reuses the header for the same origin and signs anew for another origin', () => {
    const first = sender.vapidAuthorization('https://push.example.net/send/abc');
    const second = sender.vapidAuthorization('https://push.example.net/send/def');
    const other = sender.vapidAuthorization('https://updates.push.example.org:8443/wpush/v2/xyz');

    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(claims(first)).toEqual({ aud: 'https://push.example.net', sub: SUBJECT, exp: now / 1000 + 3600 });
    expect(claims(other).aud).toBe('https://updates.push.example.org:8443');
    expect(first.endsWith(`, k=${keys.publicKey}`)).toBe(true);
  });

  it('signs a new header 5 minutes before the old one expires', () => {
    const issued = now;
    const first = sender.vapidAuthorization('https://push.example.net/send/abc');
    now = issued + (3600 - 301) * 1000;
    expect(sender.vapidAuthorization('https://push.example.net/send/abc')).toBe(first);
    now = issued + (3600 - 300) * 1000;
    const renewed = sender.vapidAuthorization('https://push.example.net/send/abc');
    expect(renewed).not.toBe(first);
    expect(claims(renewed).exp).toBe(now / 1000 + 3600);
  });
});

/** A sender to the fake push service over `agent` (which trusts the fake's certificate). */
const senderWith = (agent: https.Agent): WebPushSender =>
  new WebPushSender({
    publicKey: keys.publicKey,
    privateKey: new Secret(keys.privateKey),
    subject: SUBJECT,
    ttlSeconds: 90,
    agent,
  });

describe('WebPushSender against the fake push service', () => {
  let fake: FakePushService;
  let agent: https.Agent;
  let sender: WebPushSender;

  beforeAll(async () => {
    fake = await startFakePushService({ expectedVapidPublicKey: keys.publicKey });
    agent = new https.Agent({ ca: fake.caPem });
    sender = senderWith(agent);
  });

  afterAll(async () => {
    agent.destroy();
    await fake.close();
  });

  it('sends with the cached header, keeping TTL, Urgency and Topic', async () => {
    const a = fake.createSubscription();
    const b = fake.createSubscription();

    const results = [
      await sender.send(a.subscription, message('t1'), { topic: 'task1', urgency: 'high' }),
      await sender.send(b.subscription, message('t2'), { topic: 'task2', urgency: 'normal' }),
    ];

    expect(results).toEqual([
      { outcome: 'accepted', statusCode: 201 },
      { outcome: 'accepted', statusCode: 201 },
    ]);
    const pushes = await fake.waitFor(undefined, 2000, 2);
    expect(pushes.map((p) => p.headers)).toEqual([
      { ttl: 90, urgency: 'high', topic: 'task1', contentEncoding: 'aes128gcm' },
      { ttl: 90, urgency: 'normal', topic: 'task2', contentEncoding: 'aes128gcm' },
    ]);
    expect(pushes[0]!.vapid).toEqual(pushes[1]!.vapid);
    expect(pushes[0]!.vapid).toMatchObject({ sub: SUBJECT, aud: fake.origin, publicKey: keys.publicKey });
  });
});

describe('WebPushSender: the connection to the push service opened ahead of the first push', () => {
  let fake: FakePushService;
  let agent: PreconnectingAgent;
  let sender: WebPushSender;

  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 2_000;
    while (!condition() && Date.now() < deadline) {
      await sleep(5);
    }
  };

  beforeAll(async () => {
    fake = await startFakePushService({ expectedVapidPublicKey: keys.publicKey });
    agent = new PreconnectingAgent({ ca: fake.caPem });
    sender = senderWith(agent);
  });

  afterAll(async () => {
    agent.destroy();
    await fake.close();
  });

  it('opens the connection before the push, and the push travels on it without a handshake of its own', async () => {
    const device = fake.createSubscription();

    sender.preconnect(device.subscription.endpoint);
    await until(() => fake.connectionCount === 1);
    expect(fake.connectionCount).toBe(1);
    expect(agent.spareCount).toBe(1);

    const result = await sender.send(device.subscription, message('t1'), { topic: 'task1', urgency: 'high' });

    expect(result).toEqual({ outcome: 'accepted', statusCode: 201 });
    expect(await fake.waitFor((p) => p.subscriptionId === device.id)).toHaveLength(1);
    expect(fake.connectionCount).toBe(1);
    expect(agent.spareCount).toBe(0);
  });

  it('opens nothing more while a connection to that push service is open (a burst reuses its connections)', async () => {
    const device = fake.createSubscription();
    const before = fake.connectionCount;

    sender.preconnect(device.subscription.endpoint);
    sender.preconnect(device.subscription.endpoint);
    await sleep(100);

    expect(agent.spareCount).toBe(0);
    expect(fake.connectionCount).toBe(before);
  });

  it('costs nothing when the push service cannot be reached or the endpoint is not a URL', async () => {
    expect(() => sender.preconnect('https://127.0.0.1:1/push/unreachable')).not.toThrow();
    expect(() => sender.preconnect('not a url')).not.toThrow();
    expect(() => sender.preconnect('http://127.0.0.1:9/push/plain')).not.toThrow();
    await until(() => agent.spareCount === 0);
    expect(agent.spareCount).toBe(0);

    // And the next push still goes out.
    const device = fake.createSubscription();
    await expect(sender.send(device.subscription, message('t2'), { topic: 'task2', urgency: 'high' })).resolves.toEqual(
      { outcome: 'accepted', statusCode: 201 },
    );
  });
});
