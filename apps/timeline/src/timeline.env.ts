import { commonEnv, env, loadEnv, type EnvOf } from '#lib/platform';

export const timelineEnvSchema = {
  ...commonEnv,
  /** Health and metrics of the timeline app. */
  TIMELINE_HTTP_PORT: env.port(3003),
};
export type TimelineEnv = EnvOf<typeof timelineEnvSchema>;

export const loadTimelineEnv = (source: NodeJS.ProcessEnv = process.env): TimelineEnv =>
  loadEnv('timeline', timelineEnvSchema, source);
