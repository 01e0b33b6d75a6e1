import { createECDH, randomBytes, randomUUID, type ECDH } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import ece from 'http_ece';
import { createSelfSignedCert, type SelfSignedCert } from './cert.js';
import { closeServer, HttpError, listen, readBody, sendJson } from './http-helpers.js';
import { Listeners, waitUntil } from './listeners.js';
import { verifyVapidAuthorization, type VapidIdentity } from './vapid.js';

/** Real push services refuse encrypted bodies above 4096 bytes. */
const MAX_BODY_BYTES = 4096;
const PUSH_PATH = /^\/push\/([A-Za-z0-9_-]+)$/;
const URGENCIES = new Set(['very-low', 'low', 'normal', 'high']);
/** RFC 8030 §5.4: at most 32 characters from the URL-safe base64 alphabet. */
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/** Options of {@link startFakePushService}. */
export interface FakePushServiceOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** When set, a push signed with any other VAPID key is refused with 403. */
  expectedVapidPublicKey?: string;
}

/** A subscription as the browser's `PushSubscription.toJSON()` gives it to the application. */
export interface BrowserPushSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** The Web Push headers of an accepted push. */
export interface PushHeaders {
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  /** `aes128gcm`, or undefined for a push without a payload. */
  contentEncoding: string | undefined;
}

/** A push the service accepted (201) and decrypted. */
export interface ReceivedPush {
  subscriptionId: string;
  headers: PushHeaders;
  vapid: VapidIdentity;
  /** The decrypted payload ('' for a push without one). */
  payload: string;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  receivedAt: Date;
}

/** A push the service answered with a non-2xx status, and why. */
export interface RejectedPush {
  /** The id from the endpoint path, if the path had one (known or not). */
  subscriptionId: string | undefined;
  status: number;
  reason: string;
  receivedAt: Date;
}

/** Options of {@link FakePushService.respondWith}. */
export interface RespondWithOptions {
  /** How many requests get this answer (default 1; `Infinity` for all). */
  times?: number;
  /** Seconds to send in a `Retry-After` header. */
  retryAfter?: number;
}

/** What the service saw, for logging and waiting. */
export type PushServiceEvent = { type: 'received'; push: ReceivedPush } | { type: 'rejected'; rejection: RejectedPush };

interface SubscriptionSecrets {
  ecdh: ECDH;
  authSecret: Buffer;
}

interface ScriptedResponse {
  status: number;
  remaining: number;
  headers: Record<string, string>;
}

/**
 * Starts an HTTPS push service on 127.0.0.1 that behaves like a real one (RFC 8030, 8291, 8292):
 * it checks the Web Push headers and the VAPID JWT, decrypts the aes128gcm payload with the
 * subscription's private key and answers 201 with a `Location`.
 */
export async function startFakePushService(options: FakePushServiceOptions = {}): Promise<FakePushService> {
  const cert = await createSelfSignedCert();
  const service = new FakePushService(cert, options.expectedVapidPublicKey);
  await service.listen(options.port ?? 0);
  return service;
}

/** An in-process fake push service. Create it with {@link startFakePushService}. */
export class FakePushService {
  /** Accepted pushes, oldest first. */
  readonly received: ReceivedPush[] = [];
  /** Refused pushes (any non-2xx answer, scripted ones included), oldest first. */
  readonly rejected: RejectedPush[] = [];

  readonly #cert: SelfSignedCert;
  readonly #expectedVapidPublicKey: string | undefined;
  readonly #server: Server;
  readonly #subscriptions = new Map<string, SubscriptionSecrets>();
  /** Scripted answers by subscription id, or '*' for any subscription. */
  readonly #scripted = new Map<string, ScriptedResponse>();
  readonly #events = new Listeners<PushServiceEvent>();
  #port = 0;
  #connections = 0;

