/** An SMS to hand to the provider. The body is built by sms-text.ts: a link, never names or free text. */
export interface SmsRequest {
  to: string;
  body: string;
  /** Where the provider reports the message's status (PUBLIC_BASE_URL + /webhooks/twilio/status). */
  statusCallback: string;
  /** Seconds the provider may keep trying; after that the message expires and the chain moves on. */
  validitySeconds: number;
}

export type SmsSendResult =
  /** The provider took it; `sid` is its id, stored before anything else happens. */
  | { outcome: 'accepted'; sid: string; providerStatus: string }
  /** Kept in the local outbox because no provider is configured: NOT sent. */
  | { outcome: 'kept-locally' }
  /** Try again later (429, 5xx, network); `retryAfterMs` when the provider said how long. */
  | { outcome: 'retry'; detail: string; retryAfterMs?: number; rateLimited: boolean }
  /** The provider refused this message for good (an invalid or blocked number). */
  | { outcome: 'rejected'; code: string; detail: string };

export interface SmsSender {
  readonly provider: 'twilio' | 'local-outbox';
  send(request: SmsRequest): Promise<SmsSendResult>;
  /** Checks an `X-Twilio-Signature` of a webhook to `url` with `params`. */
  validSignature(url: string, params: Record<string, string>, signature: string): boolean;
}

export const SMS_SENDER = Symbol('SMS_SENDER');
