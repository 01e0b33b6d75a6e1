import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ConfigError, env, loadEnv, Secret } from './env.js';

describe('loadEnv', () => {
  const schema = {
    DATABASE_URL: env.url(['postgres']),
    HTTP_PORT: env.port(3000),
    TOKEN: env.secret(32, 'at least 32 characters'),
    MODE: env.oneOf(['a', 'b'] as const, 'a'),
    FLAG: env.bool(false),
    OPTIONAL: env.optional(env.port()),
  };

  it('reads typed values and applies defaults', () => {
    const config = loadEnv('test', schema, { DATABASE_URL: 'postgres://x/y', TOKEN: 's'.repeat(32), FLAG: 'yes' });
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.MODE).toBe('a');
    expect(config.FLAG).toBe(true);
    expect(config.OPTIONAL).toBeUndefined();
    expect(config.TOKEN.reveal()).toBe('s'.repeat(32));
  });

  it('names every missing or malformed variable in one error, and never a value', () => {
    const secretValue = 'short-secret-value';
    let error: unknown;
    try {
      loadEnv('test', schema, {
        DATABASE_URL: 'mysql://x',
        HTTP_PORT: '99999',
        TOKEN: secretValue,
        MODE: 'c',
        FLAG: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['DATABASE_URL', 'HTTP_PORT', 'TOKEN', 'MODE', 'FLAG']);
    expect(message).not.toContain(secretValue);
    expect(message).not.toContain('mysql://x');
  });
});

describe(Secret.name, () => {
  it('never shows its value in a string, JSON or inspection', () => {
    const secret = new Secret('hunter2-hunter2');
    expect(String(secret)).toBe('[secret]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(inspect({ secret })).not.toContain('hunter2');
  });
});
