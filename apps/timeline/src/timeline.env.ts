import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

export const timelineEnvSchema = {
  ...commonEnv,
  /** Health and metrics of the timeline app. */
  TIMELINE_HTTP_PORT: env.port(3003),
  /** How often due aftercare items are looked for (their owners are then told through the notifier). */
  AFTERCARE_SCAN_SECONDS: env.int(1, 3600, 60),
};
export type TimelineEnv = EnvOf<typeof timelineEnvSchema>;

export const loadTimelineEnv = (source: NodeJS.ProcessEnv = process.env): TimelineEnv =>
  loadEnv('timeline', timelineEnvSchema, source);
