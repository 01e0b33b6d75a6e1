import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import webpush, { type RequestOptions } from 'web-push';
import { startFakePushService, type BrowserPushSubscription, type FakePushService } from './push-service.fake.js';

const vapidKeys = webpush.generateVAPIDKeys();
const SUBJECT = 'mailto:ops@crisisklaar.test';

/** POSTs web-push's request details with some headers replaced or removed (undefined). */
function postRaw(
  agent: https.Agent,
  details: webpush.RequestDetails,
  headerChanges: Record<string, string | undefined>,
): Promise<number> {
  const headers: Record<string, string> = { ...details.headers };
  for (const [name, value] of Object.entries(headerChanges)) {
    if (value === undefined) {
      delete headers[name];
    } else {
      headers[name] = value;
    }
  }
  return new Promise((resolve, reject) => {
    const req = https.request(details.endpoint, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(details.body);
  });
}

describe('fake push service, driven by the real web-push client', () => {
  let fake: FakePushService;
  let agent: https.Agent;
  let subscription: BrowserPushSubscription;
  let subscriptionId: string;

  const options = (overrides: RequestOptions = {}): RequestOptions => ({
    vapidDetails: { subject: SUBJECT, ...vapidKeys },
    TTL: 60,
    urgency: 'high',
    topic: 'drill-42',
    agent,
    ...overrides,
  });

  beforeAll(async () => {
    fake = await startFakePushService({ expectedVapidPublicKey: vapidKeys.publicKey });
    agent = new https.Agent({ ca: fake.caPem });
  });

  afterAll(async () => {
    agent.destroy();
    await fake.close();
  });

  beforeEach(() => {
    fake.reset();
    ({ id: subscriptionId, subscription } = fake.createSubscription());
  });

  it('gives a browser-like subscription on its own origin', () => {
    expect(subscription.endpoint).toBe(`${fake.origin}/push/${subscriptionId}`);
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65);
    expect(Buffer.from(subscription.keys.auth, 'base64url')).toHaveLength(16);
  });

  it('verifies the VAPID JWT, decrypts the exact JSON and answers 201 with a Location', async () => {
    const message = { type: 'activation', protocolId: 'fire', text: 'Ontruim het gebouw — nú' };

    const result = await webpush.sendNotification(subscription, JSON.stringify(message), options());

    expect(result.statusCode).toBe(201);
    expect(result.headers.location).toMatch(new RegExp(`^${fake.origin}/message/`));
    const [push] = await fake.waitFor((p) => p.subscriptionId === subscriptionId, 1000);
    if (!push) {
      throw new Error('no push');
    }
    expect(push.json).toEqual(message);
    expect(push.payload).toBe(JSON.stringify(message));
    expect(push.headers).toEqual({ ttl: 60, urgency: 'high', topic: 'drill-42', contentEncoding: 'aes128gcm' });
    expect(push.vapid).toMatchObject({ sub: SUBJECT, aud: fake.origin, publicKey: vapidKeys.publicKey });
    const now = Date.now() / 1000;
    expect(push.vapid.exp).toBeGreaterThan(now);
    expect(push.vapid.exp).toBeLessThanOrEqual(now + 24 * 3600);
  });

  it('keeps a non-JSON payload as text and accepts a push without payload', async () => {
    await webpush.sendNotification(subscription, 'plain text', options());
    await webpush.sendNotification(subscription, null, options());

    const pushes = await fake.waitFor(undefined, 1000, 2);
    expect(pushes.map((p) => [p.payload, p.json])).toEqual([
      ['plain text', undefined],
      ['', undefined],
    ]);
  });

  it('waitFor rejects with a message that names the refusals', async () => {
    const details = webpush.generateRequestDetails(subscription, '{}', options());
    expect(await postRaw(agent, details, { Topic: 'no spaces!' })).toBe(400);

    await expect(fake.waitFor(() => true, 50)).rejects.toThrow(/timed out after 50 ms.*400 invalid Topic/);
  });

  it('refuses a push signed with another VAPID key than the expected one (403)', async () => {
    const otherKeys = webpush.generateVAPIDKeys();

    const sending = webpush.sendNotification(
      subscription,
      '{}',
      options({ vapidDetails: { subject: SUBJECT, ...otherKeys } }),
    );

    await expect(sending).rejects.toMatchObject({ statusCode: 403 });
    expect(fake.received).toHaveLength(0);
    expect(fake.rejected[0]).toMatchObject({ subscriptionId, status: 403, reason: expect.stringMatching(/expects/) });
  });

  it('refuses a JWT whose signature does not match key k (401)', async () => {
    const otherKeys = webpush.generateVAPIDKeys();
    const vapidDetails = { subject: SUBJECT, publicKey: vapidKeys.publicKey, privateKey: otherKeys.privateKey };

    await expect(webpush.sendNotification(subscription, '{}', options({ vapidDetails }))).rejects.toMatchObject({
      statusCode: 401,
    });
    expect(fake.rejected[0]!.reason).toMatch(/signature does not verify/);
  });

  it.each([
    ['an audience that is not the push service', 'https://push.example.net', 60, /aud must be/],
    ['an expired JWT', undefined, -60, /expired/],
  ])('refuses %s (401)', async (_case, audience, expiresIn, reason) => {
    const details = webpush.generateRequestDetails(subscription, '{}', options());
    const exp = Math.floor(Date.now() / 1000) + expiresIn;
    const { Authorization } = webpush.getVapidHeaders(
      audience ?? fake.origin,
      SUBJECT,
      vapidKeys.publicKey,
      vapidKeys.privateKey,
      'aes128gcm',
      exp,
    );

    expect(await postRaw(agent, details, { Authorization })).toBe(401);
    expect(fake.rejected[0]!.reason).toMatch(reason);
  });

  it('refuses a push without TTL (400), without VAPID (401) and to an unknown subscription (404)', async () => {
    const details = webpush.generateRequestDetails(subscription, '{}', options());

    expect(await postRaw(agent, details, { TTL: undefined })).toBe(400);
    expect(await postRaw(agent, details, { Authorization: undefined })).toBe(401);
    const unknown = { ...details, endpoint: `${fake.origin}/push/gone` };
    expect(await postRaw(agent, unknown, {})).toBe(404);
    expect(fake.rejected.map((r) => r.status)).toEqual([400, 401, 404]);
  });

  it('refuses an encrypted body above 4096 bytes (413)', async () => {
    await expect(webpush.sendNotification(subscription, 'x'.repeat(5000), options())).rejects.toMatchObject({
      statusCode: 413,
    });
  });

  it('respondWith(id, 410) makes web-push throw WebPushError 410, once', async () => {
    fake.respondWith(subscriptionId, 410);

    const sending = webpush.sendNotification(subscription, '{}', options());

    await expect(sending).rejects.toBeInstanceOf(webpush.WebPushError);
    await expect(sending).rejects.toMatchObject({ statusCode: 410, endpoint: subscription.endpoint });
    expect(fake.received).toHaveLength(0);
    expect(fake.rejected[0]).toMatchObject({ subscriptionId, status: 410 });
    await expect(webpush.sendNotification(subscription, '{}', options())).resolves.toMatchObject({ statusCode: 201 });
  });

  it("respondWith('*', 429, { retryAfter }) shows Retry-After to the caller", async () => {
    fake.respondWith('*', 429, { times: 2, retryAfter: 30 });
    const other = fake.createSubscription().subscription;

    for (const target of [subscription, other]) {
      await expect(webpush.sendNotification(target, '{}', options())).rejects.toMatchObject({
        statusCode: 429,
        headers: expect.objectContaining({ 'retry-after': '30' }),
      });
    }
    await expect(webpush.sendNotification(other, '{}', options())).resolves.toMatchObject({ statusCode: 201 });
  });
});
