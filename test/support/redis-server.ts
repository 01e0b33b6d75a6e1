import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, freePort, launchServer, waitForExit } from './server-process.js';

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

/**
 * A private redis-server configured as production wants it (AOF with `appendfsync everysec`, `noeviction`), on a
 * free loopback port with its own directory: a fault test can SIGKILL and restart it without touching the
 * machine's Redis on 6379.
 */
export async function startRedisServer(): Promise<PrivateRedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'crisisklaar-redis-'));
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    if (child && !exited(child)) {
      child.kill('SIGKILL');
    }
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    child = (
      await launchServer({
        name: 'redis-server',
        command: 'redis-server',
        args: [
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
        port,
        ready: /Ready to accept connections/,
        timeoutMs: 10_000,
      })
    ).proc;
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
