import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

export const gatewayEnvSchema = {
  ...commonEnv,
  /** The public HTTP port: the API, the phone app, the webhooks. */
  HTTP_PORT: env.port(3000),
  PUBLIC_BASE_URL: env.url(['https', 'http'], 'http://localhost:3000'),
  VAPID_PUBLIC_KEY: env.string(/^[A-Za-z0-9_-]{80,100}$/, 'a base64url P-256 public key (npm run vapid:generate)'),
  /** Signs access tokens. Required in production; elsewhere a random one is made at boot. */
  AUTH_TOKEN_SECRET: env.optional(env.secret(32, 'at least 32 characters')),
  /** Lifetime of an access token. */
  ACCESS_TOKEN_TTL_SECONDS: env.int(60, 86_400, 900),
  /** How long a session lasts without a new login (its refresh token rotates on every use). */
  REFRESH_TOKEN_TTL_DAYS: env.int(1, 365, 30),
  /**
   * `crisis-team`: crisis-team accounts need a one-time SMS code after the password (default in production);
   * `off`: password only (default elsewhere, so a demo without an SMS provider can log in).
   */
  AUTH_SMS_CODE: env.optional(env.oneOf(['crisis-team', 'off'] as const)),
  /**
   * Express's `trust proxy` when the gateway runs behind a reverse proxy (e.g. `loopback`, `10.0.0.0/8` or `1`),
   * so login limits count the client's address, not the proxy's. Unset: the connection's own address.
   */
  TRUST_PROXY: env.optional(
    env.string(/^[A-Za-z0-9.:/, ]{1,200}$/, 'loopback, an address or subnet list, or a hop count'),
  ),
  /** Failed logins per account per 15 minutes before it is paused. */
  LOGIN_FAILURES_PER_ACCOUNT: env.int(1, 1000, 10),
  /** Login attempts per address per 15 minutes. */
  LOGIN_ATTEMPTS_PER_ADDRESS: env.int(1, 100_000, 100),
  /** Messages that send SMS (announcements, releases, the press instruction) per person per hour. */
  SMS_SENDS_PER_PERSON_PER_HOUR: env.int(1, 10_000, 30),
  /** The notifier's internal HTTP address: the gateway passes /admin/queues (the queue board) to it, for admins. */
  NOTIFIER_ADMIN_URL: env.url(['http', 'https'], 'http://127.0.0.1:3002'),
  /** How long the gateway waits for another app's answer before it says 503. */
  RPC_TIMEOUT_MS: env.int(100, 60_000, 5_000),
};
export type GatewayEnv = EnvOf<typeof gatewayEnvSchema>;

export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const config = loadEnv('gateway', gatewayEnvSchema, source);
  if (config.NODE_ENV === 'production' && !config.AUTH_TOKEN_SECRET) {
    return loadEnv(
      'gateway',
      { ...gatewayEnvSchema, AUTH_TOKEN_SECRET: env.secret(32, 'at least 32 characters') },
      source,
    );
  }
  return config;
}
