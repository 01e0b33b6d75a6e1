import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { currentContext } from './context.js';

/**
 * Keys whose values never reach a log line: secrets and personal data. Log ids, not names, numbers or texts.
 */
const REDACT = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'cookie',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'phone',
  'email',
  'summary',
  'text',
  'keys',
  'subscription.keys',
  'authToken',
  'privateKey',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.phone',
  '*.email',
  '*.summary',
];

let root: Logger = pino({ level: 'info', enabled: false });

/** Structured JSON logs (pino), one line per record, with the app name and the current correlation id. */
export function configureLogger(app: string, level = 'info'): Logger {
  root = pino({
    level,
    base: { app },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...currentContext() }),
    redact: { paths: REDACT, censor: '[redacted]' },
  });
  return root;
}

export function logger(): Logger {
  return root;
}

/** Nest's logger interface on top of pino, so framework messages come out as the same JSON lines. */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string): void {
    root.info({ context }, stringify(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    root.error({ context, trace }, stringify(message));
  }
  warn(message: unknown, context?: string): void {
    root.warn({ context }, stringify(message));
  }
  debug(message: unknown, context?: string): void {
    root.debug({ context }, stringify(message));
  }
  verbose(message: unknown, context?: string): void {
    root.trace({ context }, stringify(message));
  }
  fatal(message: unknown, context?: string): void {
    root.fatal({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') {
    return message;
  }
  if (message instanceof Error) {
    return message.message;
  }
  return JSON.stringify(message);
}
