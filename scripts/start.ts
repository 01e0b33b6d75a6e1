/**
 * `npm start`: the whole system on one machine. Checks PostgreSQL, Redis and NATS (and says how to start any
 * that is down), creates the database on a first run, then starts the four apps as separate processes with
 * their log lines prefixed. Each app migrates its own schema and seeds the demo school on an empty database.
 * Ctrl-C stops them all.
 */
import { join } from 'node:path';
import { DEMO_PASSWORD } from '#lib/demo';
import { ensureDatabase, unreachable } from '#lib/platform';
import { APPS, repoRoot, startApp, stopApps, waitForHealthy, type AppName, type RunningApp } from './launcher.js';
import { localVapidKeys, readEnvFile } from './local-env.js';

const COLORS: Record<AppName, string> = { gateway: '36', activation: '33', notifier: '35', timeline: '32' };

async function main(): Promise<number> {
  const root = repoRoot();
  const env: NodeJS.ProcessEnv = { ...readEnvFile(join(root, '.env')), ...process.env };
  env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/crisisklaar';
  env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  env.NATS_URL ??= 'nats://127.0.0.1:4222';
  env.HTTP_PORT ??= '3000';
  env.PUBLIC_BASE_URL ??= `http://localhost:${env.HTTP_PORT}`;
  env.VAPID_SUBJECT ??= 'mailto:beheer@crisisklaar.example';
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) {
    const keys = localVapidKeys(root);
    env.VAPID_PUBLIC_KEY = keys.publicKey;
    env.VAPID_PRIVATE_KEY = keys.privateKey;
  }

  const missing = await unreachable([
    { name: 'PostgreSQL', url: env.DATABASE_URL, variable: 'DATABASE_URL' },
    { name: 'Redis', url: env.REDIS_URL, variable: 'REDIS_URL' },
    { name: 'NATS', url: env.NATS_URL, variable: 'NATS_URL' },
  ]);
  if (missing.length > 0) {
    process.stderr.write(`Crisisklaar cannot start:\n${missing.map((m) => `- ${m}`).join('\n')}\n`);
    return 1;
  }
  if ((await ensureDatabase(env.DATABASE_URL)) === 'created') {
    process.stdout.write(`created database ${new URL(env.DATABASE_URL).pathname.slice(1)}\n`);
  }

  const tty = process.stdout.isTTY;
  const print = (app: AppName, line: string) => {
    const tag = tty ? `\x1b[${COLORS[app]}m[${app}]\x1b[0m` : `[${app}]`;
    process.stdout.write(`${tag.padEnd(tty ? 21 : 12)} ${line}\n`);
  };
  const running: RunningApp[] = APPS.map((app) => startApp(app, env, print));
  let stopping = false;
  const stop = async (code: number) => {
    if (!stopping) {
      stopping = true;
      await stopApps(running);
    }
    return code;
  };
  process.once('SIGINT', () => void stop(0).then((code) => process.exit(code)));
  process.once('SIGTERM', () => void stop(0).then((code) => process.exit(code)));

  const firstExit = Promise.race(running.map(async (r) => ({ app: r.app, code: await r.exited })));
  const healthy = waitForHealthy(`http://127.0.0.1:${env.HTTP_PORT}/health`, 120_000).then(() => 'healthy' as const);
  const outcome = await Promise.race([firstExit, healthy]);
  if (outcome !== 'healthy') {
    process.stderr.write(`\n${outcome.app} stopped (${String(outcome.code)}); stopping the others.\n`);
    return stop(1);
  }
  process.stdout.write(
    [
      '',
      `Crisisklaar is running: ${env.PUBLIC_BASE_URL}  (API docs: ${env.PUBLIC_BASE_URL}/api/docs)`,
      `Demo logins (password ${DEMO_PASSWORD}): leider@deregenboog.example, docent@deregenboog.example,`,
      '  directie@deregenboog.example, beheer@deregenboog.example, leider@hetbaken.example,',
      '  leider@horizoncollege.example, bestuur@delinde.example',
      'Ctrl-C stops all four apps.',
      '',
    ].join('\n'),
  );
  const crashed = await firstExit;
  if (!stopping) {
    process.stderr.write(`\n${crashed.app} stopped (${String(crashed.code)}); stopping the others.\n`);
    return stop(1);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Crisisklaar cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
