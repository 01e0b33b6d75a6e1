import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const APPS = ['activation', 'notifier', 'timeline', 'gateway'] as const;
export type AppName = (typeof APPS)[number];

/** The repository root, whether this file runs compiled (dist/scripts) or from source (tests). */
export function repoRoot(): string {
  const here = fileURLToPath(import.meta.url);
  return here.replace(/\/(dist\/)?scripts\/[^/]+$/, '');
}

/** The compiled entry point of an app (after `npm run build`). */
export function entryPoint(app: AppName): string {
  return `${repoRoot()}/dist/apps/${app}/src/main.js`;
}

export interface RunningApp {
  app: AppName;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal) when the process ends. */
  exited: Promise<number | NodeJS.Signals>;
}

/**
 * glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MiB), after which such blocks
 * come from the heap and stay resident. The gateway's scrypt takes 32 MiB per password check, so after a few
 * logins it held some 70 MiB it no longer used. A fixed threshold keeps large blocks mmapped, given back on free
 * (idle gateway 208 → 138 MiB, BENCHMARKS.md scenario 6). An operator's own value wins.
 */
export const MEMORY_ENV: NodeJS.ProcessEnv = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** Starts one app as its own process, handing each line it prints to `onLine`. */
export function startApp(
  app: AppName,
  env: NodeJS.ProcessEnv,
  onLine: (app: AppName, line: string) => void,
): RunningApp {
  const child = spawn(process.execPath, [entryPoint(app)], {
    env: { ...MEMORY_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => onLine(app, line));
  }
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0));
  });
  return { app, child, exited };
}

/** Polls `url` until it answers 200, or rejects after `timeoutMs`. */
export async function waitForHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) {
        return;
      }
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (${last})`);
}

/** Ends the processes: SIGTERM, then SIGKILL for any that has not gone after `graceMs`. */
export async function stopApps(apps: readonly RunningApp[], graceMs = 10_000): Promise<void> {
  for (const { child } of apps) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
  }
  await Promise.all(
    apps.map(async ({ child, exited }) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}
