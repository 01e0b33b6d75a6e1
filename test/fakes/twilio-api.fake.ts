import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import twilio from 'twilio';
import { closeServer, HttpError, listen, readBody, sendJson } from './http-helpers.js';
import { Listeners, waitUntil } from './listeners.js';

export { LocalTwilioHttpClient } from './local-twilio-http-client.js';

const API_VERSION = '2010-04-01';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_FORM_BYTES = 64 * 1024;
/** The sender Twilio picks from a Messaging Service pool, in callbacks of messages sent without From. */
const SERVICE_SENDER = '+15005550006';
/** Error code in callbacks of failed/undelivered messages: 30003 "Unreachable destination handset". */
const DELIVERY_ERROR_CODE = '30003';

/** Options of {@link startFakeTwilioApi}. */
export interface FakeTwilioApiOptions {
  accountSid: string;
  authToken: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Statuses sent to a message's StatusCallback, in order (default `['sent', 'delivered']`). */
  statusSequence?: string[];
  /** Pause before each status callback, in ms (default 20). */
  callbackDelayMs?: number;
}

/** An SMS the API accepted. */
export interface FakeSmsMessage {
  sid: string;
  to: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  body: string;
  statusCallback: string | undefined;
  /** Seconds, from ValidityPeriod. */
  validityPeriod: number | undefined;
  /** The latest status: 'queued' (or 'accepted' via a Messaging Service), then the callbacks' statuses. */
  status: string;
  receivedAt: Date;
}

/** A status callback that got no 2xx answer (or no answer at all). */
export interface CallbackFailure {
  sid: string;
  status: string;
  url: string;
  /** The HTTP status, or undefined when the request itself failed. */
  httpStatus: number | undefined;
  error: string | undefined;
  at: Date;
}

/** A webhook request as Twilio would send it. */
export interface SignedRequest {
  headers: Record<string, string>;
  /** The form-encoded parameters. */
  body: string;
}

/** The answer to a webhook the fake sent. */
export interface WebhookResponse {
  status: number;
  body: string;
}

/** What the fake API saw or did, for logging and waiting. */
export type TwilioApiEvent =
  | { type: 'message'; message: FakeSmsMessage }
  | { type: 'rejected'; status: number; code: number }
  | { type: 'callback'; sid: string; status: string; httpStatus: number | undefined };

/** A refusal in Twilio's shape: HTTP status plus a Twilio error code. */
class TwilioApiError extends HttpError {
  constructor(
    status: number,
    readonly code: number,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(status, message, headers);
  }
}

/**
 * Starts a fake of the Twilio Messaging REST API on http://127.0.0.1: it accepts `Messages.json`
 * with Basic auth, returns SIDs, and sends signed status callbacks and inbound SMS webhooks.
 * Point the real client at it with {@link LocalTwilioHttpClient}.
 */
export async function startFakeTwilioApi(options: FakeTwilioApiOptions): Promise<FakeTwilioApi> {
  const api = new FakeTwilioApi(options);
  await api.listen(options.port ?? 0);
  return api;
}

/** An in-process fake Twilio API. Create it with {@link startFakeTwilioApi}. */
export class FakeTwilioApi {
  /** Accepted messages, oldest first. */
  readonly messages: FakeSmsMessage[] = [];
  /** Automatic status callbacks that were not answered with 2xx. */
  readonly callbackFailures: CallbackFailure[] = [];

  readonly #accountSid: string;
  readonly #authToken: string;
  readonly #statusSequence: readonly string[];
  readonly #callbackDelayMs: number;
  readonly #server: Server;
  readonly #failures: { status: number; code: number }[] = [];
  /** Aborts pending callbacks on reset() and close(). */
  #callbacks = new AbortController();
  readonly #events = new Listeners<TwilioApiEvent>();
  #port = 0;

  /** @internal Use {@link startFakeTwilioApi}. */
  constructor(options: FakeTwilioApiOptions) {
    this.#accountSid = options.accountSid;
    this.#authToken = options.authToken;
    this.#statusSequence = options.statusSequence ?? ['sent', 'delivered'];
    this.#callbackDelayMs = options.callbackDelayMs ?? 20;
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
  }

  /** @internal */
  async listen(port: number): Promise<void> {
    this.#port = await listen(this.#server, port);
  }