  /** @internal Use {@link startFakePushService}. */
  constructor(cert: SelfSignedCert, expectedVapidPublicKey: string | undefined) {
    this.#cert = cert;
    this.#expectedVapidPublicKey = expectedVapidPublicKey;
    this.#server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      void this.#handle(req, res);
    });
    this.#server.on('secureConnection', () => {
      this.#connections += 1;
    });
  }

  /** @internal */
  async listen(port: number): Promise<void> {
    this.#port = await listen(this.#server, port);
  }

  /** Calls `listener` for every accepted or refused push, as it happens; returns the function that stops it. */
  onEvent(listener: (event: PushServiceEvent) => void): () => void {
    return this.#events.on(listener);
  }

  /** TLS connections the service accepted so far (each is a handshake a sender paid for). */
  get connectionCount(): number {
    return this.#connections;
  }

  /** `https://127.0.0.1:<port>`: the VAPID audience. */
  get origin(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** The self-signed certificate (PEM), to trust with `new https.Agent({ ca })`. */
  get caPem(): string {
    return this.#cert.certPem;
  }

  /** Path of {@link caPem}, for `NODE_EXTRA_CA_CERTS` of a child process. */
  get caFile(): string {
    return this.#cert.certFile;
  }

  /**
   * Plays the browser: makes a P-256 key pair and a 16-byte auth secret, keeps the private
   * parts to decrypt what is pushed to the endpoint, and returns the subscription JSON.
   */
  createSubscription(): { id: string; subscription: BrowserPushSubscription } {
    const id = randomUUID();
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const authSecret = randomBytes(16);
    this.#subscriptions.set(id, { ecdh, authSecret });
    const keys = { p256dh: ecdh.getPublicKey('base64url'), auth: authSecret.toString('base64url') };
    return { id, subscription: { endpoint: `${this.origin}/push/${id}`, expirationTime: null, keys } };
  }

  /**
   * Makes the next valid push(es) to `subscriptionId` ('*' for any) get `status` (400-599)
   * instead of 201, e.g. 404/410 for an expired subscription or 429 with `retryAfter`.
   * A specific subscription's script wins over '*'. Invalid pushes are still refused for their own reason.
   */
  respondWith(subscriptionId: string, status: number, options: RespondWithOptions = {}): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`respondWith expects an error status (400-599), got ${status}`);
    }
    const headers: Record<string, string> =
      options.retryAfter === undefined ? {} : { 'Retry-After': String(options.retryAfter) };
    this.#scripted.set(subscriptionId, { status, remaining: options.times ?? 1, headers });
  }

  /**
   * Resolves with all received pushes matching `predicate` once there are at least `minCount`;
   * rejects after `timeoutMs` with a message that lists what was refused meanwhile.
   */
  waitFor(
    predicate: (push: ReceivedPush) => boolean = () => true,
    timeoutMs = 5000,
    minCount = 1,
  ): Promise<ReceivedPush[]> {
    const matching = (): ReceivedPush[] | undefined => {
      const found = this.received.filter(predicate);
      return found.length >= minCount ? found : undefined;
    };
    return waitUntil(this.#events, matching, timeoutMs, () => this.#describeTimeout(timeoutMs, minCount));
  }

  /** Forgets received and rejected pushes and scripted answers; subscriptions stay valid. */
  reset(): void {
    this.received.length = 0;
    this.rejected.length = 0;
    this.#scripted.clear();
  }

  /** Stops the server and deletes the certificate files. */
  async close(): Promise<void> {
    await closeServer(this.#server);
    await this.#cert.dispose();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const subscriptionId = subscriptionIdOf(req.url);
    try {
      const push = await this.#accept(req, subscriptionId, receivedAt);
      this.#applyScript(push.subscriptionId);
      this.received.push(push);
      res.writeHead(201, { Location: `${this.origin}/message/${randomUUID()}`, TTL: String(push.headers.ttl) });
      res.end();
      this.#events.emit({ type: 'received', push });
    } catch (error) {
      const refusal =
        error instanceof HttpError ? error : new HttpError(500, `fake push service bug: ${String(error)}`);
      const rejection = { subscriptionId, status: refusal.status, reason: refusal.message, receivedAt };
      this.rejected.push(rejection);
      const body = { code: refusal.status, error: STATUS_CODES[refusal.status], message: refusal.message };
      sendJson(res, refusal.status, body, refusal.headers);
      this.#events.emit({ type: 'rejected', rejection });
    }
  }

  async #accept(req: IncomingMessage, subscriptionId: string | undefined, receivedAt: Date): Promise<ReceivedPush> {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (req.method !== 'POST') {
      throw new HttpError(405, `${req.method} is not allowed; a push is a POST`, { Allow: 'POST' });
    }
    const secrets = subscriptionId === undefined ? undefined : this.#subscriptions.get(subscriptionId);
    if (subscriptionId === undefined || secrets === undefined) {
      throw new HttpError(404, `no subscription at ${req.url}`);
    }
    const headers = parsePushHeaders(req, body.length > 0);
    const vapid = verifyVapidAuthorization(req.headers.authorization, {
      audience: this.origin,
      expectedPublicKey: this.#expectedVapidPublicKey,
    });
    const payload = body.length > 0 ? decryptPayload(body, secrets) : '';
    return { subscriptionId, headers, vapid, payload, json: parseJson(payload), receivedAt };
  }

  /** Throws the scripted answer for this subscription, if one is pending. */
  #applyScript(subscriptionId: string): void {
    const key = this.#scripted.has(subscriptionId) ? subscriptionId : '*';
    const script = this.#scripted.get(key);
    if (script === undefined) {
      return;
    }
    script.remaining -= 1;
    if (script.remaining <= 0) {
      this.#scripted.delete(key);
    }
    throw new HttpError(script.status, `scripted response ${script.status}`, script.headers);
  }

  #describeTimeout(timeoutMs: number, minCount: number): string {
    const refusals = this.rejected.map((r) => `${r.status} ${r.reason}`).join('; ') || 'none';
    return (
      `fake push service: timed out after ${timeoutMs} ms waiting for ${minCount} matching push(es); ` +
      `received ${this.received.length} in total; rejected: ${refusals}`
    );
  }
}

