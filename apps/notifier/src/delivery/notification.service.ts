import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { LessThan, type DataSource, type EntityManager } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  metaCausedBy,
  type EventEnvelope,
  type NotificationChannel,
  type NotificationRef,
} from '#lib/contracts';
import { addToOutbox, OutboxEntity, OutboxRelayService } from '#lib/messaging';
import { Coalescer, insertRows, prepared } from '#lib/platform';
import {
  ESCALATION_JOB_OPTIONS,
  ESCALATION_QUEUE,
  escalationJobId,
  notificationJobId,
  PUSH_JOB_OPTIONS,
  SMS_JOB_OPTIONS,
  SMS_QUEUE,
  WEB_PUSH_QUEUE,
  type EscalationJobData,
  type PushJobData,
  type SmsJobData,
} from './delivery.queues.js';
import { jobPriority } from '../escalation/escalation-policy.js';
import { statusesBefore, type NotificationStatus } from './notification-status.js';
import { NotificationEntity, PushAttemptEntity } from './notification.entity.js';
import { EscalationEntity } from '../escalation/escalation.entity.js';
import type { ChainState } from '../escalation/escalation-policy.js';

/** A new notification intent: one person, one channel, about a task or an announcement. */
export interface IntentSpec {
  incidentId: string;
  taskId: string | null;
  announcementId: string | null;
  aftercareItemId: string | null;
  chainId: string | null;
  personId: string;
  channel: NotificationChannel;
  priority: number;
  cause: Omit<EventEnvelope, 'payload'>;
}

/** What a notification is about, as the property of the entity that names it: attempts are numbered per subject. */
export function subjectOf(spec: {
  taskId: string | null;
  announcementId: string | null;
  aftercareItemId?: string | null;
}): { property: 'taskId' | 'announcementId' | 'aftercareItemId'; id: string } {
  return spec.taskId
    ? { property: 'taskId', id: spec.taskId }
    : spec.announcementId
      ? { property: 'announcementId', id: spec.announcementId }
      : { property: 'aftercareItemId', id: spec.aftercareItemId! };
}

/** How a chain ends with the outcome of its current step (see {@link NotificationService.settleInOne}). */
export interface ChainEnd {
  chainId: string;
  state: ChainState;
  reason: string;
  at: Date;
}

/** What a status change adds to the notification (the reason of a failure, the provider, the devices). */
export interface TransitionInfo {
  reason?: string | null;
  detail?: string;
  provider?: string;
  devices?: number;
  at?: Date;
}

/** A wait of an escalation chain to (re)arm in the timer queue. */
export interface Timer {
  chainId: string;
  step: number;
  deadline: Date;
}

/** Work to hand to the queues once the transaction that decided it has committed. */
export interface Effects {
  notifications: NotificationEntity[];
  timers: Timer[];
}

export const noEffects = (): Effects => ({ notifications: [], timers: [] });

/**
 * The notification intents (PostgreSQL, the record of truth) and their jobs (BullMQ, the speed). Every status
 * change is a compare-and-set that only moves forward, with its event in the same transaction.
 */
