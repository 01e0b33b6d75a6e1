import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import webpush from 'web-push';
import type { AnnouncementView, IncidentView } from '#lib/contracts';
import { Secret } from '#lib/platform';
import { SMS_QUEUE } from '../../apps/notifier/src/delivery/delivery.queues.js';
import { jobPriority, queuePriority } from '../../apps/notifier/src/escalation/escalation-policy.js';
import { pushMessage } from '../../apps/notifier/src/push/push-message.js';
import { WebPushSender } from '../../apps/notifier/src/push/web-push.sender.js';
import { System, type Api } from '../e2e/support/system.js';
import { cpuSeconds, rssMiB } from './support/proc.js';
import { BENCH_ADMIN_EMAIL, seedSchools, type BenchSchool } from './support/seed.js';
import { machine, percentile, report } from './support/stats.js';

/**
 * Scenarios 2 (school fan-out), 3 (region burst) and 4 (SMS under the limit): the four apps as processes on an
 * isolated database, NATS and Redis prefix, the fake push service and the fake Twilio API in this process, and
 * every step through the public HTTP API as a phone would take it (trigger, then an all-staff announcement).
 * Bench schools are seeded as test/bench/support/seed.ts says. Scale knobs (defaults are the figures):
 *
 * - BENCH_FANOUT_STAFF (150), BENCH_FANOUT_RUNS (20): scenario 2.
 * - BENCH_SCHOOLS (200), BENCH_STAFF (150), BENCH_CONCURRENCY (10 schools at once): scenario 3.
 * - BENCH_SMS_SCHOOLS (2), BENCH_SMS_STAFF (150), BENCH_SMS_RATE (10 per second): scenario 4. At 10 SMS/s the
 *   full region (30,000 SMS) would take 50 minutes, so scenario 4 sends a few hundred SMS (see BENCHMARKS.md).
 * - BENCH_WAIT_S (900): how long to wait for the last push or SMS of a scenario.
 */
const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  }
  return value;
};
const FANOUT_STAFF = num('BENCH_FANOUT_STAFF', 150);
const FANOUT_RUNS = num('BENCH_FANOUT_RUNS', 20);
const SCHOOLS = num('BENCH_SCHOOLS', 200);
const STAFF = num('BENCH_STAFF', 150);
const CONCURRENCY = num('BENCH_CONCURRENCY', 10);
const SMS_SCHOOLS = num('BENCH_SMS_SCHOOLS', 2);
const SMS_STAFF = num('BENCH_SMS_STAFF', 150);
const SMS_RATE = num('BENCH_SMS_RATE', 10);
const WAIT_MS = num('BENCH_WAIT_S', 900) * 1000;

/** The incident's tasks that are told at the trigger and have someone to tell: one notification each. */
const toldAtTrigger = (incident: IncidentView) =>
  incident.tasks.filter((t) => t.announceAt === incident.createdAt && t.assigneeId !== null);

/** Collects pushes at the fake push service per incident: how many and when the last one came. */
class PushLog {
  readonly perIncident = new Map<string, { count: number; first: number; last: number }>();
  readonly stop: () => void;
  constructor(system: System) {
    this.stop = system.push.onEvent((event) => {
      if (event.type !== 'received') {
        return;
      }
      const incidentId = (event.push.json as { incidentId?: string } | undefined)?.incidentId;
      if (!incidentId) {
        return;
      }
      const at = event.push.receivedAt.getTime();
      const entry = this.perIncident.get(incidentId);
      if (entry) {
        entry.count += 1;
        entry.last = Math.max(entry.last, at);
      } else {
        this.perIncident.set(incidentId, { count: 1, first: at, last: at });
      }
    });
  }
  count(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) {
      n += this.perIncident.get(id)?.count ?? 0;
    }
    return n;
  }
  last(ids: Iterable<string>): number {
    let last = Number.NaN;
    for (const id of ids) {
      const at = this.perIncident.get(id)?.last;
      if (at !== undefined && !(at <= last)) {
        last = at;
      }
    }
    return last;
  }
}

