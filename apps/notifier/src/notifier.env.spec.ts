import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '#lib/platform';
import { loadNotifierEnv, twilioSettings } from './notifier.env.js';

const BASE = {
  VAPID_PUBLIC_KEY: 'B'.repeat(87),
  VAPID_PRIVATE_KEY: 'p'.repeat(43),
  VAPID_SUBJECT: 'mailto:beheer@crisisklaar.example',
};
const SID = `AC${'a'.repeat(32)}`;

describe('notifier environment', () => {
  it('runs on the local SMS outbox when no Twilio setting is given', () => {
    expect(twilioSettings(loadNotifierEnv(BASE))).toBeUndefined();
  });

  it('refuses half a Twilio configuration, naming what is missing and never the token', () => {
    const attempt = () =>
      loadNotifierEnv({ ...BASE, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret-token-12345' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is missing/);
    expect(attempt).not.toThrow(/secret-token/);
  });

  it('prefers a Messaging Service over a From number', () => {
    const config = loadNotifierEnv({
      ...BASE,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret-token-12345',
      TWILIO_FROM: '+3197010000001',
      TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`,
    });
    expect(twilioSettings(config)?.sender).toEqual({ messagingServiceSid: `MG${'b'.repeat(32)}` });
  });

  it('defaults the SMS validity to 900 s and the critical wait to 3 minutes', () => {
    const config = loadNotifierEnv(BASE);
    expect([config.SMS_VALIDITY_SECONDS, config.ESCALATION_WAIT_CRITICAL_SECONDS, config.SMS_RATE_PER_SECOND]).toEqual([
      900, 180, 10,
    ]);
  });
});