@Injectable()
export class NotificationService {
  private readonly log = new Logger(NotificationService.name);
  private readonly queues: Record<NotificationChannel, Queue<PushJobData>>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(WEB_PUSH_QUEUE) pushQueue: Queue<PushJobData>,
    @InjectQueue(SMS_QUEUE) smsQueue: Queue<SmsJobData>,
    @InjectQueue(ESCALATION_QUEUE) private readonly timerQueue: Queue<EscalationJobData>,
    private readonly relay: OutboxRelayService,
  ) {
    this.queues = { push: pushQueue, sms: smsQueue };
  }

  /**
   * Records the intent to notify (attempts are numbered per subject, person and channel, so a task handed back
   * to someone notifies them again). Call inside the transaction that decided it.
   */
  async insertIntent(manager: EntityManager, spec: IntentSpec): Promise<NotificationEntity> {
    const subject = subjectOf(spec);
    const row = await manager
      .createQueryBuilder(NotificationEntity, 'n')
      .select('coalesce(max(n.attempt), 0)', 'max')
      .where(`n.${subject.property} = :id AND n.personId = :personId AND n.channel = :channel`, {
        id: subject.id,
        personId: spec.personId,
        channel: spec.channel,
      })
      .getRawOne<{ max: number }>();
    const entity = this.intent(spec, Number(row?.max ?? 0) + 1, new Date());
    await insertRows(manager, NotificationEntity, [entity]);
    return entity;
  }

  /** A queued notification for `spec`, its `attempt`-th (not stored). */
  intent(spec: IntentSpec, attempt: number, now: Date): NotificationEntity {
    const subjectId = spec.taskId ?? spec.announcementId ?? spec.aftercareItemId!;
    return this.dataSource.manager.create(NotificationEntity, {
      id: randomUUID(),
      ...spec,
      attempt,
      status: 'queued',
      reason: null,
      provider: null,
      jobId: notificationJobId(subjectId, spec.personId, spec.channel, attempt),
      createdAt: now,
      updatedAt: now,
      sentAt: null,
      deliveredAt: null,
      acknowledgedAt: null,
    });
  }

  /**
   * Moves a notification to `next` when that is progress, and writes the matching event to the outbox: a
   * second, late or replayed report changes nothing and emits nothing. Returns whether it moved. `n` is the
   * notification as its caller read it, in this transaction or before: the status it held is checked by the
   * update itself, and what its event names (ids, person, channel, attempt, cause) never changes, so it is not
   * read again.
   */
  async transition(
    manager: EntityManager,
    n: NotificationEntity,
    next: NotificationStatus,
    info: TransitionInfo = {},
  ): Promise<boolean> {
    const set = changesFor(next, info);
    const update = manager.createQueryBuilder().update(NotificationEntity);
    if (next === 'delivered') {
      // A delivery report proves the provider took the message. When it overtook the sender's own record of
      // that (a fast callback), the time it was sent is at the latest now.
      set.sentAt = () => 'COALESCE("sent_at", :deliveredAt)';
      update.setParameter('deliveredAt', set.deliveredAt);
    }
    const result = await update
      .set(set)
      .where('id = :id AND status IN (:...from)', { id: n.id, from: statusesBefore(next) })
      .execute();
    if ((result.affected ?? 0) === 0) {
      return false;
    }
    await addToOutbox(manager, [this.eventOf(n, next, info)]);
    return true;
  }

  /**
   * A notification's outcome in one statement instead of one per row: the status change when it is progress
   * (as {@link transition}), its event in the outbox only then, the device's push attempt, and the end of its
   * chain when this outcome ends it, also only when the status changed. Its event is built from `n` as read by
   * the caller; what it names (ids, person, channel, attempt, cause) never changes. Runs in the transaction that
   * holds the chain's lock. Returns whether the status changed.
   */
  async settleInOne(
    manager: EntityManager,
    n: NotificationEntity,
    next: NotificationStatus,
    info: TransitionInfo,
    options: { attempt?: PushAttemptRow; endChain?: ChainEnd } = {},
  ): Promise<boolean> {
    const { sql, params } = this.settleStatement(n, next, info, options);
    const [row] = await manager.query<{ moved: number }[]>(sql, params);
    return (row?.moved ?? 0) > 0;
  }

  /**
   * A channel's report that it reached the person (`sent`, `local_outbox`, `delivered`) as one statement that
   * commits on its own, its chain's lock included: instead of BEGIN, the chain's lock, the outcome and COMMIT,
   * four round trips for every push and SMS and each delivery report. The statement locks the chain first (the
   * order every chain transaction takes), then moves the notification, writes its event and the push attempt,
   * and ends the chain as reached when that is the chain's decision (running, at this channel's step, no
   * acknowledgement awaited: {@link decide}). When the chain was acknowledged meanwhile it changes nothing but
   * the push attempt and says so (`chainAcknowledged`): the caller settles that case in a transaction of its own.
   *
   * A report made while none is on its way goes at once, alone; the reports made meanwhile go together after it,
   * in one statement ({@link settleTogether}).
   */
  settleReached(
    n: NotificationEntity,
    next: 'sent' | 'local_outbox' | 'delivered',
    info: TransitionInfo,
    attempt?: PushAttemptRow,
  ): Promise<Settled> {
    return this.reached.run({ n, next, info, ...(attempt ? { attempt } : {}) });
  }

  /** Reports of reaching the person, settled together when they arrive together ({@link settleReached}). */
  private readonly reached = new Coalescer<ReachedReport, Settled>((reports) => this.settleReachedMany(reports), {
    maxItems: 50,
  });

  private async settleReachedMany(reports: ReachedReport[]): Promise<(Settled | Promise<Settled>)[]> {
    const results: (Settled | Promise<Settled>)[] = [];
    for (const group of apart(reports)) {
      let settled: (Settled | 'busy')[];
      try {
        settled =
          group.length === 1
            ? [await this.settleAlone(reports[group[0]!]!, { wait: false })]
            : await this.settleTogether(group.map((i) => reports[i]!));
      } catch (error) {
        if (group.length === 1) {
          results[group[0]!] = answeredLater(Promise.reject(error instanceof Error ? error : new Error(String(error))));
          continue;
        }
        // Nothing of the statement stayed: each report is settled alone, so one that cannot be fails alone.
        this.log.warn(`${group.length} reports of reaching people settled one by one: ${(error as Error).message}`);
        settled = group.map(() => 'busy');
      }
      group.forEach((i, k) => {
        const one = settled[k]!;
        // A report whose chain another transaction holds waits for it alone, while the next reports go.
        results[i] = one === 'busy' ? answeredLater(this.settleAlone(reports[i]!, { wait: true })) : one;
      });
    }
    return results;
  }

  /**
   * One report in one prepared statement. `wait: false` passes by a chain another transaction holds (`busy`), as
   * {@link settleTogether} does; `wait: true` waits for its lock.
   */
  private async settleAlone(report: ReachedReport, options: { wait: true }): Promise<Settled>;
  private async settleAlone(report: ReachedReport, options: { wait: false }): Promise<Settled | 'busy'>;
  private async settleAlone(
    { n, next, info, attempt }: ReachedReport,
    { wait }: { wait: boolean },
  ): Promise<Settled | 'busy'> {
    const { sql, params } = this.settleStatement(n, next, info, {
      ...(attempt ? { attempt } : {}),
      ...(n.chainId
        ? { lockedChain: { chainId: n.chainId, channel: n.channel, at: info.at ?? new Date(), wait } }
        : {}),
    });
    const [row] = await this.dataSource.query<{ moved: number; chain_state: ChainState | null; locked?: boolean }[]>(
      sql,
      params,
    );
    if (row?.locked === false) {
      return 'busy';
    }
    return { moved: (row?.moved ?? 0) > 0, chainAcknowledged: row?.chain_state === 'acknowledged' };
  }

  /**
   * Reports of reaching the person (each of its own notification and chain) in one statement, each as
   * {@link settleAlone} settles it. It waits for no lock: a chain that another transaction holds (an
   * acknowledgement ending it, a wait running out) is passed by, and its report is answered `busy`, to be settled
   * alone. So a statement of fifty never stands still behind one chain, nor holds chains while it waits for
   * another. Should it fail all the same (a deadlock over a notification's row, say), nothing of it stays and its
   * reports are settled alone.
   */
  private async settleTogether(reports: ReachedReport[]): Promise<(Settled | 'busy')[]> {
    const table = (entity: SettledTable) => this.dataSource.getMetadata(entity).tablePath;
    const column = (property: string) => this.notificationColumn(property);
    const events = reports.map(({ n, next, info }) => this.eventOf(n, next, info));
    const rows = await this.dataSource.query<{ moved: boolean; locked: boolean; chain_state: ChainState | null }[]>(
      `WITH input AS MATERIALIZED (
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[],
          $7::text[], $8::uuid[], $9::text[], $10::int[], $11::uuid[], $12::text[], $13::jsonb[])
          WITH ORDINALITY AS i("id", "next", "from", "chain_id", "channel", "at", "provider", "subscription_id",
            "outcome", "status_code", "event_id", "subject", "envelope", "ord")
      ), chain AS MATERIALIZED (
        SELECT "id", "state", "step", "channels", "ack_required" FROM ${table(EscalationEntity)}
        WHERE "id" IN (SELECT "chain_id" FROM input) FOR UPDATE SKIP LOCKED
      ), moved AS (
        UPDATE ${table(NotificationEntity)} n
        SET ${column('status')} = i."next", ${column('updatedAt')} = i."at",
          ${column('sentAt')} = CASE WHEN i."next" = 'delivered' THEN COALESCE(n.${column('sentAt')}, i."at")
            ELSE i."at" END,
          ${column('deliveredAt')} = CASE WHEN i."next" = 'delivered' THEN i."at" ELSE n.${column('deliveredAt')} END,
          ${column('provider')} = COALESCE(i."provider", n.${column('provider')})
        FROM input i
        WHERE n."id" = i."id" AND n.${column('status')} = ANY(string_to_array(i."from", ','))
          AND (i."chain_id" IS NULL
            OR EXISTS (SELECT 1 FROM chain c WHERE c."id" = i."chain_id" AND c."state" <> 'acknowledged'))
        RETURNING n."id"
      ), attempt AS (
        INSERT INTO ${table(PushAttemptEntity)} ("notification_id", "subscription_id", "outcome", "status_code")
        SELECT i."id", i."subscription_id", i."outcome", i."status_code" FROM input i
        WHERE i."subscription_id" IS NOT NULL
          AND (i."chain_id" IS NULL OR EXISTS (SELECT 1 FROM chain c WHERE c."id" = i."chain_id"))
        ON CONFLICT ("notification_id", "subscription_id")
        DO UPDATE SET "outcome" = EXCLUDED."outcome", "status_code" = EXCLUDED."status_code"
      ), ended AS (
        UPDATE ${table(EscalationEntity)} e
        SET "state" = 'reached', "deadline" = NULL, "ended_reason" = 'reached', "updated_at" = i."at"
        FROM chain c JOIN input i ON i."chain_id" = c."id" JOIN moved m ON m."id" = i."id"
        WHERE e."id" = c."id" AND c."state" = 'running' AND NOT c."ack_required"
          AND c."step" = array_position(c."channels", i."channel") - 1
      ), event AS (
        INSERT INTO ${table(OutboxEntity)} ("id", "subject", "envelope")
        SELECT i."event_id", i."subject", i."envelope" FROM input i JOIN moved m ON m."id" = i."id"
      )
      SELECT EXISTS (SELECT 1 FROM moved m WHERE m."id" = i."id") AS "moved",
        i."chain_id" IS NULL OR c."id" IS NOT NULL AS "locked", c."state" AS "chain_state"
      FROM input i LEFT JOIN chain c ON c."id" = i."chain_id"
      ORDER BY i."ord"`,
      [
        reports.map(({ n }) => n.id),
        reports.map(({ next }) => next),
        reports.map(({ next }) => statusesBefore(next).join(',')),
        reports.map(({ n }) => n.chainId),
        reports.map(({ n }) => n.channel),
        reports.map(({ info }) => info.at ?? new Date()),
        reports.map(({ info }) => info.provider ?? null),
        reports.map(({ attempt }) => attempt?.subscriptionId ?? null),
        reports.map(({ attempt }) => attempt?.outcome ?? null),
        reports.map(({ attempt }) => attempt?.statusCode ?? null),
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event)),
      ],
    );
    if (rows.length !== reports.length) {
      throw new Error(`settled ${rows.length} of ${reports.length} reports`);
    }
    return rows.map((row) =>
      row.locked ? { moved: row.moved, chainAcknowledged: row.chain_state === 'acknowledged' } : 'busy',
    );
  }

  private settleStatement(
    n: NotificationEntity,
    next: NotificationStatus,
    info: TransitionInfo,
    options: {
      attempt?: PushAttemptRow;
      endChain?: ChainEnd;
      lockedChain?: { chainId: string; channel: NotificationChannel; at: Date; wait: boolean };
    },
  ): { sql: string; params: unknown[] } {
    const table = (entity: SettledTable) => this.dataSource.getMetadata(entity).tablePath;
    const params: unknown[] = [n.id];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const column = (property: string) => this.notificationColumn(property);
    const changes = changesFor(next, info);
    const assignments = Object.entries(changes).map(([property, value]) => `${column(property)} = ${param(value)}`);
    if (next === 'delivered') {
      // A delivery report proves the provider took the message. When it overtook the sender's own record of
      // that (a fast callback), the time it was sent is at the latest now.
      assignments.push(
        `${column('sentAt')} = COALESCE(${column('sentAt')}, ${param(changes.deliveredAt)}::timestamptz)`,
      );
    }
    const event = this.eventOf(n, next, info);
    const { attempt, endChain, lockedChain } = options;
    const sql = `WITH ${
      lockedChain
        ? `chain AS MATERIALIZED (
        SELECT "id", "state", "step", "channels", "ack_required" FROM ${table(EscalationEntity)}
        WHERE "id" = ${param(lockedChain.chainId)} FOR UPDATE${lockedChain.wait ? '' : ' SKIP LOCKED'}
      ), `
        : ''
    }moved AS (
        UPDATE ${table(NotificationEntity)} SET ${assignments.join(', ')}
        WHERE "id" = $1 AND "status" = ANY(${param(statusesBefore(next))}::text[])${
          !lockedChain
            ? ''
            : lockedChain.wait
              ? ` AND NOT EXISTS (SELECT 1 FROM chain WHERE "state" = 'acknowledged')`
              : ` AND EXISTS (SELECT 1 FROM chain WHERE "state" <> 'acknowledged')`
        }
        RETURNING "id"
      ),${
        attempt
          ? ` attempt AS (
        INSERT INTO ${table(PushAttemptEntity)} ("notification_id", "subscription_id", "outcome", "status_code")
        SELECT $1::uuid, ${param(attempt.subscriptionId)}::uuid, ${param(attempt.outcome)}::text, ${param(attempt.statusCode)}::int${
          lockedChain && !lockedChain.wait ? ' WHERE EXISTS (SELECT 1 FROM chain)' : ''
        }
        ON CONFLICT ("notification_id", "subscription_id")
        DO UPDATE SET "outcome" = EXCLUDED."outcome", "status_code" = EXCLUDED."status_code"
      ),`
          : ''
      }${
        endChain
          ? ` ended AS (
        UPDATE ${table(EscalationEntity)}
        SET "state" = ${param(endChain.state)}, "deadline" = NULL, "ended_reason" = ${param(endChain.reason)},
          "updated_at" = ${param(endChain.at)}
        WHERE "id" = ${param(endChain.chainId)} AND EXISTS (SELECT 1 FROM moved)
      ),`
          : ''
      }${
        lockedChain
          ? ` ended AS (
        UPDATE ${table(EscalationEntity)} e
        SET "state" = 'reached', "deadline" = NULL, "ended_reason" = 'reached', "updated_at" = ${param(lockedChain.at)}
        FROM chain c
        WHERE e."id" = c."id" AND EXISTS (SELECT 1 FROM moved) AND c."state" = 'running' AND NOT c."ack_required"
          AND c."step" = array_position(c."channels", ${param(lockedChain.channel)}::text) - 1
      ),`
          : ''
      } event AS (
        INSERT INTO ${table(OutboxEntity)} ("id", "subject", "envelope")
        SELECT ${param(event.id)}, ${param(event.type)}, ${param(JSON.stringify(event))}::jsonb FROM moved
      )
      SELECT (SELECT count(*) FROM moved)::int AS "moved"${
        lockedChain ? `, (SELECT "state" FROM chain) AS "chain_state"` : ''
      }${lockedChain && !lockedChain.wait ? `, EXISTS (SELECT 1 FROM chain) AS "locked"` : ''}`;
    // Every push and SMS and each delivery report runs this: a handful of texts, each looked up by ids.
    return { sql: prepared(sql), params };
  }

  /** The quoted column of a notification's `property`, for the settling statements. */
  private notificationColumn(property: string): string {
    const column = this.dataSource.getMetadata(NotificationEntity).findColumnWithPropertyName(property)!;
    return `"${column.databaseName}"`;
  }

  /** The event of `n` reaching `status`. */
  eventOf(n: NotificationEntity, status: NotificationStatus, info: TransitionInfo): EventEnvelope {
    const meta = metaCausedBy({ ...n.cause, payload: {} } as EventEnvelope);
    const ref: NotificationRef = {
      notificationId: n.id,
      ...(n.taskId ? { taskId: n.taskId } : {}),
      ...(n.announcementId ? { announcementId: n.announcementId } : {}),
      ...(n.aftercareItemId ? { aftercareItemId: n.aftercareItemId } : {}),
      personId: n.personId,
      channel: n.channel,
      attempt: n.attempt,
    };
    switch (status) {
      case 'sent':
      case 'local_outbox':
        return buildEvent(EventSubject.NotificationSent, meta, {
          ...ref,
          devices: info.devices ?? 1,
          provider: status === 'local_outbox' ? 'local-outbox' : n.channel === 'push' ? 'push-service' : 'twilio',
        });
      case 'delivered':
        return buildEvent(EventSubject.NotificationDelivered, meta, ref);
      case 'acknowledged':
        return buildEvent(EventSubject.NotificationAcknowledged, meta, {
          ...ref,
          afterSeconds: Math.max(0, Math.round((n.updatedAt.getTime() - n.createdAt.getTime()) / 1000)),
        });
      case 'queued':
      case 'failed':
      case 'expired':
      case 'unreachable':
        return buildEvent(EventSubject.NotificationFailed, meta, {
          ...ref,
          reason: info.reason ?? status,
          status: status === 'expired' || status === 'unreachable' ? status : 'failed',
          ...(info.detail ? { detail: info.detail.slice(0, 500) } : {}),
        });
    }
  }

  /** Hands committed work to the queues: a job per queued notification, a delayed job per wait. */
  async dispatch(effects: Effects): Promise<void> {
    for (const channel of ['push', 'sms'] as const) {
      const jobs = effects.notifications.filter((n) => n.channel === channel && n.status === 'queued');
      if (jobs.length > 0) {
        const ranks = new Map<string, number>();
        await this.queues[channel].addBulk(
          jobs.map((n) => {
            const rank = ranks.get(n.incidentId) ?? 0;
            ranks.set(n.incidentId, rank + 1);
            return {
              name: `send-${channel}`,
              data: { notificationId: n.id },
              opts: {
                ...(channel === 'push' ? PUSH_JOB_OPTIONS : SMS_JOB_OPTIONS),
                jobId: n.jobId,
                priority: jobPriority(n.priority, rank),
              },
            };
          }),
        );
      }
    }
    if (effects.timers.length > 0) {
      const now = Date.now();
      await this.timerQueue.addBulk(
        effects.timers.map((t) => ({
          name: 'escalate',
          data: { chainId: t.chainId, step: t.step },
          opts: {
            ...ESCALATION_JOB_OPTIONS,
            jobId: escalationJobId(t.chainId, t.step),
            delay: Math.max(0, t.deadline.getTime() - now),
          },
        })),
      );
    }
    this.relay.nudge();
  }

  /**
   * Re-drives intents whose job Redis may have lost (a restart without persistence, a crash between commit
   * and enqueue): every notification still queued after `staleMs` gets its job again. Returns how many.
   */
  async reconcile(staleMs: number, onFinalFailure: (n: NotificationEntity, detail: string) => Promise<void>) {
    const stale = await this.dataSource.getRepository(NotificationEntity).find({
      where: { status: 'queued', updatedAt: LessThan(new Date(Date.now() - staleMs)) },
      take: 1000,
    });
    const missing: NotificationEntity[] = [];
    for (const n of stale) {
      const job = await this.queues[n.channel].getJob(n.jobId);
      if (!job) {
        missing.push(n);
      } else if (await job.isFailed()) {
        await onFinalFailure(n, job.failedReason);
      }
    }
    await this.dispatch({ notifications: missing, timers: [] });
    if (missing.length > 0) {
      this.log.warn(`re-queued ${missing.length} notification job(s) that the queue had lost`);
    }
    return missing.length;
  }

  /** Lets the outbox relay publish what a transaction just wrote. */
  nudge(): void {
    this.relay.nudge();
  }

  timerJob(chainId: string, step: number) {
    return this.timerQueue.getJob(escalationJobId(chainId, step));
  }
}

