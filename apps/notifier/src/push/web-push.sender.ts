import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { Secret } from '#lib/platform';
import type { PushMessage, PushResult, PushSender, PushTarget } from './push-sender.port.js';

export interface WebPushSettings {
  publicKey: string;
  privateKey: Secret;
  subject: string;
  ttlSeconds: number;
  /** An HTTPS agent of its own (tests trust a local push service with it; production uses the default). */
  agent?: Agent;
}

/** Web push (RFC 8030/8291/8292) through the `web-push` library, VAPID-signed. */
export class WebPushSender implements PushSender {
  constructor(private readonly settings: WebPushSettings) {}

  async send(
    target: PushTarget,
    message: PushMessage,
    options: { topic: string; urgency: 'high' | 'normal' },
  ): Promise<PushResult> {
    try {
      const response = await webpush.sendNotification(target, JSON.stringify(message), {
        vapidDetails: {
          subject: this.settings.subject,
          publicKey: this.settings.publicKey,
          privateKey: this.settings.privateKey.reveal(),
        },
        TTL: this.settings.ttlSeconds,
        urgency: options.urgency,
        topic: options.topic,
        timeout: 10_000,
        ...(this.settings.agent ? { agent: this.settings.agent } : {}),
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
