import pg from 'pg';
import type { FakePushService, FakeTwilioApi } from '../../fakes/index.js';
import type { Operation } from './load.js';

/** What the system holds compared with what its clients were told (RELIABILITY.md §7). */
export interface CheckResult {
  /** Actions the client was told succeeded. */
  accepted: number;
  /** Accepted actions missing from the system: a trigger without its incident or its timeline entry, … */
  lost: string[];
  /** Effects that happened more than once: two incidents for one key, a push or SMS twice for one task, … */
  duplicated: string[];
  /**
   * Task pushes the push service was handed again for the same device, all with the same Topic (the push service
   * replaces an undelivered one) and the same task (the phone shows one notification per task tag). A crash between
   * the push service's 201 and PostgreSQL recording it resends; RELIABILITY.md allows 1% of pushes.
   */
  resentPushes: number;
  /** All task pushes the push service received. */
  pushes: number;
  /** Work the system has not finished: outbox rows not published, events not on the timeline, queued notifications, running chains. */
  unsettled: string[];
  /** Actions whose outcome the client never learned (may or may not exist; never twice). */
  unknown: number;
}

const SCHEMAS_WITH_OUTBOX = ['activation', 'notifier', 'timeline'] as const;

/**
 * The Jepsen-style checker: every accepted trigger, acknowledgement and log entry must be in PostgreSQL and on the
 * timeline; nothing may exist twice — incidents per idempotency key, timeline entries per event, notifications
 * at the push service and at Twilio per task and person; and the pipeline must be drained: every event in an
 * outbox published and on the timeline, no notification still queued, no escalation chain still running.
 */
