import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

export const activationEnvSchema = {
  ...commonEnv,
  /** Health and metrics of the activation app (it has no public API: the gateway talks to it over NATS). */
  ACTIVATION_HTTP_PORT: env.port(3001),
};
export type ActivationEnv = EnvOf<typeof activationEnvSchema>;

export const loadActivationEnv = (source: NodeJS.ProcessEnv = process.env): ActivationEnv =>
  loadEnv('activation', activationEnvSchema, source);
