import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether something accepts connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

function waitForExit(child: ChildProcess): Promise<void> {
  return exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
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
  let output = '';

  const killOnExit = (): void => {
    if (child && !exited(child)) {
      child.kill('SIGKILL');
    }
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    proc.once('error', (error) => (spawnError = error));

    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (spawnError) {
        throw new Error(`cannot run ${binary} (set NATS_SERVER_BIN): ${spawnError.message}`);
      }
      if (exited(proc)) {
        throw new Error(`nats-server on port ${port} exited at start (code ${proc.exitCode}):\n${output}`);
      }
      if (await accepts(port)) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`nats-server on port ${port} did not accept connections within 10 s:\n${output}`);
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
