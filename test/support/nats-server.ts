import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { exited, freePort, launchServer, waitForExit } from './server-process.js';

export { accepts, freePort } from './server-process.js';

export interface PrivateNatsServer {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The JetStream store directory; it survives stop/kill/restart, like a real server's disk. */
  dataDir: string;
  /** SIGTERM (graceful), wait for the exit. The data directory stays, so `restart()` finds the streams again. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. Returns at once; `restart()` waits for the process to be gone. */
  kill(): void;
  /** Start again on the same port and data directory, and wait until it accepts connections. */
  restart(): Promise<void>;
  /** Stop it and delete the data directory (end of the test file). */
  dispose(): Promise<void>;
}

export function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) {
    return process.env.NATS_SERVER_BIN;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'nats-server'))) {
      return join(dir, 'nats-server');
    }
  }
  return '/usr/sbin/nats-server';
}

/** The version of the nats-server binary the tests start, e.g. `[2, 9, 10]`. */
export function natsServerVersion(): [number, number, number] {
  const out = execFileSync(natsServerBinary(), ['--version'], { encoding: 'utf8' });
  const match = /v(\d+)\.(\d+)\.(\d+)/.exec(out);
  if (!match) {
    throw new Error(`cannot read the nats-server version from "${out.trim()}"`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * A private `nats-server -js` on a free loopback port with its own store under the temp dir: tests can stop,
 * kill and restart it without touching the developer's server on 4222. Stopped by PID only.
 */
export async function startNatsServer(): Promise<PrivateNatsServer> {
  const binary = natsServerBinary();
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'crisisklaar-nats-'));
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
        name: 'nats-server',
        command: binary,
        args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir],
        port,
        timeoutMs: 10_000,
        hint: 'set NATS_SERVER_BIN',
      })
    ).proc;
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc || exited(proc)) {
      return;
    }
    const gone = waitForExit(proc);
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  await launch();

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dataDir,
    stop,
    kill: () => {
      if (child && !exited(child)) {
        child.kill('SIGKILL');
      }
    },
    restart: async () => {
      if (child && !exited(child)) {
        await stop();
      }
      if (child) {
        await waitForExit(child);
      }
      await launch();
    },
    dispose: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
