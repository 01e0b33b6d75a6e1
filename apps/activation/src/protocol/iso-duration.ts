const PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * Milliseconds of an ISO-8601 duration as the catalog writes deadlines (`PT15M`, `PT1H30M`, `P1D`, `P2DT4H`).
 * Years, months and weeks are refused: their length depends on the calendar.
 */
export function durationMs(duration: string): number {
  const match = PATTERN.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) {
    throw new Error(`not an ISO-8601 duration of days, hours, minutes and seconds: "${duration}"`);
  }
  const [, d, h, m, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  return (((d! * 24 + h!) * 60 + m!) * 60 + s!) * 1000;
}

/** The due time of a task: the trigger time plus the template's relative deadline. */
export function dueAt(triggeredAt: Date, deadline: string): Date {
  return new Date(triggeredAt.getTime() + durationMs(deadline));
}
