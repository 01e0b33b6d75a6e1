import { commonEnv, ConfigError, env, loadEnv, type EnvOf } from '#lib/platform';
import type { TwilioSettings } from './sms/twilio.sms-sender.js';

export const notifierEnvSchema = {
  ...commonEnv,
  /** Health and metrics of the notifier app. */
  NOTIFIER_HTTP_PORT: env.port(3002),
  REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** Key prefix of the notifier's queues in Redis (lets tests and several installations share one Redis). */
  QUEUE_PREFIX: env.string(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes', 'crisisklaar'),
  /** The address people open: links in push messages and SMS point here. */
  PUBLIC_BASE_URL: env.url(['https', 'http'], 'http://localhost:3000'),
  VAPID_PUBLIC_KEY: env.string(/^[A-Za-z0-9_-]{80,100}$/, 'a base64url P-256 public key (npm run vapid:generate)'),
  VAPID_PRIVATE_KEY: env.secret(40, 'a base64url P-256 private key (npm run vapid:generate)'),
  VAPID_SUBJECT: env.string(/^(mailto:|https:\/\/)\S+$/, 'a mailto: or https: contact for push services'),
  /** Seconds a push service may hold a message for an offline device. */
  PUSH_TTL_SECONDS: env.int(0, 86_400, 900),
  /** Twilio. Without TWILIO_ACCOUNT_SID, SMS go to the local outbox (logged, on the delivery board, NOT sent). */
  TWILIO_ACCOUNT_SID: env.optional(env.string(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID (AC + 32 hex digits)')),
  TWILIO_AUTH_TOKEN: env.optional(env.secret(16, 'the Twilio auth token')),
  TWILIO_FROM: env.optional(env.string(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number (+31…)')),
  TWILIO_MESSAGING_SERVICE_SID: env.optional(env.string(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID (MG…)')),
  /** Only to point the Twilio client at a local fake in tests. */
  TWILIO_API_BASE_URL: env.optional(env.url(['http', 'https'])),
  /** SMS per second the sender may take (Twilio: 10 segments/s for non-US senders); shared by all workers. */
  SMS_RATE_PER_SECOND: env.int(1, 1000, 10),
  /** SMS requests to Twilio in flight at once (1 keeps the priority order strict, at lower throughput). */
  SMS_CONCURRENCY: env.int(1, 50, 4),
  /** Seconds Twilio may keep trying an SMS; an expired SMS escalates, it is never delivered hours late. */
  SMS_VALIDITY_SECONDS: env.int(60, 36_000, 900),
  /** Wait for an acknowledgement per channel before the next channel (then the deputy), by task priority. */
  ESCALATION_WAIT_CRITICAL_SECONDS: env.int(1, 86_400, 180),
  ESCALATION_WAIT_HIGH_SECONDS: env.int(1, 86_400, 300),
  ESCALATION_WAIT_NORMAL_SECONDS: env.int(1, 86_400, 900),
};
export type NotifierEnv = EnvOf<typeof notifierEnvSchema>;

export function loadNotifierEnv(source: NodeJS.ProcessEnv = process.env): NotifierEnv {
  const config = loadEnv('notifier', notifierEnvSchema, source);
  twilioSettings(config); // all Twilio settings or none
  return config;
}

/** The Twilio settings, or undefined when none are given (local outbox). Half a configuration is refused. */
export function twilioSettings(config: NotifierEnv): TwilioSettings | undefined {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_FROM: from } = config;
  const service = config.TWILIO_MESSAGING_SERVICE_SID;
  if (!sid && !token && !from && !service) {
    return undefined;
  }
  const problems = [
    ...(sid ? [] : ['TWILIO_ACCOUNT_SID is missing (the other TWILIO_ settings are given)']),
    ...(token ? [] : ['TWILIO_AUTH_TOKEN is missing (the other TWILIO_ settings are given)']),
    ...(from || service ? [] : ['TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is missing']),
  ];
  if (problems.length > 0 || !sid || !token) {
    throw new ConfigError('notifier', problems);
  }
  return {
    accountSid: sid,
    authToken: token,
    sender: service ? { messagingServiceSid: service } : { from: from! },
    ...(config.TWILIO_API_BASE_URL ? { apiBaseUrl: config.TWILIO_API_BASE_URL } : {}),
  };
}
