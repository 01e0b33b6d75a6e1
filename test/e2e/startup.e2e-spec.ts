import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryPoint, repoRoot } from '../../scripts/launcher.js';

/** Runs a built entry point to its end; fails the test if it does not end by itself (it must never hang). */
function run(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} still running after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('starting up', () => {
  it('npm start names each unreachable service, where it looked and how to start it, and exits non-zero', async () => {
    const [natsPort, redisPort] = [await closedPort(), await closedPort()];
    const { code, output } = await run(`${repoRoot()}/dist/scripts/start.js`, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/crisisklaar_test',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      VAPID_PUBLIC_KEY: 'B'.repeat(87),
      VAPID_PRIVATE_KEY: 'k'.repeat(43),
    });
    expect(code).toBe(1);
    expect(output).toContain(`NATS is not reachable at 127.0.0.1:${natsPort} (from NATS_URL)`);
    expect(output).toContain(`Redis is not reachable at 127.0.0.1:${redisPort} (from REDIS_URL)`);
    expect(output).toContain('start-stop-daemon --start');
    expect(output).toContain('redis-server --daemonize yes');
    expect(output).not.toContain('PostgreSQL is not reachable');
  }, 30_000);

  it('an app with a bad environment refuses to start with one message naming every variable, and no secret', async () => {
    const secret = 'tiny-secret';
    const { code, output } = await run(entryPoint('notifier'), {
      REDIS_URL: 'http://127.0.0.1:6379',
      NOTIFIER_HTTP_PORT: '99999',
      VAPID_PRIVATE_KEY: secret,
      VAPID_SUBJECT: 'beheer@school.example',
    });
    expect(code).toBe(1);
    for (const name of ['REDIS_URL', 'NOTIFIER_HTTP_PORT', 'VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT']) {
      expect(output).toContain(`- ${name} `);
    }
    expect(output).not.toContain(secret);
  });

  it('the gateway refuses production mode without a token secret', async () => {
    const { code, output } = await run(entryPoint('gateway'), {
      NODE_ENV: 'production',
      VAPID_PUBLIC_KEY: 'B'.repeat(87),
    });
    expect(code).toBe(1);
    expect(output).toContain('AUTH_TOKEN_SECRET is missing');
  });

  it('an app whose database cannot be reached says so and exits, instead of hanging', async () => {
    const pgPort = await closedPort();
    const { code, output } = await run(entryPoint('timeline'), {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/crisisklaar`,
      NATS_URL: `nats://127.0.0.1:${await closedPort()}`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`PostgreSQL is not reachable at 127.0.0.1:${pgPort} (from DATABASE_URL)`);
    expect(output).toContain('pg_ctlcluster');
    expect(output).toContain('NATS is not reachable');
  });

  it('activation stops at boot on an invalid protocol catalog, naming the file, the path and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-bad-catalog-'));
    try {
      cpSync(`${repoRoot()}/apps/activation/catalog`, dir, { recursive: true });
      const file = join(dir, 'tasks', 'deaths.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/role: family-liaison/, 'role: pers'));
      const { code, output } = await run(entryPoint('activation'), { CATALOG_DIR: dir });
      expect(code).toBe(1);
      expect(output).toMatch(/deaths\.yaml: tasks\[\d+\]\.role: unknown role "pers"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
