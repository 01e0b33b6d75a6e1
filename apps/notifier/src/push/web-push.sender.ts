import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { Secret } from '#lib/platform';
import { PreconnectingAgent } from './preconnecting-agent.js';
import type { PushMessage, PushResult, PushSender, PushTarget } from './push-sender.port.js';

export interface WebPushSettings {
  publicKey: string;
  privateKey: Secret;
  subject: string;
  ttlSeconds: number;
  /**
   * An HTTPS agent of its own (tests trust a local push service with it). By default a {@link PreconnectingAgent}:
   * with any other agent {@link WebPushSender.preconnect} does nothing.
   */
  agent?: Agent;
  /** How long one signed VAPID header is used for a push service (seconds; RFC 8292 allows up to 24 h). */
  vapidLifetimeSeconds?: number;
  /** Clock in milliseconds (tests move it). */
  now?: () => number;
}

/** One VAPID JWT per push service: 1 hour, renewed 5 minutes before it expires. */
const VAPID_LIFETIME_SECONDS = 3600;
const VAPID_RENEW_BEFORE_SECONDS = 300;

/** Web push (RFC 8030/8291/8292) through the `web-push` library, VAPID-signed. */
export class WebPushSender implements PushSender {
  /** The signed `Authorization` header per push-service origin (the JWT's audience), with its expiry (s). */
  private readonly vapid = new Map<string, { authorization: string; expiresAt: number }>();

  private readonly agent: Agent;

  constructor(private readonly settings: WebPushSettings) {
    this.agent = settings.agent ?? new PreconnectingAgent();
  }

  preconnect(endpoint: string): void {
    if (this.agent instanceof PreconnectingAgent) {
      this.agent.preconnect(endpoint);
    }
  }

  /**
   * The VAPID `Authorization` header for the push service of `endpoint`. Signing is the costliest step of a push
   * after the encryption, and the JWT names only the push service's origin, the subject and an expiry, so the
   * same header serves every push to that service until shortly before it expires.
   */
  vapidAuthorization(endpoint: string): string {
    const url = new URL(endpoint);
    const audience = `${url.protocol}//${url.host}`;
    const nowSeconds = Math.floor((this.settings.now?.() ?? Date.now()) / 1000);
    const cached = this.vapid.get(audience);
    if (cached && cached.expiresAt - VAPID_RENEW_BEFORE_SECONDS > nowSeconds) {
      return cached.authorization;
    }
    const expiresAt = nowSeconds + (this.settings.vapidLifetimeSeconds ?? VAPID_LIFETIME_SECONDS);
    const { Authorization } = webpush.getVapidHeaders(
      audience,
      this.settings.subject,
      this.settings.publicKey,
      this.settings.privateKey.reveal(),
      'aes128gcm',
      expiresAt,
    );
    this.vapid.set(audience, { authorization: Authorization, expiresAt });
    return Authorization;
  }

  async send(
    target: PushTarget,
    message: PushMessage,
    options: { topic: string; urgency: 'high' | 'normal' },
  ): Promise<PushResult> {
    try {
      const response = await webpush.sendNotification(target, JSON.stringify(message), {
        // Signed here, once per push service and hour, instead of by web-push for every push. `null` (not
        // undefined, which means "the keys set globally") tells web-push not to sign again.
        vapidDetails: null as unknown as undefined,
        headers: { Authorization: this.vapidAuthorization(target.endpoint) },
        TTL: this.settings.ttlSeconds,
        urgency: options.urgency,
        topic: options.topic,
        timeout: 10_000,
        agent: this.agent,
      });
      return { outcome: 'accepted', statusCode: response.statusCode };
    } catch (error) {
      if (error instanceof webpush.WebPushError) {
        const status = error.statusCode;
        if (status === 404 || status === 410) {
          return { outcome: 'gone', statusCode: status };
        }
        if (status === 429 || status >= 500) {
          const retryAfter = Number(error.headers?.['retry-after']);
          return {
            outcome: 'retry',
            statusCode: status,
            retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
            detail: `push service answered ${status}`,
          };
        }
        return { outcome: 'rejected', statusCode: status, detail: `push service answered ${status}` };
      }
      return { outcome: 'retry', statusCode: null, detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