/** The tables a settling statement writes. */
type SettledTable =
  typeof NotificationEntity | typeof PushAttemptEntity | typeof EscalationEntity | typeof OutboxEntity;

/** What settling a report of reaching the person did: whether the status moved; whether the chain was acknowledged. */
export interface Settled {
  moved: boolean;
  chainAcknowledged: boolean;
}

interface ReachedReport {
  n: NotificationEntity;
  next: 'sent' | 'local_outbox' | 'delivered';
  info: TransitionInfo;
  attempt?: PushAttemptRow;
}

/**
 * `settling`, marked as heard: its caller hears how it ends once the whole run answers, and a failure that nobody
 * heard meanwhile (while the run's next statement is on its way) would stop the process.
 */
function answeredLater(settling: Promise<Settled>): Promise<Settled> {
  settling.catch(() => undefined);
  return settling;
}

/**
 * `reports` (by index) in groups that can go in one statement: no two of a group about the same notification
 * (an UPDATE moves a row once) or the same chain. Nearly always one group, in the order given.
 */
function apart(reports: ReachedReport[]): number[][] {
  const groups: { indices: number[]; keys: Set<string> }[] = [];
  reports.forEach(({ n }, i) => {
    const keys = [n.id, ...(n.chainId ? [n.chainId] : [])];
    let group = groups.find((g) => keys.every((key) => !g.keys.has(key)));
    if (!group) {
      group = { indices: [], keys: new Set() };
      groups.push(group);
    }
    group.indices.push(i);
    keys.forEach((key) => group.keys.add(key));
  });
  return groups.map((g) => g.indices);
}

/** A device's answer to one push, as `push_attempt` keeps it. */
export interface PushAttemptRow {
  subscriptionId: string;
  outcome: 'accepted' | 'gone' | 'rejected';
  statusCode: number | null;
}

/** The columns a status change sets (entity property names). */
function changesFor(next: NotificationStatus, info: TransitionInfo): Record<string, unknown> {
  const at = info.at ?? new Date();
  const set: Record<string, unknown> = { status: next, updatedAt: at };
  if (next === 'sent' || next === 'local_outbox') {
    set.sentAt = at;
  } else if (next === 'delivered') {
    set.deliveredAt = at;
  } else if (next === 'acknowledged') {
    set.acknowledgedAt = at;
  } else if (next !== 'queued') {
    set.reason = info.reason ?? next;
  }
  if (info.provider) {
    set.provider = info.provider;
  }
  return set;
}