/** Waits until `done()` or the deadline; returns whether it got done. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      return false;
    }
    await sleep(intervalMs);
  }
  return true;
}

/**
 * Waits until the processes `pids` together use less than a tenth of a core over a second (at most 3 minutes);
 * returns how long that took (ms).
 */
async function untilQuiet(pids: number[]): Promise<number> {
  const begin = Date.now();
  const total = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  let before = total();
  while (Date.now() - begin < 180_000) {
    await sleep(1000);
    const now = total();
    if (now - before < 0.1) {
      return Date.now() - begin;
    }
    before = now;
  }
  return Date.now() - begin;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    }),
  );
}

describe('bench: fan-out to people (school, region, SMS)', () => {
  let system: System;
  let admin: Api;
  /** Answers of the API that were retried (a phone retries with the same idempotency key / announcement id). */
  const retried: string[] = [];

  beforeAll(async () => {
    process.stdout.write(`[bench] machine: ${machine()}\n`);
    system = await System.start({
      LOG_LEVEL: 'warn',
      SMS_RATE_PER_SECOND: String(SMS_RATE),
      // No acknowledgement comes in a benchmark: escalation after a wait would add SMS the scenarios do not
      // measure (scenario 4 counts the SMS of its own burst only).
      ESCALATION_WAIT_CRITICAL_SECONDS: '86400',
      ESCALATION_WAIT_HIGH_SECONDS: '86400',
      ESCALATION_WAIT_NORMAL_SECONDS: '86400',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      // One admin announces at every bench school (200 in scenario 3): above the gateway's budget per person and
      // hour, which is there against a stolen account, not against a region's crisis desk.
      SMS_SENDS_PER_PERSON_PER_HOUR: '10000',
      // For profiling: BENCH_APP_NODE_OPTIONS='--require <a preload that starts node:inspector's Profiler>' (Node
      // refuses --cpu-prof in NODE_OPTIONS; an app stopped by SIGTERM re-raises it, so no 'exit' event comes).
      ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
    });
    admin = await system.login(BENCH_ADMIN_EMAIL);
  }, 180_000);

  afterAll(async () => {
    if (retried.length > 0) {
      process.stdout.write(`[bench] retried API calls: ${retried.length} (${retried.slice(0, 5).join('; ')})\n`);
    }
    await system?.stop();
    if (system) {
      await dropRedisPrefix(system.env.REDIS_URL!, system.env.QUEUE_PREFIX!);
    }
  }, 120_000);

  /** POST with the retries a phone makes on 5xx (the same body: the same idempotency key or announcement id). */
  async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    for (let attempt = 1; ; attempt += 1) {
      const res = await admin.post<T>(path, body);
      if (res.status < 500 || attempt === 5) {
        if (res.status >= 300) {
          throw new Error(`POST ${path}: ${res.status} ${res.text.slice(0, 300)}`);
        }
        return res;
      }
      retried.push(`${path} ${res.status}`);
      await sleep(200 * attempt);
    }
  }

  /** The trigger and then the all-staff announcement at one school, as the crisis team does it. */
  async function triggerAndAnnounce(
    school: BenchSchool,
    onTriggered?: (incident: IncidentView) => void,
  ): Promise<{ incident: IncidentView; announcement: AnnouncementView }> {
    const { body: incident } = await post<IncidentView>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId: school.id,
      summary: 'bench',
      drill: true,
      idempotencyKey: `bench-${randomUUID()}`,
    });
    onTriggered?.(incident);
    const { body: announcement } = await post<AnnouncementView>(`/api/incidents/${incident.id}/announcements`, {
      audience: 'all-staff',
      text: 'Personeelsvergadering om 15:00 in de aula.',
      announcementId: randomUUID(),
    });
    return { incident, announcement };
  }

  it('2: school fan-out, trigger + all-staff announcement at one school, time until the last push', async () => {
    const seeded = await seedSchools(system.env.DATABASE_URL!, admin, system.push, {
      schools: 1,
      staffPerSchool: FANOUT_STAFF,
      devices: true,
      phones: false,
      label: 'fanout',
    });
    const school = seeded.schools[0]!;
    const log = new PushLog(system);
    const toLastPush: number[] = [];
    const announcementToLast: number[] = [];
    let pushes = 0;
    try {
      for (let run = 0; run < FANOUT_RUNS; run += 1) {
        const t0 = Date.now();
        const { incident, announcement } = await triggerAndAnnounce(school);
        const announced = Date.now();
        const expected = toldAtTrigger(incident).length + announcement.recipients;
        const done = await until(() => log.count([incident.id]) >= expected, WAIT_MS);
        expect(done).toBe(true);
        const last = log.last([incident.id]);
        toLastPush.push(last - t0);
        announcementToLast.push(last - announced);
        pushes = expected;
        await sleep(500); // let the timeline and receipts of this run settle before the next
      }
    } finally {
      log.stop();
    }

    // The floor, in the same run: the same number of pushes sent straight from this process with the notifier's
    // own sender to the same fake push service, 20 at once (the notifier's push concurrency).
    const floor = await rawWebPush(system, pushes, 20);
    for (const p of [50, 99]) {
      report({
        scenario: '2 school fan-out',
        figure: `trigger → last push of ${pushes} (${school.people.length} staff) p${p} over ${FANOUT_RUNS} runs`,
        value: percentile(toLastPush, p),
        unit: 'ms',
        baseline: { what: `${pushes} pushes sent directly with the notifier's sender, 20 at once`, value: floor },
      });
    }
    report({
      scenario: '2 school fan-out',
      figure: `announcement accepted → last push p99 over ${FANOUT_RUNS} runs`,
      value: percentile(announcementToLast, 99),
      unit: 'ms',
      baseline: { what: `${pushes} pushes sent directly with the notifier's sender, 20 at once`, value: floor },
    });
  }, 1_800_000);

  it('3: region burst, trigger + all-staff announcement at every school at once', async () => {
    const seeded = await seedSchools(system.env.DATABASE_URL!, admin, system.push, {
      schools: SCHOOLS,
      staffPerSchool: STAFF,
      devices: true,
      phones: false,
      label: 'region',
    });
    const apps = [...system.pids()];
    const cpuBefore = new Map(apps.map(([app, pid]) => [app, cpuSeconds(pid)]));
    const benchCpuBefore = process.cpuUsage();
    const pgBefore = await postgresCpu(system.env.DATABASE_URL!);
    // Each backend's CPU as last seen: a pooled connection that closes while the apps become quiet (idle timeout)
    // takes its figure with it, so backends are read every 2 s and the last reading of each counts.
    const pgSeen = new Map(pgBefore);
    const readPostgres = async () => {
      for (const [pid, cpu] of await postgresCpu(system.env.DATABASE_URL!)) {
        pgSeen.set(pid, cpu);
      }
    };
    const pgSampler = setInterval(() => void readPostgres().catch(() => undefined), 2000);
    const peak = new Map(apps.map(([app, pid]) => [app, rssMiB(pid)]));
    const sampler = setInterval(() => {
      for (const [app, pid] of apps) {
        peak.set(app, Math.max(peak.get(app)!, rssMiB(pid)));
      }
    }, 250);
    const log = new PushLog(system);
    const incidents = new Set<string>();
    let expected = 0;
    let allStaff = 0;
    const t0 = Date.now();
    let issuedAt = 0;
    let finished = false;
    try {
      await pool(seeded.schools, CONCURRENCY, async (school) => {
        const { incident, announcement } = await triggerAndAnnounce(school, (i) => incidents.add(i.id));
        expected += toldAtTrigger(incident).length + announcement.recipients;
        allStaff += announcement.recipients;
      });
      issuedAt = Date.now();
      finished = await until(() => log.count(incidents) >= expected, WAIT_MS, 200);
    } finally {
      clearInterval(sampler);
      log.stop();
    }
    const received = log.count(incidents);
    const last = log.last(incidents);
    // The burst's work does not end with the last push: the timeline and activation still take the last events.
    // Its CPU is counted until the apps are quiet, and the raw floors below run on a quiet machine.
    const quietAfter = await untilQuiet(apps.map(([, pid]) => pid));
    clearInterval(pgSampler);
    await readPostgres();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const cpuAfter = new Map(apps.map(([app, pid]) => [app, cpuSeconds(pid)]));
    let pgCpu = 0;
    for (const [pid, after] of pgSeen) {
      pgCpu += after - (pgBefore.get(pid) ?? 0);
    }
    const seconds = (last - t0) / 1000;
    process.stdout.write(
      `[bench] 3 region burst: ${SCHOOLS} schools × ${STAFF} staff; all triggers and announcements accepted after ` +
        `${((issuedAt - t0) / 1000).toFixed(1)} s; ${received}/${expected} pushes (${allStaff} all-staff) by ` +
        `${seconds.toFixed(1)} s${finished ? '' : ' (timed out)'}; API retries: ${retried.length}; the apps were ` +
        `quiet ${(quietAfter / 1000).toFixed(1)} s after the last push\n`,
    );

    // The raw BullMQ floor in the same run: add+process of the same count of no-op jobs, on the same Redis, in
    // batches the size of one announcement (the notifier adds each announcement's jobs with one addBulk), with
    // the push worker's concurrency (20).
    const raw = await rawBullmq(system.env.REDIS_URL!, expected, STAFF, 20);
    // And the floor of the pushes themselves: the notifier's sender straight from this process to the same fake
    // (ECDH, AES-GCM and an HTTPS request per push on kept-alive connections, as in the notifier), on a sample.
    const sample = Math.min(expected, 2000);
    const rawPushRate = sample / ((await rawWebPush(system, sample, 20)) / 1000);
    report({
      scenario: '3 region burst',
      figure: `end-to-end notifications/s (${received} pushes, ${SCHOOLS} schools × ${STAFF} staff)`,
      value: received / seconds,
      unit: '/s',
      baseline: { what: `raw BullMQ add+process of ${expected} no-op jobs`, value: raw },
      target: { value: raw * 0.5, lowerIsBetter: false },
    });
    report({
      scenario: '3 region burst',
      figure: 'end-to-end notifications/s against the floor of the pushes themselves',
      value: received / seconds,
      unit: '/s',
      baseline: { what: `${sample} pushes sent directly with the notifier's sender, 20 at once`, value: rawPushRate },
    });
    report({
      scenario: '3 region burst',
      figure: 'all triggers and announcements accepted after',
      value: (issuedAt - t0) / 1000,
      unit: 's',
      target: { value: 60, lowerIsBetter: true },
    });
    for (const [app] of apps) {
      report({
        scenario: '3 region burst',
        figure: `${app} CPU for the burst (until quiet)`,
        value: cpuAfter.get(app)! - cpuBefore.get(app)!,
        unit: 's',
      });
      report({ scenario: '3 region burst', figure: `${app} peak resident memory`, value: peak.get(app)!, unit: 'MiB' });
    }
    report({
      scenario: '3 region burst',
      figure: `PostgreSQL CPU (the backends of this system's database)`,
      value: pgCpu,
      unit: 's',
    });
    report({
      scenario: '3 region burst',
      figure: 'bench process CPU (fake push service: VAPID check and decryption of every push; HTTP client)',
      value: (benchCpu.user + benchCpu.system) / 1e6,
      unit: 's',
    });
    expect(finished).toBe(true);
  }, 3_600_000);

  it('4: SMS under the limit, the same burst with SMS only, at the configured rate', async () => {
    const seeded = await seedSchools(system.env.DATABASE_URL!, admin, system.push, {
      schools: SMS_SCHOOLS,
      staffPerSchool: SMS_STAFF,
      devices: false,
      phones: true,
      label: 'sms',
    });
    const kindOf = (body: string): 'task' | 'announcement' | 'other' =>
      body.includes('/app/tasks/') ? 'task' : body.includes('/app/announcements/') ? 'announcement' : 'other';
    const sms: { at: number; kind: 'task' | 'announcement' | 'other' }[] = [];
    const stop = system.twilio.onEvent((event) => {
      if (event.type === 'message' && seeded.phones.has(event.message.to)) {
        sms.push({ at: event.message.receivedAt.getTime(), kind: kindOf(event.message.body) });
      }
    });
    let expected = 0;
    let crisisExpected = 0;
    const t0 = Date.now();
    try {
      await pool(seeded.schools, CONCURRENCY, async (school) => {
        const { incident, announcement } = await triggerAndAnnounce(school);
        crisisExpected += toldAtTrigger(incident).length;
        expected += toldAtTrigger(incident).length + announcement.recipients;
      });
      await until(() => sms.length >= expected, Math.max(WAIT_MS, (expected / SMS_RATE) * 3000), 200);
    } finally {
      stop();
    }
    sms.sort((a, b) => a.at - b.at);
    if (process.env.BENCH_DUMP) {
      writeFileSync(process.env.BENCH_DUMP, JSON.stringify(sms.map((s) => ({ ...s, at: s.at - t0 }))));
    }
    // When each SMS job started (BullMQ's processedOn), read from the notifier's queue: the order the queue gave
    // (crisis team first). The rate is held after that, at the provider: each job waits for its slot at the
    // pacer before its request (SmsPacer), so jobs may start closer together than the limit; the limit's target
    // is for what reaches Twilio.
    // Only this scenario sends SMS in this system (escalation waits are a day, and everyone else has a device).
    const url = new URL(system.env.REDIS_URL!);
    const queue = new Queue(SMS_QUEUE, {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix: system.env.QUEUE_PREFIX!,
    });
    // The last SMS reaches the fake Twilio before its job records the SID and completes: wait for every job.
    await until(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= sms.length, 30_000, 100);
    // The lowest priority an all-staff SMS job has (its class, rank 0); every crisis-team job's is below it.
    const allStaff = jobPriority(queuePriority('announcement', 'normal', 'all-staff'), 0);
    const started = (await queue.getJobs(['completed'], 0, -1))
      .map((job) => ({
        at: job.processedOn ?? Number.NaN,
        kind: (job.opts.priority ?? 0) >= allStaff ? 'announcement' : 'task',
      }))
      .sort((a, b) => a.at - b.at);
    await queue.close();

    const label = `${sms.length} SMS, ${SMS_SCHOOLS} schools × ${SMS_STAFF} staff`;
    for (const [where, list] of [
      ['arriving at the fake Twilio', sms],
      ['started by the worker (BullMQ processedOn, before the pacer)', started],
    ] as const) {
      const w = windows(list.map((s) => s.at));
      const atProvider = list === sms;
      process.stdout.write(
        `[bench] 4 SMS ${where}, per 1-second window from the first (${SMS_RATE}/s configured): ${w.fixed.join(' ')}\n`,
      );
      report({
        scenario: '4 SMS under the limit',
        figure: `most SMS in a fixed 1-second window, ${where} (${label})`,
        value: Math.max(...w.fixed),
        unit: 'SMS',
        baseline: { what: 'SMS_RATE_PER_SECOND', value: SMS_RATE },
        ...(atProvider ? { target: { value: SMS_RATE, lowerIsBetter: true } } : {}),
      });
      report({
        scenario: '4 SMS under the limit',
        figure: `most SMS in any sliding 1-second window, ${where}`,
        value: w.slidingMax,
        unit: 'SMS',
        baseline: { what: 'SMS_RATE_PER_SECOND', value: SMS_RATE },
        ...(atProvider ? { target: { value: SMS_RATE, lowerIsBetter: true } } : {}),
      });
      report({
        scenario: '4 SMS under the limit',
        figure: `mean SMS rate first to last, ${where}`,
        value: w.meanRate,
        unit: '/s',
        baseline: { what: 'SMS_RATE_PER_SECOND', value: SMS_RATE },
      });
      const lastCrisis = Math.max(...list.filter((s) => s.kind === 'task').map((s) => s.at));
      const early = list.filter((s) => s.kind === 'announcement' && s.at < lastCrisis).length;
      report({
        scenario: '4 SMS under the limit',
        figure: `all-staff SMS before the last crisis-team SMS, ${where}`,
        value: early,
        unit: 'SMS',
        target: { value: 0, lowerIsBetter: true },
      });
    }
    const first = sms[0]?.at ?? t0;
    const last = sms.at(-1)?.at ?? t0;
    process.stdout.write(
      `[bench] 4 ${sms.length}/${expected} SMS (${crisisExpected} crisis-team tasks, ${expected - crisisExpected} ` +
        `all-staff) in ${((last - first) / 1000).toFixed(1)} s, ${started.length} SMS jobs completed\n`,
    );
    expect(sms.length).toBe(expected);
    expect(sms.every((s) => s.kind !== 'other')).toBe(true);
  }, 3_600_000);
});

