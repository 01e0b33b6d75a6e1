import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

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
};
export type NotifierEnv = EnvOf<typeof notifierEnvSchema>;

export const loadNotifierEnv = (source: NodeJS.ProcessEnv = process.env): NotifierEnv =>
  loadEnv('notifier', notifierEnvSchema, source);