  /**
   * Calls `listener` for every accepted or refused message and every automatic callback, as it happens;
   * returns the function that stops it.
   */
  onEvent(listener: (event: TwilioApiEvent) => void): () => void {
    return this.#events.on(listener);
  }

  /** `http://127.0.0.1:<port>`, for {@link LocalTwilioHttpClient} or TWILIO_API_BASE_URL. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Makes the next `times` message creations fail with `status` and Twilio error `code` (e.g. 429, 20429). */
  failNext(status: number, code: number, times = 1): void {
    for (let i = 0; i < times; i += 1) {
      this.#failures.push({ status, code });
    }
  }

  /** Form body and headers (with `X-Twilio-Signature`) of a webhook POST of `params` to `url`. */
  signedRequest(url: string, params: Record<string, string>): SignedRequest {
    return {
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'TwilioProxy/1.1',
        'I-Twilio-Idempotency-Token': randomUUID(),
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(this.#authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    };
  }

  /** Posts a signed inbound SMS webhook, as when a phone replies, and returns the answer. */
  async sendInbound(sms: {
    to: string;
    from: string;
    body: string;
    url: string;
  }): Promise<WebhookResponse & { messageSid: string }> {
    const messageSid = newSid('SM');
    const params = {
      AccountSid: this.#accountSid,
      ApiVersion: API_VERSION,
      Body: sms.body,
      From: sms.from,
      MessageSid: messageSid,
      NumMedia: '0',
      NumSegments: '1',
      SmsMessageSid: messageSid,
      SmsSid: messageSid,
      SmsStatus: 'received',
      To: sms.to,
    };
    return { ...(await this.#post(sms.url, params)), messageSid };
  }

  /** Posts one signed status callback for a known message by hand (e.g. out of order or duplicated). */
  sendStatus(sid: string, status: string, url: string): Promise<WebhookResponse> {
    const message = this.messages.find((m) => m.sid === sid);
    if (message === undefined) {
      return Promise.reject(new Error(`fake Twilio API: no message ${sid}`));
    }
    return this.#post(url, this.#callbackParams(message, status));
  }

  /** Resolves with all messages once at least `count` were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs = 5000): Promise<FakeSmsMessage[]> {
    const enough = (): FakeSmsMessage[] | undefined => (this.messages.length >= count ? [...this.messages] : undefined);
    const describe = (): string =>
      `fake Twilio API: timed out after ${timeoutMs} ms waiting for ${count} message(s); got ${this.messages.length}`;
    return waitUntil(this.#events, enough, timeoutMs, describe);
  }

  /** Forgets messages, callback failures and scripted failures, and cancels pending callbacks. */
  reset(): void {
    this.#callbacks.abort();
    this.#callbacks = new AbortController();
    this.messages.length = 0;
    this.callbackFailures.length = 0;
    this.#failures.length = 0;
  }

  /** Cancels pending callbacks and stops the server. */
  async close(): Promise<void> {
    this.#callbacks.abort();
    await closeServer(this.#server);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const message = await this.#createMessage(req);
      sendJson(res, 201, this.#messageResource(message));
      this.#events.emit({ type: 'message', message });
      if (message.statusCallback !== undefined) {
        void this.#runStatusCallbacks(message, message.statusCallback, this.#callbacks.signal);
      }
    } catch (error) {
      const refusal = toTwilioError(error);
      const body = {
        code: refusal.code,
        message: refusal.message,
        more_info: `https://www.twilio.com/docs/errors/${refusal.code}`,
        status: refusal.status,
      };
      sendJson(res, refusal.status, body, refusal.headers);
      this.#events.emit({ type: 'rejected', status: refusal.status, code: refusal.code });
    }
  }

  async #createMessage(req: IncomingMessage): Promise<FakeSmsMessage> {
    const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
    const accountSid = MESSAGES_PATH.exec(new URL(req.url ?? '/', this.baseUrl).pathname)?.[1];
    if (req.method !== 'POST' || accountSid === undefined) {
      throw new TwilioApiError(404, 20404, `The requested resource ${req.url} was not found`);
    }
    this.#authenticate(req.headers.authorization, accountSid);
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      throw new TwilioApiError(failure.status, failure.code, `Scripted failure ${failure.code}`);
    }
    const message = parseMessage(form);
    this.messages.push(message);
    return message;
  }

  #authenticate(authorization: string | undefined, pathAccountSid: string): void {
    const [scheme, encoded] = (authorization ?? '').split(' ');
    const [user, ...password] = Buffer.from(encoded ?? '', 'base64')
      .toString('utf8')
      .split(':');
    const valid =
      scheme === 'Basic' &&
      user === this.#accountSid &&
      password.join(':') === this.#authToken &&
      pathAccountSid === this.#accountSid;
    if (!valid) {
      throw new TwilioApiError(401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
    }
  }

  async #runStatusCallbacks(message: FakeSmsMessage, url: string, signal: AbortSignal): Promise<void> {
    for (const status of this.#statusSequence) {
      try {
        await delay(this.#callbackDelayMs, undefined, { signal });
      } catch {
        return; // reset() or close()
      }
      message.status = status;
      await this.#sendCallback(message, status, url, signal);
    }
  }

  async #sendCallback(message: FakeSmsMessage, status: string, url: string, signal: AbortSignal): Promise<void> {
    let httpStatus: number | undefined;
    let error: string | undefined;
    try {
      httpStatus = (await this.#post(url, this.#callbackParams(message, status), signal)).status;
    } catch (cause) {
      if (signal.aborted) {
        return;
      }
      error = String(cause);
    }
    this.#events.emit({ type: 'callback', sid: message.sid, status, httpStatus });
    if (httpStatus === undefined || httpStatus < 200 || httpStatus > 299) {
      this.callbackFailures.push({ sid: message.sid, status, url, httpStatus, error, at: new Date() });
    }
  }

  #callbackParams(message: FakeSmsMessage, status: string): Record<string, string> {
    return {
      AccountSid: this.#accountSid,
      ApiVersion: API_VERSION,
      From: message.from ?? SERVICE_SENDER,
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: message.to,
      ...(message.messagingServiceSid === undefined ? {} : { MessagingServiceSid: message.messagingServiceSid }),
      ...(status === 'failed' || status === 'undelivered' ? { ErrorCode: DELIVERY_ERROR_CODE } : {}),
    };
  }

  async #post(url: string, params: Record<string, string>, signal?: AbortSignal): Promise<WebhookResponse> {
    const { headers, body } = this.signedRequest(url, params);
    const response = await fetch(url, { method: 'POST', headers, body, signal: signal ?? null });
    return { status: response.status, body: await response.text() };
  }

  /** The Message resource JSON, as the real API returns it. */
  #messageResource(message: FakeSmsMessage): Record<string, unknown> {
    const uri = `/${API_VERSION}/Accounts/${this.#accountSid}/Messages/${message.sid}`;
    const date = message.receivedAt.toUTCString().replace('GMT', '+0000');
    return {
      account_sid: this.#accountSid,
      api_version: API_VERSION,
      body: message.body,
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from ?? null,
      messaging_service_sid: message.messagingServiceSid ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: message.sid,
      status: message.status,
      subresource_uris: { media: `${uri}/Media.json` },
      to: message.to,
      uri: `${uri}.json`,
    };
  }
}