/** Deletes the keys of this system's queues (tens of thousands of jobs after a region burst) from the shared Redis. */
async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** CPU seconds so far of each PostgreSQL backend connected to the database of `databaseUrl`, by pid. */
async function postgresCpu(databaseUrl: string): Promise<Map<number, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return new Map(
      rows.map((r): [number, number] => [r.pid, cpuSeconds(r.pid)]).filter(([, cpu]) => Number.isFinite(cpu)),
    );
  } finally {
    await db.end();
  }
}

/** SMS per fixed 1-second window from the first, the most in any sliding 1-second window, and the mean rate. */
function windows(times: number[]): { fixed: number[]; slidingMax: number; meanRate: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const fixed: number[] = [];
  for (const at of sorted) {
    const w = Math.floor((at - first) / 1000);
    fixed[w] = (fixed[w] ?? 0) + 1;
  }
  let slidingMax = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i]! - sorted[j]! >= 1000) {
      j += 1;
    }
    slidingMax = Math.max(slidingMax, i - j + 1);
  }
  const span = ((sorted.at(-1) ?? first) - first) / 1000;
  return { fixed: Array.from(fixed, (n) => n ?? 0), slidingMax, meanRate: (sorted.length - 1) / span };
}

/**
 * Wall time (ms) to send `count` pushes straight from this process to the fake push service, `concurrency` at
 * once, with the notifier's own sender and message (web-push: ECDH, AES-GCM and an HTTPS request per push; one
 * VAPID signature per push service) over a keep-alive agent, as the notifier's default agent is: no queue, no
 * database, no events. The floor of what the notifier does per push.
 */
