import { execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, exited, freePort, launchServer, waitForExit } from './server-process.js';

export interface PrivatePostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  adminUrl: string;
  port: number;
  /** A URL for database `name` on this server. */
  urlFor(name: string): string;
  /** SIGKILL of the postmaster and every backend at once: a crash. The data directory stays. */
  kill(): Promise<void>;
  /** Start again on the same port and data (crash recovery replays the WAL) and wait until it accepts. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version) {
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin');
  }
  return join(root, version, 'bin');
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * A private PostgreSQL server (initdb into the temp dir, trust on loopback, fsync on, the machine's binaries) on a
 * free port, so that a fault test can crash and restart it; the machine's shared server on 5432 is never stopped.
 */
export async function startPostgresServer(): Promise<PrivatePostgresServer> {
  const bin = binDir();
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'crisisklaar-pg-'));
  if (process.getuid?.() === 0) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dataDir, Number(ids), Number(gid));
  }
  const [initdb, initArgs] = asServerUser(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale',
    'C',
  ]);
  execFileSync(initdb, initArgs, { stdio: 'pipe' });

  let child: ChildProcess | undefined;
  const killAll = (): void => {
    if (child?.pid && !exited(child)) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);

  const launch = async (): Promise<void> => {
    const [cmd, args] = asServerUser(join(bin, 'postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      '-c',
      'max_connections=200',
    ]);
    // Its own process group, so that a crash takes the postmaster and all its backends at once.
    child = (
      await launchServer({
        name: 'postgres',
        command: cmd,
        args,
        port,
        ready: /ready to accept connections/,
        timeoutMs: 60_000,
        spawn: { detached: true },
      })
    ).proc;
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc || exited(proc)) {
      return;
    }
    killAll();
    await waitForExit(proc);
    // The backends are in the same group; wait until the port is free of all of them.
    const deadline = Date.now() + 10_000;
    while ((await accepts(port)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  await launch();
  const urlFor = (name: string): string => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    adminUrl: urlFor('postgres'),
    port,
    urlFor,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    dispose: async () => {
      await kill();
      process.removeListener('exit', killAll);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