function subscriptionIdOf(url: string | undefined): string | undefined {
  const path = new URL(url ?? '/', 'https://127.0.0.1').pathname;
  return PUSH_PATH.exec(path)?.[1];
}

/** Checks the RFC 8030 headers: TTL is required, Urgency and Topic must be well-formed. */
function parsePushHeaders(req: IncomingMessage, hasPayload: boolean): PushHeaders {
  const [ttl, urgency, topic, contentEncoding] = ['ttl', 'urgency', 'topic', 'content-encoding'].map((name) =>
    headerValue(req, name),
  );
  if (ttl === undefined || !/^\d+$/.test(ttl)) {
    throw new HttpError(400, 'missing or invalid TTL header (RFC 8030 §5.2)');
  }
  if (urgency !== undefined && !URGENCIES.has(urgency)) {
    throw new HttpError(400, `invalid Urgency header: ${urgency}`);
  }
  if (topic !== undefined && !TOPIC.test(topic)) {
    throw new HttpError(400, 'invalid Topic header: at most 32 URL-safe base64 characters');
  }
  if (hasPayload && contentEncoding !== 'aes128gcm') {
    throw new HttpError(400, `Content-Encoding must be aes128gcm (RFC 8291), got ${contentEncoding ?? 'none'}`);
  }
  return { ttl: Number(ttl), urgency, topic, contentEncoding };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function decryptPayload(body: Buffer, secrets: SubscriptionSecrets): string {
  try {
    const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: secrets.ecdh, authSecret: secrets.authSecret });
    return plain.toString('utf8');
  } catch (error) {
    throw new HttpError(400, `payload does not decrypt with the subscription keys: ${String(error)}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