async function rawWebPush(system: System, count: number, concurrency: number): Promise<number> {
  const vapid = webpush.generateVAPIDKeys();
  const agent = new Agent({ ca: system.push.caPem, keepAlive: true });
  const sender = new WebPushSender({
    publicKey: vapid.publicKey,
    privateKey: new Secret(vapid.privateKey),
    subject: 'mailto:bench@crisisklaar.example',
    ttlSeconds: 900,
    agent,
  });
  const subscriptions = Array.from({ length: count }, () => system.push.createSubscription().subscription);
  const announcementId = randomUUID();
  const message = pushMessage('https://crisisklaar.example', {
    taskId: null,
    announcementId,
    incidentId: randomUUID(),
    cause: { drill: false },
  });
  const begin = Date.now();
  await pool(subscriptions, concurrency, async (subscription) => {
    const result = await sender.send(subscription, message, {
      topic: announcementId.replace(/-/g, ''),
      urgency: 'normal',
    });
    if (result.outcome !== 'accepted') {
      throw new Error(`the fake push service answered ${result.statusCode} (${result.outcome})`);
    }
  });
  const elapsed = Date.now() - begin;
  agent.destroy();
  return elapsed;
}

/** Jobs per second of a raw BullMQ add+process loop of `count` no-op jobs on `redisUrl`. */
async function rawBullmq(redisUrl: string, count: number, batch: number, concurrency: number): Promise<number> {
  const url = new URL(redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  const prefix = `ck-bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  const worker = new Worker('raw', () => Promise.resolve(undefined), {
    connection,
    prefix,
    concurrency,
    autorun: false,
  });
  worker.on('completed', () => {
    done += 1;
  });
  await worker.waitUntilReady();
  const begin = Date.now();
  void worker.run();
  for (let i = 0; i < count; i += batch) {
    await queue.addBulk(
      Array.from({ length: Math.min(batch, count - i) }, (_, k) => ({
        name: 'noop',
        data: { n: i + k },
        opts: { removeOnComplete: { age: 3600, count: 10_000 } },
      })),
    );
  }
  await until(() => done >= count, 600_000, 20);
  const rate = count / ((Date.now() - begin) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}
