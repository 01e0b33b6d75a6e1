import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

export const activationEnvSchema = {
  ...commonEnv,
  /** Health and metrics of the activation app (it has no public API: the gateway talks to it over NATS). */
  ACTIVATION_HTTP_PORT: env.port(3001),
  /** Tasks due more than this many hours after the trigger are announced this long before they are due. */
  TASK_ANNOUNCE_LEAD_HOURS: env.int(1, 24 * 30, 24),
  /** The protocol catalog folder (default: apps/activation/catalog of this checkout). */
  CATALOG_DIR: env.optional(env.string(/^\S+$/, 'a folder path')),
};
export type ActivationEnv = EnvOf<typeof activationEnvSchema>;

export const loadActivationEnv = (source: NodeJS.ProcessEnv = process.env): ActivationEnv =>
  loadEnv('activation', activationEnvSchema, source);
