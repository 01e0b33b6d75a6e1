import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';

/** Whether the process has ended (by exit or signal). */
export const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** Resolves when the process has ended. */
export const waitForExit = (child: ChildProcess): Promise<void> =>
  exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

export interface LaunchedServer {
  proc: ChildProcess;
  /** The last 4,000 characters it printed (for errors). */
  output(): string;
}

/**
 * Spawns a server of a test's own and waits until its port accepts connections and, with `ready`, until it has
 * printed that it is ready. Throws, with what it printed, when it cannot be run, exits, or is not up in time.
 */
export async function launchServer(options: {
  name: string;
  command: string;
  args: string[];
  port: number;
  ready?: RegExp;
  timeoutMs: number;
  spawn?: SpawnOptions;
  /** Added to the error when the command cannot be run at all. */
  hint?: string;
}): Promise<LaunchedServer> {
  let output = '';
  const proc = spawn(options.command, options.args, { ...options.spawn, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  proc.once('error', (error) => (spawnError = error));
  const launched = { proc, output: () => output };
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new Error(
        `cannot run ${options.command}${options.hint ? ` (${options.hint})` : ''}: ${spawnError.message}`,
      );
    }
    if (exited(proc)) {
      throw new Error(`${options.name} on port ${options.port} exited at start (code ${proc.exitCode}):\n${output}`);
    }
    if ((await accepts(options.port)) && (!options.ready || options.ready.test(output))) {
      return launched;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(
    `${options.name} on port ${options.port} did not start within ${options.timeoutMs / 1000} s:\n${output}`,
  );
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
