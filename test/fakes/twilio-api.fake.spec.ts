import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import twilio from 'twilio';
import { LocalTwilioHttpClient, startFakeTwilioApi, type FakeTwilioApi } from './twilio-api.fake.js';

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'spec-auth-token';
const FROM = '+3197010000001';
const TO = '+31612345678';

interface Webhook {
  url: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A local app stand-in that records webhooks; paths starting with /fail answer 500. */
async function startWebhookReceiver(): Promise<{ server: Server; origin: string; received: Webhook[] }> {
  const received: Webhook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
      received.push({ url, headers: req.headers, params: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(req.url?.startsWith('/fail') ? 500 : 200, { 'Content-Type': 'text/xml' });
      res.end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('fake Twilio API, driven by the real twilio client', () => {
  let fake: FakeTwilioApi;
  let client: twilio.Twilio;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    fake = await startFakeTwilioApi({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 5 });
    client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new LocalTwilioHttpClient(fake.baseUrl) });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await fake.close();
    receiver.server.closeAllConnections();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  beforeEach(() => {
    fake.reset();
    receiver.received.length = 0;
  });

  it('creates a message: the SID the client gets is the one the fake recorded', async () => {
    const statusCallback = `${receiver.origin}/sms/status`;

    const message = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'Oefening: ontruim',
      statusCallback,
      validityPeriod: 600,
    });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({
      status: 'queued',
      to: TO,
      from: FROM,
      body: 'Oefening: ontruim',
      accountSid: ACCOUNT_SID,
    });
    expect(message.dateCreated).toBeInstanceOf(Date);
    const [recorded] = await fake.waitForMessages(1, 1000);
    expect(recorded).toMatchObject({ sid: message.sid, to: TO, from: FROM, statusCallback, validityPeriod: 600 });
  });

  it('sends status callbacks in order, signed so that twilio.validateRequest accepts them', async () => {
    const statusCallback = `${receiver.origin}/sms/status?school=7`;

    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'x', statusCallback });

    await eventually(() => receiver.received.length === 2);
    expect(receiver.received.map((w) => w.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const webhook of receiver.received) {
      const signature = String(webhook.headers['x-twilio-signature']);
      expect(webhook.url).toBe(statusCallback);
      expect(webhook.params).toMatchObject({
        MessageSid: sid,
        SmsSid: sid,
        To: TO,
        From: FROM,
        AccountSid: ACCOUNT_SID,
      });
      expect(twilio.validateRequest(AUTH_TOKEN, signature, webhook.url, webhook.params)).toBe(true);
      const tampered = { ...webhook.params, MessageStatus: 'failed' };
      expect(twilio.validateRequest(AUTH_TOKEN, signature, webhook.url, tampered)).toBe(false);
    }
    expect(fake.messages[0]!.status).toBe('delivered');
    expect(fake.callbackFailures).toEqual([]);
  });

  it('records callbacks that get no 2xx in callbackFailures', async () => {
    const { sid } = await client.messages.create({
      to: TO,
      from: FROM,
      body: 'x',
      statusCallback: `${receiver.origin}/fail`,
    });

    await eventually(() => fake.callbackFailures.length === 2);
    expect(fake.callbackFailures.map((f) => [f.sid, f.status, f.httpStatus])).toEqual([
      [sid, 'sent', 500],
      [sid, 'delivered', 500],
    ]);
  });

  it("answers 'accepted' for a Messaging Service send and leaves from empty", async () => {
    const messagingServiceSid = `MG${'0'.repeat(32)}`;

    const message = await client.messages.create({ to: TO, messagingServiceSid, body: 'x' });

    expect(message).toMatchObject({ status: 'accepted', from: null, messagingServiceSid });
  });

  it('failNext(429, 20429) surfaces as a RestException with status 429, then works again', async () => {
    fake.failNext(429, 20429);

    await expect(client.messages.create({ to: TO, from: FROM, body: 'x' })).rejects.toMatchObject({
      status: 429,
      code: 20429,
    });
    await expect(client.messages.create({ to: TO, from: FROM, body: 'x' })).resolves.toMatchObject({
      status: 'queued',
    });
  });

  it('refuses a wrong auth token with 401 / 20003', async () => {
    const intruder = twilio(ACCOUNT_SID, 'wrong-token', { httpClient: new LocalTwilioHttpClient(fake.baseUrl) });

    await expect(intruder.messages.create({ to: TO, from: FROM, body: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it.each([
    ['a To that is not E.164', { to: '0612345678', from: FROM, body: 'x' }, 21211],
    ['neither From nor MessagingServiceSid', { to: TO, body: 'x' }, 21603],
  ])('refuses %s with 400', async (_case, params, code) => {
    await expect(client.messages.create(params)).rejects.toMatchObject({ status: 400, code });
  });

  it('sendInbound posts a signed inbound SMS and returns the answer', async () => {
    const url = `${receiver.origin}/sms/inbound`;

    const answer = await fake.sendInbound({ to: FROM, from: TO, body: 'OK', url });

    expect(answer).toMatchObject({ status: 200, body: '<Response/>' });
    const [webhook] = receiver.received;
    if (!webhook) {
      throw new Error('no webhook');
    }
    expect(webhook.params).toMatchObject({
      MessageSid: answer.messageSid,
      From: TO,
      To: FROM,
      Body: 'OK',
      NumMedia: '0',
    });
    expect(twilio.validateRequest(AUTH_TOKEN, String(webhook.headers['x-twilio-signature']), url, webhook.params)).toBe(
      true,
    );
  });

  it('sendStatus sends one callback by hand, e.g. a late duplicate', async () => {
    const { sid } = await client.messages.create({ to: TO, from: FROM, body: 'x' });
    const url = `${receiver.origin}/sms/status`;

    await expect(fake.sendStatus(sid, 'sent', url)).resolves.toMatchObject({ status: 200 });
    expect(receiver.received[0]!.params).toMatchObject({ MessageSid: sid, MessageStatus: 'sent' });
    await expect(fake.sendStatus('SMunknown', 'sent', url)).rejects.toThrow(/no message SMunknown/);
  });

  it('signedRequest lets a test forge a webhook', () => {
    const url = 'https://gateway.example/sms/status';
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };

    const { headers, body } = fake.signedRequest(url, params);

    expect(body).toBe('MessageSid=SM1&MessageStatus=delivered');
    expect(twilio.validateRequest(AUTH_TOKEN, headers['X-Twilio-Signature']!, url, params)).toBe(true);
    expect(
      twilio.validateRequest(AUTH_TOKEN, headers['X-Twilio-Signature']!, url.replace('https', 'http'), params),
    ).toBe(false);
  });
});
