import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '#lib/demo';
import { ensureDatabase } from '#lib/platform';
import pg from 'pg';
import { startApp, stopApps, waitForHealthy, type AppName, type RunningApp } from '../../../scripts/launcher.js';
import {
  startFakePushService,
  startFakeTwilioApi,
  type FakePushService,
  type FakeTwilioApi,
} from '../../fakes/index.js';
import { TEST_TWILIO } from '../../support/twilio.js';
import { startNatsServer, type PrivateNatsServer } from '../../support/nats-server.js';
import { freePort } from '../../support/server-process.js';

const HEALTH_PORT_VAR: Record<AppName, string> = {
  gateway: 'HTTP_PORT',
  activation: 'ACTIVATION_HTTP_PORT',
  notifier: 'NOTIFIER_HTTP_PORT',
  timeline: 'TIMELINE_HTTP_PORT',
};

/**
 * The whole system for one e2e file, isolated from everything else on the machine: its own database, its own
 * nats-server (so tests may kill it), its own Redis key prefix, a fake push service, and the four apps as
 * real processes built by `npm run build`.
 */
export class System {
  readonly logs: string[] = [];
  private readonly running = new Map<AppName, RunningApp>();

  private constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly baseUrl: string,
    readonly push: FakePushService,
    readonly twilio: FakeTwilioApi,
    readonly nats: PrivateNatsServer,
    readonly databaseUrl: string,
    private readonly adminUrl: string,
  ) {}

  /**
   * `env` overrides the apps' environment (e.g. short escalation waits). `servers` points the system at a
   * private PostgreSQL (its admin URL) and Redis, for fault tests that crash them; by default the machine's.
   */
  static async start(
    env: NodeJS.ProcessEnv = {},
    servers: { postgresAdminUrl?: string; redisUrl?: string } = {},
  ): Promise<System> {
    const nats = await startNatsServer();
    const push = await startFakePushService();
    // Status callbacks go to PUBLIC_BASE_URL, which is the gateway here: the whole webhook path is real.
    const twilio = await startFakeTwilioApi({ ...TEST_TWILIO, callbackDelayMs: 50 });
    const adminUrl = servers.postgresAdminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/crisisklaar_test_e2e_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(databaseUrl.href);
    const vapid = webpush.generateVAPIDKeys();
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const appEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl.href,
      REDIS_URL: servers.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `ck-e2e-${randomBytes(4).toString('hex')}`,
      NATS_URL: nats.url,
      HTTP_PORT: String(ports[0]),
      ACTIVATION_HTTP_PORT: String(ports[1]),
      NOTIFIER_HTTP_PORT: String(ports[2]),
      TIMELINE_HTTP_PORT: String(ports[3]),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ports[0]}`,
      TWILIO_ACCOUNT_SID: TEST_TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TEST_TWILIO.authToken,
      TWILIO_FROM: TEST_TWILIO.from,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      SMS_RATE_PER_SECOND: '50',
      NOTIFIER_ADMIN_URL: `http://127.0.0.1:${ports[2]}`,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:beheer@crisisklaar.example',
      NODE_EXTRA_CA_CERTS: push.caFile,
      SEED_DEMO: 'true',
      // As in production: a fixed signing secret, so a restarted gateway still accepts the phones' tokens.
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      // Crisis-team logins take the one-time SMS code, as in production; login() reads it at the fake Twilio.
      AUTH_SMS_CODE: 'crisis-team',
      ...env,
    };
    const system = new System(appEnv, `http://127.0.0.1:${ports[0]}`, push, twilio, nats, databaseUrl.href, adminUrl);
    await Promise.all((['activation', 'notifier', 'timeline', 'gateway'] as const).map((app) => system.startApp(app)));
    return system;
  }

  /** Starts (or restarts) one app and waits until its /health answers 200; `env` adds to the system's. */
  async startApp(app: AppName, env: NodeJS.ProcessEnv = {}): Promise<void> {
    const running = startApp(app, { ...this.env, ...env }, (name, line) => this.logs.push(`[${name}] ${line}`));
    this.running.set(app, running);
    const port = this.env[HEALTH_PORT_VAR[app]]!;
    const exited = running.exited.then((code) => {
      throw new Error(
        `${app} exited (${String(code)}) while starting:\n${this.logs
          .filter((l) => l.startsWith(`[${app}]`))
          .slice(-20)
          .join('\n')}`,
      );
    });
    await Promise.race([waitForHealthy(`http://127.0.0.1:${port}/health`, 60_000), exited]);
    exited.catch(() => undefined);
  }

  /** The process id of each running app (for measurements). */
  pids(): Map<AppName, number> {
    return new Map([...this.running].map(([app, running]) => [app, running.child.pid!]));
  }

  /** Resolves when the app's process has ended (by itself, e.g. a fault point, or killed). */
  async exited(app: AppName): Promise<void> {
    await this.running.get(app)?.exited;
  }

  /** SIGKILL: the app dies on the spot, mid-work, as in a crash. */
  async kill(app: AppName): Promise<void> {
    const running = this.running.get(app);
    running?.child.kill('SIGKILL');
    await running?.exited;
  }

  async stop(): Promise<void> {
    await stopApps([...this.running.values()]);
    if (process.env.E2E_LOG_DIR) {
      // Keep the four apps' logs of this file for a look after a failure (CI sets nothing by default).
      writeFileSync(join(process.env.E2E_LOG_DIR, `e2e-${Date.now()}.log`), this.logs.join('\n'));
    }
    await this.push.close();
    await this.twilio.close();
    await this.nats.dispose();
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(this.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  }

  async login(email: string): Promise<Api> {
    return new Api(this.baseUrl, (await this.loginTokens(email)).accessToken);
  }

  /**
   * Logs in as a phone would: the password, then for crisis-team accounts the 6-digit code of the newest login
   * SMS to the person's phone at the fake Twilio.
   */
  async loginTokens(email: string, password = DEMO_PASSWORD): Promise<{ accessToken: string; refreshToken: string }> {
    const sentBefore = this.twilio.messages.length;
    const res = await fetch(`${this.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) {
      throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    }
    const answer = (await res.json()) as { accessToken?: string; refreshToken?: string; challengeId?: string };
    if (answer.accessToken && answer.refreshToken) {
      return { accessToken: answer.accessToken, refreshToken: answer.refreshToken };
    }
    const code = await this.loginCode(email, sentBefore);
    const otp = await fetch(`${this.baseUrl}/api/auth/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challengeId: answer.challengeId, code }),
    });
    if (otp.status !== 200) {
      throw new Error(`login code ${email}: ${otp.status} ${await otp.text()}`);
    }
    return (await otp.json()) as { accessToken: string; refreshToken: string };
  }

  /** The code of the first login SMS to `email`'s phone after `sentBefore` messages. */
  async loginCode(email: string, sentBefore = 0): Promise<string> {
    const phone = DEMO_PEOPLE.find((p) => p.email === email)?.phone;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const sms = this.twilio.messages
        .slice(sentBefore)
        .find((m) => (!phone || m.to === phone) && /inlogcode is [0-9]{6}/.test(m.body));
      if (sms) {
        return /inlogcode is ([0-9]{6})/.exec(sms.body)![1]!;
      }
      if (Date.now() > deadline) {
        throw new Error(`no login code SMS for ${email}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A logged-in phone: JSON over HTTP with the bearer token. */
export class Api {
  constructor(
    private readonly baseUrl: string,
    readonly token: string,
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<{ status: number; body: T; text: string }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (CSV export)
    }
    return { status: res.status, body: parsed as T, text };
  }

  get<T = unknown>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown) {
    return this.request<T>('POST', path, body);
  }
}