export async function check(
  databaseUrl: string,
  operations: Operation[],
  providers: { push: FakePushService; twilio: FakeTwilioApi },
): Promise<CheckResult> {
  const db = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await db.connect();
  try {
    const lost: string[] = [];
    const duplicated: string[] = [];
    const unsettled: string[] = [];
    const accepted = operations.filter((o) => o.outcome === 'ok');

    // Triggers: one incident per idempotency key (whatever the client was told), and each accepted one on the timeline.
    const triggers = operations.filter((o) => o.kind === 'trigger');
    const incidents = await db.query<{ key: string; n: number; ids: string[] }>(
      `SELECT idempotency_key AS key, count(*)::int AS n, array_agg(id::text) AS ids
         FROM activation.incident WHERE idempotency_key = ANY($1) GROUP BY 1`,
      [triggers.map((o) => o.id)],
    );
    const byKey = new Map(incidents.rows.map((r) => [r.key, r]));
    for (const r of incidents.rows.filter((row) => row.n > 1)) {
      duplicated.push(`trigger ${r.key}: ${r.n} incidents`);
    }
    const activated = await db.query<{ incident_id: string; n: number }>(
      `SELECT incident_id::text, count(*)::int AS n FROM timeline.entry
        WHERE type = 'crisis.incident.activated.v1' AND incident_id = ANY($1::uuid[]) GROUP BY 1`,
      [triggers.filter((o) => o.incidentId).map((o) => o.incidentId)],
    );
    const onTimeline = new Map(activated.rows.map((r) => [r.incident_id, r.n]));
    for (const op of triggers.filter((o) => o.outcome === 'ok')) {
      if (!byKey.get(op.id)?.ids.includes(op.incidentId!)) {
        lost.push(`trigger ${op.id}: incident ${op.incidentId} not in PostgreSQL`);
      } else if (!onTimeline.has(op.incidentId!)) {
        lost.push(`trigger ${op.id}: incident ${op.incidentId} not on the timeline`);
      }
    }

    // Log entries: each accepted entry on the timeline, once (the entry id is its event id).
    const logs = operations.filter((o) => o.kind === 'log');
    const entries = await db.query<{ event_id: string; n: number }>(
      `SELECT event_id::text, count(*)::int AS n FROM timeline.entry WHERE event_id = ANY($1::uuid[]) GROUP BY 1`,
      [logs.map((o) => o.id)],
    );
    const entryCount = new Map(entries.rows.map((r) => [r.event_id, r.n]));
    for (const op of logs) {
      const n = entryCount.get(op.id) ?? 0;
      if (op.outcome === 'ok' && n === 0) {
        lost.push(`log entry ${op.id} not on the timeline`);
      }
      if (n > 1) {
        duplicated.push(`log entry ${op.id}: ${n} timeline entries`);
      }
    }

    // Acknowledgements: the task says so, and the timeline has it.
    const acks = operations.filter((o) => o.kind === 'ack' && o.outcome === 'ok');
    const tasks = await db.query<{ id: string; acknowledged: boolean; on_timeline: number }>(
      `SELECT t.id::text, t.acknowledged_at IS NOT NULL AS acknowledged,
              (SELECT count(*)::int FROM timeline.entry e
                WHERE e.incident_id = t.incident_id AND e.type = 'crisis.task.acknowledged.v1'
                  AND e.data->>'taskId' = t.id::text) AS on_timeline
         FROM activation.task t WHERE t.id = ANY($1::uuid[])`,
      [acks.map((o) => o.id)],
    );
    const taskState = new Map(tasks.rows.map((r) => [r.id, r]));
    for (const op of acks) {
      const state = taskState.get(op.id);
      if (!state?.acknowledged) {
        lost.push(`acknowledgement of task ${op.id} not in PostgreSQL`);
      } else if (state.on_timeline === 0) {
        lost.push(`acknowledgement of task ${op.id} not on the timeline`);
      } else if (state.on_timeline > 1) {
        duplicated.push(`acknowledgement of task ${op.id}: ${state.on_timeline} timeline entries`);
      }
    }

    // The pipeline: every event any app wrote is published and on the timeline, exactly once.
    for (const schema of SCHEMAS_WITH_OUTBOX) {
      const pending = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`,
      );
      if (pending.rows[0]!.n > 0) {
        unsettled.push(`${schema}: ${pending.rows[0]!.n} outbox events not yet published`);
      }
      const missing = await db.query<{ n: number; example: string | null }>(
        `SELECT count(*)::int AS n, min(o.subject) AS example FROM "${schema}".outbox o
          WHERE NOT EXISTS (SELECT 1 FROM timeline.entry e WHERE e.event_id = o.id)`,
      );
      if (missing.rows[0]!.n > 0) {
        unsettled.push(
          `${schema}: ${missing.rows[0]!.n} events not on the timeline (e.g. ${missing.rows[0]!.example})`,
        );
      }
    }
    const doubleEntries = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT event_id FROM timeline.entry GROUP BY 1 HAVING count(*) > 1) d`,
    );
    if (doubleEntries.rows[0]!.n > 0) {
      duplicated.push(`${doubleEntries.rows[0]!.n} events on the timeline more than once`);
    }

    // Notifications: each in a final state, each chain ended.
    const queued = await db.query<{ channel: string; n: number; oldest_s: number }>(
      `SELECT channel, count(*)::int AS n, extract(epoch FROM now() - min(created_at))::int AS oldest_s
         FROM notifier.notification WHERE status = 'queued' GROUP BY 1`,
    );
    for (const row of queued.rows) {
      unsettled.push(`${row.n} ${row.channel} notifications still queued (oldest ${row.oldest_s} s)`);
    }
    const running = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifier.escalation WHERE state = 'running'`,
    );
    if (running.rows[0]!.n > 0) {
      unsettled.push(`${running.rows[0]!.n} escalation chains still running`);
    }

    // At the providers: one push per task and device, one SMS per task and phone.
    // A push repeated with the same Topic and task collapses into one notification on the phone (counted apart);
    // a repeat that would show as a second notification is a duplicate.
    const pushes = new Map<string, Set<string | undefined>>();
    let taskPushes = 0;
    let resentPushes = 0;
    for (const p of providers.push.received) {
      const taskId = (p.json as { taskId?: string } | undefined)?.taskId;
      if (taskId) {
        taskPushes += 1;
        const key = `${p.subscriptionId} ${taskId}`;
        const topics = pushes.get(key);
        if (!topics) {
          pushes.set(key, new Set([p.headers.topic]));
        } else if (p.headers.topic && topics.has(p.headers.topic)) {
          resentPushes += 1;
        } else {
          topics.add(p.headers.topic);
          duplicated.push(`push for task ${taskId} to one device again, as a separate notification`);
        }
      }
    }
    const sms = new Map<string, number>();
    for (const m of providers.twilio.messages) {
      const taskId = /\/app\/tasks\/([0-9a-f-]{36})/.exec(m.body)?.[1];
      if (taskId) {
        const key = `${m.to} ${taskId}`;
        sms.set(key, (sms.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of sms) {
      if (n > 1) {
        duplicated.push(`SMS for task ${key.split(' ')[1]} to one phone ${n} times`);
      }
    }

    return {
      accepted: accepted.length,
      lost,
      duplicated,
      unsettled,
      resentPushes,
      pushes: taskPushes,
      unknown: operations.filter((o) => o.outcome === 'unknown').length,
    };
  } finally {
    await db.end();
  }
}

/** The number of task pushes and SMS the providers saw (for the report). */
export function providerCounts(providers: { push: FakePushService; twilio: FakeTwilioApi }): {
  pushes: number;
  sms: number;
} {
  return {
    pushes: providers.push.received.filter((p) => (p.json as { taskId?: string } | undefined)?.taskId).length,
    sms: providers.twilio.messages.filter((m) => !/inlogcode/.test(m.body)).length,
  };
}
