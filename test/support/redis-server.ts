import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort } from './nats-server.js';

export interface PrivateRedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** SIGKILL: a crash. The append-only file stays, as on a real server's disk. */
  kill(): Promise<void>;
  /** Start again on the same port and directory (it reloads the AOF) and wait until it answers. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;
const waitForExit = (child: ChildProcess): Promise<void> =>
  exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * A private redis-server configured as production wants it (AOF with `appendfsync everysec`, `noeviction`), on a
 * free loopback port with its own directory: a fault test can SIGKILL and restart it without touching the
 * machine's Redis on 6379.
 */
export async function startRedisServer(): Promise<PrivateRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'crisisklaar-redis-'));
  let child: ChildProcess | undefined;
  let output = '';
  const killOnExit = (): void => {
    if (child && !exited(child)) {
      child.kill('SIGKILL');
    }
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (exited(proc)) {
        throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
      }
      if ((await accepts(port)) && /Ready to accept connections/.test(output)) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not start within 10 s:\n${output}`);
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: async () => {
      if (child && !exited(child)) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
    },
    restart: async () => {
      if (child && !exited(child)) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
      await launch();
    },
    dispose: async () => {
      if (child && !exited(child)) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
