import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of a unit of work carries, so one activation can be followed across the apps. */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
  requestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentContext(): LogContext {
  return storage.getStore() ?? {};
}
