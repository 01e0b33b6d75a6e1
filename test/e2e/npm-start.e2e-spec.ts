import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import pg from 'pg';
import webpush from 'web-push';
import { DEMO_PASSWORD } from '#lib/demo';
import { repoRoot } from '../../scripts/launcher.js';
import { startNatsServer, type PrivateNatsServer } from '../support/nats-server.js';
import { waitFor } from '../support/wait.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** What a newcomer does: `npm start` on a machine with the three services and an empty database. */
describe('npm start', () => {
  const database = `crisisklaar_test_start_${randomBytes(4).toString('hex')}`;
  let nats: PrivateNatsServer;
  let launcher: ChildProcess;
  let output = '';
  let ports: number[];
  let exit: Promise<number | null>;

  beforeAll(async () => {
    nats = await startNatsServer();
    ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const vapid = webpush.generateVAPIDKeys();
    launcher = spawn(process.execPath, [`${repoRoot()}/dist/scripts/start.js`], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        NATS_URL: nats.url,
        QUEUE_PREFIX: `ck-start-${randomBytes(4).toString('hex')}`,
        HTTP_PORT: String(ports[0]),
        ACTIVATION_HTTP_PORT: String(ports[1]),
        NOTIFIER_HTTP_PORT: String(ports[2]),
        TIMELINE_HTTP_PORT: String(ports[3]),
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exit = new Promise((resolve) => launcher.once('exit', (code) => resolve(code)));
    await waitFor(() => output.includes('Crisisklaar is running'), {
      timeoutMs: 90_000,
      message: () => `"Crisisklaar is running" in:\n${output.slice(-3000)}`,
    });
  }, 120_000);

  afterAll(async () => {
    if (launcher.exitCode === null) {
      launcher.kill('SIGKILL');
    }
    await nats?.dispose();
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }, 30_000);

  it('created the database, started the four apps with prefixed logs, and seeded every demo login of the README', async () => {
    expect(output).toContain(`created database ${database}`);
    for (const app of ['gateway', 'activation', 'notifier', 'timeline']) {
      expect(output).toMatch(new RegExp(`^\\[${app}\\]\\s+\\{`, 'm'));
    }
    const expected: Record<string, [string, string][]> = {
      'leider@deregenboog.example': [['De Regenboog', 'crisis_team']],
      'docent@deregenboog.example': [['De Regenboog', 'staff']],
      'directie@deregenboog.example': [['De Regenboog', 'management']],
      'beheer@deregenboog.example': [['De Regenboog', 'admin']],
      'leider@hetbaken.example': [['Het Baken', 'crisis_team']],
      'leider@horizoncollege.example': [['Horizon College', 'crisis_team']],
      'bestuur@delinde.example': [
        ['De Regenboog', 'management'],
        ['Het Baken', 'management'],
      ],
    };
    const base = `http://127.0.0.1:${ports[0]}`;
    for (const [email, memberships] of Object.entries(expected)) {
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: DEMO_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = (await (
        await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } })
      ).json()) as {
        memberships: { schoolName: string; role: string }[];
      };
      expect(me.memberships.map((m) => [m.schoolName, m.role])).toEqual(memberships);
    }
  });

  it('stops all four apps on Ctrl-C and exits cleanly', async () => {
    launcher.kill('SIGINT');
    expect(await exit).toBe(0);
    for (const port of ports) {
      expect(await listening(port)).toBe(false);
    }
  }, 30_000);
});
