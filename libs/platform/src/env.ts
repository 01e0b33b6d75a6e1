import { inspect } from 'node:util';

/** A credential that cannot end up in a log line or a JSON dump by accident. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: string[],
  ) {
    super(`${app}: the environment is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Parser<T> = { parse(raw: string | undefined, name: string): T; describe: string };

function required<T>(parse: (raw: string, name: string) => T, describe: string, fallback?: string): Parser<T> {
  return {
    describe,
    parse(raw, name) {
      const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      if (value === undefined) {
        throw new Error(`${name} is missing (${describe})`);
      }
      return parse(value, name);
    },
  };
}

function optional<T>(parser: Parser<T>): Parser<T | undefined> {
  return {
    describe: parser.describe,
    parse: (raw, name) => (raw === undefined || raw.trim() === '' ? undefined : parser.parse(raw, name)),
  };
}

/** The URLs of a comma-separated list (e.g. the three nodes of a NATS cluster in `NATS_URL`). */
export function urlList(raw: string): string[] {
  return raw
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one.length > 0);
}

function parseUrl(raw: string, name: string, protocols: string[], describe: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a URL (${describe})`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new Error(`${name} must start with ${protocols.map((p) => `${p}://`).join(' or ')} (${describe})`);
  }
  return raw;
}

/** Typed readers of one environment variable each. Messages name the variable, never its value. */
export const env = {
  /** One or more URLs separated by commas (a cluster's nodes); each is checked. Read them with {@link urlList}. */
  urls: (protocols: string[], fallback?: string) =>
    required(
      (raw, name) => {
        const list = urlList(raw);
        if (list.length === 0) {
          throw new Error(`${name} is empty (one or more ${protocols[0]} URLs, separated by commas)`);
        }
        list.forEach((one) => parseUrl(one, name, protocols, `one or more ${protocols[0]} URLs, separated by commas`));
        return raw;
      },
      `one or more ${protocols[0]} URLs, separated by commas`,
      fallback,
    ),
  url: (protocols: string[], fallback?: string) =>
    required((raw, name) => parseUrl(raw, name, protocols, `a ${protocols[0]} URL`), `a ${protocols[0]} URL`, fallback),
  port: (fallback?: number) =>
    required(
      (raw, name) => {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0 || n > 65535) {
          throw new Error(`${name} must be a port number 0-65535`);
        }
        return n;
      },
      'a port number',
      fallback === undefined ? undefined : String(fallback),
    ),
  int: (min: number, max: number, fallback?: number) =>
    required(
      (raw, name) => {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min || n > max) {
          throw new Error(`${name} must be a whole number from ${min} to ${max}`);
        }
        return n;
      },
      `a whole number ${min}-${max}`,
      fallback === undefined ? undefined : String(fallback),
    ),
  bool: (fallback: boolean) =>
    required(
      (raw, name) => {
        if (!/^(true|false|1|0|yes|no)$/i.test(raw)) {
          throw new Error(`${name} must be true or false`);
        }
        return /^(true|1|yes)$/i.test(raw);
      },
      'true or false',
      String(fallback),
    ),
  oneOf: <T extends string>(values: readonly T[], fallback?: T) =>
    required(
      (raw, name) => {
        if (!values.includes(raw as T)) {
          throw new Error(`${name} must be one of ${values.join(', ')}`);
        }
        return raw as T;
      },
      values.join('|'),
      fallback,
    ),
  string: (pattern: RegExp, describe: string, fallback?: string) =>
    required(
      (raw, name) => {
        if (!pattern.test(raw)) {
          throw new Error(`${name} must be ${describe}`);
        }
        return raw;
      },
      describe,
      fallback,
    ),
  secret: (minLength: number, describe: string) =>
    required((raw, name) => {
      if (raw.length < minLength) {
        throw new Error(`${name} must be ${describe}`);
      }
      return new Secret(raw);
    }, describe),
  optional,
};

export type EnvSchema = Record<string, Parser<unknown>>;
export type EnvOf<S extends EnvSchema> = { [K in keyof S]: S[K] extends Parser<infer T> ? T : never };

/**
 * Reads and validates every variable of `schema` at once. Throws one ConfigError naming every missing or
 * malformed variable, so an operator fixes them in one go. Values are never part of the message.
 */
export function loadEnv<S extends EnvSchema>(
  app: string,
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): EnvOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, parser] of Object.entries(schema)) {
    try {
      out[name] = parser.parse(source[name], name);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(app, problems);
  }
  return out as EnvOf<S>;
}

/** The variables every app reads. */
export const commonEnv = {
  NODE_ENV: env.oneOf(['development', 'test', 'production'] as const, 'development'),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/crisisklaar'),
  NATS_URL: env.urls(['nats'], 'nats://127.0.0.1:4222'),
  NATS_STREAM_REPLICAS: env.int(1, 5, 1),
  SEED_DEMO: env.bool(true),
};
