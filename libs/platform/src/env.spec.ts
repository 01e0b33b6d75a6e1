import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ConfigError, env, loadEnv, Secret, urlList } from './env.js';
import { unreachable } from './preflight.js';

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

describe('a list of URLs (NATS_URL of a cluster)', () => {
  const schema = { NATS_URL: env.urls(['nats'], 'nats://127.0.0.1:4222') };

  it('takes one URL or several, comma-separated, and checks each', () => {
    const three = 'nats://n1:4222, nats://n2:4222,nats://n3:4222';
    expect(urlList(loadEnv('test', schema, { NATS_URL: three }).NATS_URL)).toEqual([
      'nats://n1:4222',
      'nats://n2:4222',
      'nats://n3:4222',
    ]);
    expect(urlList(loadEnv('test', schema, {}).NATS_URL)).toEqual(['nats://127.0.0.1:4222']);
    expect(() => loadEnv('test', schema, { NATS_URL: 'nats://n1:4222,redis://n2:6379' })).toThrow(
      /NATS_URL must start with nats:\/\//,
    );
    expect(() => loadEnv('test', schema, { NATS_URL: ' , ' })).toThrow(/NATS_URL is empty/);
  });

  it('counts a cluster as reachable when one node answers, and names every node when none does', async () => {
    const closed = 'nats://127.0.0.1:1,nats://127.0.0.1:2';
    const [message] = await unreachable([{ name: 'NATS', url: closed, variable: 'NATS_URL' }], 300);
    expect(message).toMatch(/NATS is not reachable at 127\.0\.0\.1:1, 127\.0\.0\.1:2 \(from NATS_URL\)/);
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const oneUp = `nats://127.0.0.1:1,nats://127.0.0.1:${port}`;
      await expect(unreachable([{ name: 'NATS', url: oneUp, variable: 'NATS_URL' }], 300)).resolves.toEqual([]);
    } finally {
      server.close();
    }
  });
});