/** Validates a Messages.json form the way the real API does (the error codes are Twilio's). */
function parseMessage(form: URLSearchParams): FakeSmsMessage {
  const to = form.get('To') ?? '';
  const from = form.get('From') ?? undefined;
  const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
  const body = form.get('Body');
  const statusCallback = form.get('StatusCallback') ?? undefined;
  const validityPeriod = form.get('ValidityPeriod');
  if (!E164.test(to)) {
    throw new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
  }
  if (from === undefined && messagingServiceSid === undefined) {
    throw new TwilioApiError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
  }
  if (!body) {
    throw new TwilioApiError(400, 21602, 'Message body is required');
  }
  if (statusCallback !== undefined && !URL.canParse(statusCallback)) {
    throw new TwilioApiError(400, 21609, 'Invalid StatusCallback url');
  }
  return {
    sid: newSid('SM'),
    to,
    from,
    messagingServiceSid,
    body,
    statusCallback,
    validityPeriod: validityPeriod === null ? undefined : Number(validityPeriod),
    status: from === undefined ? 'accepted' : 'queued',
    receivedAt: new Date(),
  };
}

function toTwilioError(error: unknown): TwilioApiError {
  if (error instanceof TwilioApiError) {
    return error;
  }
  if (error instanceof HttpError) {
    return new TwilioApiError(error.status, 20001, error.message);
  }
  return new TwilioApiError(500, 20500, `fake Twilio API bug: ${String(error)}`);
}

/** A Twilio SID: two-letter prefix and 32 hex digits. */
function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}
