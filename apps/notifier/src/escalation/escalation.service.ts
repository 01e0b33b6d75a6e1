import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { buildEvent, EventSubject, metaCausedBy, type EventEnvelope, type NotificationChannel } from '#lib/contracts';
import { addToOutbox, claimInbox, claimInboxAll, OutboxEntity, outboxRows, type LocksFirst } from '#lib/messaging';
import { CoalescingReader, insertAll, PREPARED, prepared } from '#lib/platform';
import { ContactEntity } from '../contact/contact.entity.js';
import { isFailure, type NotificationStatus } from '../delivery/notification-status.js';
import { NotificationEntity, PushAttemptEntity } from '../delivery/notification.entity.js';
import {
  noEffects,
  NotificationService,
  type Effects,
  type IntentSpec,
  subjectOf,
  type PushAttemptRow,
  type TransitionInfo,
} from '../delivery/notification.service.js';
import {
  channelPlan,
  deadlineFrom,
  waitEndsAt,
  decide,
  queuePriority,
  type ChainDecision,
  type ChainInput,
  type ChainState,
  type EscalationWaits,
  type TaskPriority,
} from './escalation-policy.js';
import { EscalationEntity, StopSignalEntity } from './escalation.entity.js';
import { PUSH_SENDER, type PushSender } from '../push/push-sender.port.js';
import { PushSubscriptionEntity } from '../push/push-subscription.entity.js';
import { SmsMessageEntity } from '../sms/sms-message.entity.js';

/** DI token of the waits per task priority, in seconds. */
export const ESCALATION_WAITS = Symbol('ESCALATION_WAITS');

type Cause = Omit<EventEnvelope, 'payload'>;

/** A new chain: whom to keep at, about what, how urgently. */
export interface ChainSpec {
  causeEventId: string;
  cause: Cause;
  taskId: string | null;
  announcementId: string | null;
  aftercareItemId?: string | null;
  personId: string;
  priority: TaskPriority;
  ackRequired: boolean;
  queuePriority: number;
}

/** Who and what a stop applies to; null means all. */
interface StopScope {
  eventId: string;
  incidentId: string;
  taskId: string | null;
  personId: string | null;
  reason: 'acknowledged' | 'completed' | 'dismissed' | 'reassigned' | 'incident-closed';
  occurredAt: Date;
  /** For an acknowledgement: the person who picked the task up (their chain ends acknowledged). */
  acknowledgedBy?: string;
}

const cause = (event: EventEnvelope): Cause => {
  const { payload: _payload, ...rest } = event;
  return rest;
};

/** What a timer did: a chain decision, `early` (fired before its deadline), or `deferred` to `until`. */
export type TimerOutcome = { kind: ChainDecision['kind'] | 'early' } | { kind: 'deferred'; until: Date };

/** A device to push to: what sending needs of its subscription. */
export type PushDevice = Pick<PushSubscriptionEntity, 'id' | 'endpoint' | 'p256dh' | 'auth'>;

/** A queued push that is still wanted, with its person's devices and those that already accepted it. */
export interface PushToSend {
  notification: NotificationEntity;
  devices: PushDevice[];
  accepted: Set<string>;
}

export interface SmsToSend {
  notification: NotificationEntity;
  /** The person's phone number (null: none known). */
  phone: string | null;
  /** The SMS an earlier run of the job wrote: the provider's id once it took it, and when it was first written. */
  earlier: { sid: string | null; createdAt: Date } | null;
}

/** A notification as its job reads it, with what the job's channel needs. */
interface QueuedRead {
  notification: NotificationEntity;
  row: {
    chain_state: EscalationEntity['state'] | null;
    chain_ended_reason: string | null;
    devices?: PushDevice[];
    accepted?: string[];
    phone?: string | null;
    earlier_sid?: string | null;
    earlier_created_at?: Date | null;
  };
}

/**
 * Keeps at a person until a task is picked up: push, then SMS (in the person's order), each with a wait per
 * priority, then `crisis.notification.unacknowledged.v1` so activation hands the task to the deputy. Every
 * step is decided under a row lock on the chain in PostgreSQL, so a duplicate timer, a late receipt or two
 * instances at once move a chain exactly once; an acknowledgement ends it in the same way.
 */
@Injectable()
export class EscalationService {
  private readonly log = new Logger(EscalationService.name);

  /**
   * The push jobs' reads, one statement for those that overlap (up to the worker's concurrency). In the region
   * burst a push was two statements, this read and its outcome (BENCHMARKS.md, 2026-12-06).
   */
  private readonly pushReads = new CoalescingReader<string, QueuedRead>((ids) => this.readQueued(ids, 'push'), {
    maxKeys: 50,
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationService,
    @Inject(ESCALATION_WAITS) private readonly waits: EscalationWaits,
    @Inject(PUSH_SENDER) private readonly pushSender: Pick<PushSender, 'preconnect'>,
  ) {}

  /** `task.assigned` / `task.reassigned`: a chain for the (new) assignee; a reassignment ends the old one's. */
  async onTaskEvent(
    event: EventEnvelope<typeof EventSubject.TaskAssigned> | EventEnvelope<typeof EventSubject.TaskReassigned>,
  ): Promise<void> {
    const p = event.payload;
    const spec = taskChainSpec(event);
    const effects = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, `notifier.${event.type}`, event, scopeLocks(event.incidentId, p.taskId)))) {
        return noEffects();
      }
      if ('fromAssigneeId' in p && p.fromAssigneeId && p.fromAssigneeId !== spec.personId) {
        await this.applyStop(manager, {
          eventId: event.id,
          incidentId: event.incidentId,
          taskId: p.taskId,
          personId: p.fromAssigneeId,
          reason: 'reassigned',
          occurredAt: new Date(event.occurredAt),
        });
      }
      return this.startChains(manager, [spec]);
    });
    await this.notifications.dispatch(effects);
  }

  /**
   * Several `task.assigned` of one incident (the rest of a trigger, handed over together by the consumer): their
   * chains start in one transaction, one claim, one read and one insert for all of them, where one at a time
   * was five round trips each. A task whose lock another transaction holds (an acknowledgement of it at the same
   * moment) does not hold up the others: it is started on its own afterwards, as is an event of a task that is
   * twice in the batch and an incident's events when the batch holds several.
   */
  async onTasksAssigned(events: EventEnvelope<typeof EventSubject.TaskAssigned>[]): Promise<void> {
    const together: EventEnvelope<typeof EventSubject.TaskAssigned>[] = [];
    const later: EventEnvelope<typeof EventSubject.TaskAssigned>[] = [];
    const tasks = new Set<string>();
    for (const event of events) {
      const alone = tasks.has(event.payload.taskId) || event.incidentId !== events[0]!.incidentId;
      (alone ? later : together).push(event);
      tasks.add(event.payload.taskId);
    }
    if (together.length > 1) {
      const { effects, held } = await this.dataSource.transaction(async (manager) => {
        const locked = await this.tryLockTasks(
          manager,
          together[0]!.incidentId,
          together.map((e) => e.payload.taskId),
        );
        const mine = together.filter((e) => locked.has(e.payload.taskId));
        const claimed = await claimInboxAll(manager, `notifier.${EventSubject.TaskAssigned}`, mine);
        return {
          effects: await this.startChains(manager, mine.filter((e) => claimed.has(e.id)).map(taskChainSpec)),
          held: together.filter((e) => !locked.has(e.payload.taskId)),
        };
      });
      await this.notifications.dispatch(effects);
      later.unshift(...held);
    } else {
      later.unshift(...together);
    }
    for (const event of later) {
      await this.onTaskEvent(event);
    }
  }

  /**
   * The incident's lock shared (as every task event takes it: a close waits for them), and of `taskIds` the
   * locks that are free now, without waiting for the others: the tasks whose locks it holds.
   */
  private async tryLockTasks(manager: EntityManager, incidentId: string, taskIds: string[]): Promise<Set<string>> {
    const rows = await manager.query<{ key: string }[]>(
      prepared(`WITH "incident" AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 7)))
       SELECT t."key" FROM "incident", unnest($2::text[]) AS t("key")
        WHERE pg_try_advisory_xact_lock(hashtextextended(t."key", 7))`),
      [incidentLockKey(incidentId), taskIds.map(taskLockKey)],
    );
    const locked = new Set(rows.map((r) => r.key));
    return new Set(taskIds.filter((taskId) => locked.has(taskLockKey(taskId))));
  }

  /** An aftercare item is due: its owner is told once (push, SMS when push does not reach them), with a link. */
  async onAftercareDue(event: EventEnvelope<typeof EventSubject.AftercareDue>): Promise<void> {
    const effects = await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, `notifier.${event.type}`, event))) {
        return noEffects();
      }
      return this.startChains(manager, [
        {
          causeEventId: event.id,
          cause: cause(event),
          taskId: null,
          announcementId: null,
          aftercareItemId: event.payload.itemId,
          personId: event.payload.ownerId,
          priority: 'normal',
          ackRequired: false,
          queuePriority: queuePriority('announcement', 'normal', 'crisis-team'),
        },
      ]);
    });
    await this.notifications.dispatch(effects);
  }

  /** An acknowledgement, a finished or dismissed task, a closed or cancelled incident: the chains end. */
  async onStopEvent(event: EventEnvelope): Promise<void> {
    const scope = stopScopeOf(event);
    if (!scope) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimInbox(manager, `notifier.${event.type}`, event, scopeLocks(event.incidentId, scope.taskId)))) {
        return;
      }
      await this.applyStop(manager, scope);
    });
    this.notifications.nudge();
  }

  /**
   * Starts chains in `manager`'s transaction (each unless a stop that happened after its causing event already
   * arrived) and returns their first notifications and timers to dispatch after commit. What they need to know
   * is read in one statement and what they write (chains, notifications, events) is written in one, whether one
   * chain starts or thirty; with the claim that takes the locks, a chain start is five round trips (with BEGIN
   * and COMMIT) where it was eight.
   */
  async startChains(manager: EntityManager, specs: ChainSpec[]): Promise<Effects> {
    const facts = await this.chainFacts(manager, specs);
    const now = new Date();
    const starts = specs.flatMap((spec, i) => {
      const known = facts[i]!;
      if (known.stopped) {
        this.log.log(`task ${spec.taskId}: not notifying ${spec.personId}, the task was picked up or ended meanwhile`);
        return [];
      }
      const start = this.firstStep(spec, known.channelOrder, known.endpoints.length > 0, known.attempts, now);
      if (start.notifications.some((n) => n.channel === 'push' && n.status === 'queued')) {
        // The handshake with the push service runs while the chain is written and its job queued (cold starts).
        for (const endpoint of known.endpoints) {
          this.pushSender.preconnect(endpoint);
        }
      }
      return [start];
    });
    return this.writeStarts(manager, starts);
  }

  /**
   * {@link startChains} for every recipient of a new announcement, in one statement whatever their number:
   * the chains, their first notifications, and the events of the pushes that cannot go out. The announcement is
   * new, so every notification is its first attempt and no stop can precede it. Before, an all-staff
   * announcement to 150 people was 450–750 statements in one transaction, and under a regional burst its
   * request outlasted the gateway's timeout.
   */
  async startFanOut(
    manager: EntityManager,
    specs: ChainSpec[],
    contacts: Map<string, ContactEntity>,
    devices: Set<string>,
  ): Promise<Effects> {
    const now = new Date();
    return this.writeStarts(
      manager,
      specs.map((spec) =>
        this.firstStep(spec, contacts.get(spec.personId)?.channelOrder, devices.has(spec.personId), {}, now),
      ),
    );
  }

  /** Writes chain starts (from {@link firstStep}) in one statement; their effects, to dispatch after commit. */
  private async writeStarts(
    manager: EntityManager,
    starts: ReturnType<EscalationService['firstStep']>[],
  ): Promise<Effects> {
    const effects = noEffects();
    for (const start of starts) {
      effects.notifications.push(...start.effects.notifications);
      effects.timers.push(...start.effects.timers);
    }
    await insertAll(manager, [
      { entity: EscalationEntity, rows: starts.map((start) => start.chain) },
      { entity: NotificationEntity, rows: starts.flatMap((start) => start.notifications) },
      { entity: OutboxEntity, rows: outboxRows(starts.flatMap((start) => start.events)) },
    ]);
    return effects;
  }

  /**
   * The rows that start `spec`'s chain, not yet stored: the chain and its first notification. On a push-first
   * plan for a person without a device, the push is settled now as its job would settle it (unreachable, with
   * its event) and the chain moves on at once, as {@link apply} moves it: the next channel's notification and,
   * for a task, the escalation's event. The SMS leaves without a round through the push queue, and the pushes of
   * the people who have the app are not queued behind pushes that cannot go out. `attempts`: the highest attempt
   * per channel already stored for the same subject and person (a task handed back to someone).
   */
  private firstStep(
    spec: ChainSpec,
    channelOrder: NotificationChannel[] | undefined,
    hasDevice: boolean,
    attempts: Partial<Record<NotificationChannel, number>>,
    now: Date,
  ) {
    const chain = this.newChain(spec, channelOrder, now);
    const notifications: NotificationEntity[] = [];
    const events: EventEnvelope[] = [];
    const effects = noEffects();
    const step = () =>
      this.notifications.intent(
        stepIntent(chain, spec.queuePriority),
        (attempts[chain.channels[chain.step]!] ?? 0) + 1,
        now,
      );
    if (chain.channels[0] === 'push' && !hasDevice) {
      const push = step();
      push.status = 'unreachable';
      push.reason = 'no_push_subscription';
      notifications.push(push);
      events.push(this.notifications.eventOf(push, 'unreachable', { reason: push.reason }));
      const decision = decide(chain, { kind: 'channel-failed', step: 0 });
      if (decision.kind !== 'next-channel') {
        // channelPlan always holds push and SMS: a chain that starts with push has SMS next.
        throw new Error(`chain ${chain.id}: no channel after push in ${chain.channels.join(', ')}`);
      }
      chain.step = decision.step;
      chain.deadline = deadlineFrom(now, chain.priority, this.waits, chain.ackRequired);
      if (chain.taskId) {
        const meta = metaCausedBy({ ...chain.cause, payload: {} } as EventEnvelope);
        events.push(
          buildEvent(EventSubject.NotificationEscalated, meta, {
            taskId: chain.taskId,
            personId: chain.personId,
            fromChannel: 'push',
            toChannel: decision.channel,
            reason: decision.reason,
          }),
        );
      }
    }
    const first = step();
    notifications.push(first);
    effects.notifications.push(first);
    if (chain.deadline) {
      effects.timers.push({ chainId: chain.id, step: chain.step, deadline: chain.deadline });
    }
    return { chain, notifications, events, effects };
  }

  /**
   * What starting each of `specs`' chains needs to know, in one statement: whether a stop after its cause already
   * came (tasks only), the person's channel order, whether they have a device, and the highest attempt per
   * channel already stored for the same subject and person. In the order of `specs`, which name one kind of
   * subject (tasks, announcements or aftercare items).
   */
  private async chainFacts(manager: EntityManager, specs: ChainSpec[]) {
    if (specs.length === 0) {
      return [];
    }
    const table = (entity: typeof StopSignalEntity | typeof ContactEntity | typeof PushSubscriptionEntity) =>
      this.dataSource.getMetadata(entity).tablePath;
    const notifications = this.dataSource.getMetadata(NotificationEntity);
    const subjects = specs.map(subjectOf);
    const property = subjects[0]!.property;
    if (subjects.some((s) => s.property !== property)) {
      throw new Error(`chain starts of different subjects in one read: ${subjects.map((s) => s.property).join(', ')}`);
    }
    const subjectColumn = notifications.findColumnWithPropertyName(property)!.databaseName;
    const rows = await manager.query<
      {
        stopped: boolean;
        channel_order: NotificationChannel[] | null;
        endpoints: string[];
        attempts: Partial<Record<NotificationChannel, number>>;
      }[]
    >(
      prepared(`SELECT
         i.task_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM ${table(StopSignalEntity)} s
           WHERE s.incident_id = i.incident_id AND (s.task_id IS NULL OR s.task_id = i.task_id)
             AND (s.person_id IS NULL OR s.person_id = i.person_id) AND s.occurred_at >= i.occurred_at
         ) AS stopped,
         (SELECT c.channel_order FROM ${table(ContactEntity)} c WHERE c.person_id = i.person_id) AS channel_order,
         ARRAY(SELECT d.endpoint FROM ${table(PushSubscriptionEntity)} d WHERE d.person_id = i.person_id) AS endpoints,
         (SELECT coalesce(jsonb_object_agg(a.channel, a.attempt), '{}'::jsonb) FROM (
            SELECT n.channel, max(n.attempt) AS attempt FROM ${notifications.tablePath} n
            WHERE n."${subjectColumn}" = i.subject_id AND n.person_id = i.person_id GROUP BY n.channel
          ) a) AS attempts
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::uuid[])
            WITH ORDINALITY AS i(incident_id, task_id, person_id, occurred_at, subject_id, ord)
       ORDER BY i.ord`),
      [
        specs.map((spec) => spec.cause.incidentId),
        specs.map((spec) => spec.taskId),
        specs.map((spec) => spec.personId),
        specs.map((spec) => new Date(spec.cause.occurredAt)),
        subjects.map((subject) => subject.id),
      ],
    );
    return rows.map((row) => ({
      stopped: row.stopped,
      channelOrder: row.channel_order ?? undefined,
      endpoints: row.endpoints,
      attempts: row.attempts,
    }));
  }

  private newChain(spec: ChainSpec, channelOrder: NotificationChannel[] | undefined, now: Date): EscalationEntity {
    return this.dataSource.manager.create(EscalationEntity, {
      id: randomUUID(),
      incidentId: spec.cause.incidentId,
      taskId: spec.taskId,
      announcementId: spec.announcementId,
      aftercareItemId: spec.aftercareItemId ?? null,
      personId: spec.personId,
      causeEventId: spec.causeEventId,
      priority: spec.priority,
      ackRequired: spec.ackRequired,
      channels: channelPlan(channelOrder),
      step: 0,
      state: 'running',
      deadline: deadlineFrom(now, spec.priority, this.waits, spec.ackRequired),
      cause: spec.cause,
      createdAt: now,
      updatedAt: now,
      endedReason: null,
    });
  }

  /** Of `personIds`, those with a device to push to: for a fan-out, in one query. */
  async withDevices(manager: EntityManager, personIds: string[]): Promise<Set<string>> {
    if (personIds.length === 0) {
      return new Set();
    }
    const rows = await manager
      .getRepository(PushSubscriptionEntity)
      .createQueryBuilder('s')
      .select('DISTINCT s.person_id', 'personId')
      .where('s.person_id IN (:...personIds)', { personIds })
      .getRawMany<{ personId: string }>();
    return new Set(rows.map((r) => r.personId));
  }

  /**
   * The wait of a chain's step ran out (a delayed job, or the reconciler after a restart). `deferred`: the step's
   * notification left late (or has not left yet), so the wait ends later, at `until` (see {@link waitEndsAt}).
   */
  async onTimer(chainId: string, step: number): Promise<TimerOutcome> {
    let outcome: TimerOutcome = { kind: 'ignore' };
    const effects = await this.dataSource.transaction(async (manager) => {
      const chain = await this.lockChain(manager, chainId);
      if (!chain) {
        return noEffects();
      }
      const now = new Date();
      if (chain.step === step && chain.state === 'running' && chain.deadline && chain.deadline > now) {
        outcome = { kind: 'early' };
        return noEffects();
      }
      if (chain.step === step && chain.state === 'running' && chain.ackRequired) {
        const [current] = await manager.find(NotificationEntity, {
          where: { chainId: chain.id, channel: chain.channels[chain.step]! },
          order: { createdAt: 'DESC' },
          take: 1,
        });
        const until = waitEndsAt(current ?? null, this.waits[chain.priority] * 1000, now);
        if (until) {
          chain.deadline = until;
          chain.updatedAt = now;
          await manager.save(chain);
          outcome = { kind: 'deferred', until };
          return noEffects();
        }
      }
      const decision = decide(chain, { kind: 'timer', step });
      outcome = { kind: decision.kind };
      return this.apply(manager, chain, decision);
    });
    await this.notifications.dispatch(effects);
    return outcome;
  }

  /**
   * A channel reported on a notification (sent, delivered, failed, expired…): store it if it is progress and,
   * when it is about the current step of a running chain, let the chain move on (a failure moves on at once).
   * A worker that holds the notification passes it (it is not read again), and a push job the answer of the
   * device it tried last, written in the same transaction as the outcome.
   */
  async recordOutcome(
    notification: string | NotificationEntity,
    next: NotificationStatus,
    info: TransitionInfo = {},
    attempt?: PushAttemptRow,
  ): Promise<boolean> {
    let changed = false;
    const notificationId = typeof notification === 'string' ? notification : notification.id;
    if (next === 'sent' || next === 'local_outbox' || next === 'delivered') {
      // The common case, every push and SMS that went out and every delivery report: one statement that takes
      // the chain's lock itself (the chain's decision is `ignore` or `reached` for any report of reaching the
      // person). Only a chain acknowledged meanwhile needs the transaction below.
      const n =
        typeof notification === 'string'
          ? await this.dataSource.getRepository(NotificationEntity).findOneBy({ id: notification })
          : notification;
      if (!n) {
        return false;
      }
      const settled = await this.notifications.settleReached(n, next, info, attempt);
      if (!settled.chainAcknowledged) {
        if (settled.moved) {
          this.log.log(`notification ${notificationId} → ${next}`);
        }
        this.notifications.nudge();
        return settled.moved;
      }
      notification = n;
    }
    const effects = await this.dataSource.transaction(async (manager) => {
      const n =
        typeof notification === 'string'
          ? await manager.findOneBy(NotificationEntity, { id: notification })
          : notification;
      if (!n) {
        return noEffects();
      }
      const chain = n.chainId ? await this.lockChain(manager, n.chainId) : null;
      const input: ChainInput = {
        kind: isFailure(next) ? 'channel-failed' : 'channel-reached',
        step: chain ? chain.channels.indexOf(n.channel) : -1,
      };
      const decision = chain && decide(chain, input);
      if (
        chain &&
        (decision?.kind === 'ignore' || decision?.kind === 'reached') &&
        !(chain.state === 'acknowledged' && !isFailure(next))
      ) {
        // Most outcomes (a push or SMS that went out, of an announcement or an assignment) leave the chain as it
        // is or end it as reached: the rest of this transaction in one statement, not four.
        changed = await this.notifications.settleInOne(manager, n, next, info, {
          attempt,
          ...(decision.kind === 'reached'
            ? { endChain: { chainId: chain.id, state: 'reached' as const, reason: 'reached', at: new Date() } }
            : {}),
        });
        return noEffects();
      }
      if (attempt) {
        await manager
          .getRepository(PushAttemptEntity)
          .upsert({ notificationId: n.id, ...attempt }, ['notificationId', 'subscriptionId']);
      }
      changed = await this.notifications.transition(manager, n, next, info);
      if (!changed || !chain || !decision) {
        return noEffects();
      }
      if (chain.state === 'acknowledged' && !isFailure(next)) {
        // It was in flight when the person acknowledged (on another device or channel): it is settled too.
        await this.notifications.transition(manager, n, 'acknowledged');
        return noEffects();
      }
      return this.apply(manager, chain, decision);
    });
    if (changed) {
      this.log.log(
        `notification ${notificationId} → ${next}${info.reason && isFailure(next) ? ` (${info.reason})` : ''}`,
      );
    }
    await this.notifications.dispatch(effects);
    return changed;
  }

  /**
   * The notification a push job is for, when it is still to be sent: queued (not settled by an earlier run),
   * and wanted by its chain; with the person's devices and those that already took it (an earlier run of the
   * job). A job for anything else does nothing. One statement, shared by the push jobs that read at the same
   * time ({@link pushReads}): while a trigger's assignments hold the connections, each statement of a push job
   * waits its turn for one.
   */
  async pushToSend(notificationId: string): Promise<PushToSend | null> {
    const found = await this.stillToSend(await this.pushReads.read(notificationId));
    return (
      found && {
        notification: found.notification,
        devices: found.row.devices ?? [],
        accepted: new Set(found.row.accepted ?? []),
      }
    );
  }

  /**
   * {@link pushToSend} for an SMS: the notification with the person's phone number and the SMS an earlier run
   * of the job wrote (with the provider's id once it took the message), in the same statement: an SMS job
   * read them one after the other, three round trips.
   */
  async smsToSend(notificationId: string): Promise<SmsToSend | null> {
    const found = await this.stillToSend((await this.readQueued([notificationId], 'sms')).get(notificationId));
    return (
      found && {
        notification: found.notification,
        phone: found.row.phone ?? null,
        earlier: found.row.earlier_created_at
          ? { sid: found.row.earlier_sid ?? null, createdAt: found.row.earlier_created_at }
          : null,
      }
    );
  }

  /** The notifications `ids` with what their channel's job needs, by id; one statement. */
  private async readQueued(ids: string[], channel: NotificationChannel): Promise<Map<string, QueuedRead>> {
    const query = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .leftJoin(EscalationEntity, 'c', 'c.id = n.chain_id')
      .addSelect('c.state', 'chain_state')
      .addSelect('c.ended_reason', 'chain_ended_reason')
      .where(ids.length === 1 ? 'n.id = :id' : 'n.id = ANY(CAST(:ids AS uuid[]))', { id: ids[0], ids });
    if (ids.length === 1) {
      // Every push and SMS job begins with this read, and its text is the same for every notification. A read of
      // several is planned each time, for as many as it asks: kept as one plan for any number, chosen while the
      // tables were small, it scanned the notifications and chains whole, and PostgreSQL's CPU in the region burst
      // rose by half (BENCHMARKS.md, 2026-12-06).
      query.comment(PREPARED);
    }
    if (channel === 'push') {
      const devices = this.dataSource.getMetadata(PushSubscriptionEntity).tablePath;
      const attempts = this.dataSource.getMetadata(PushAttemptEntity).tablePath;
      query
        .addSelect(
          `(SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'endpoint', s.endpoint, 'p256dh', s.p256dh,
             'auth', s.auth) ORDER BY s.created_at, s.id), '[]'::jsonb) FROM ${devices} s WHERE s.person_id = n.person_id)`,
          'devices',
        )
        .addSelect(
          `ARRAY(SELECT a.subscription_id::text FROM ${attempts} a
             WHERE a.notification_id = n.id AND a.outcome = 'accepted')`,
          'accepted',
        );
    } else {
      query
        .leftJoin(ContactEntity, 'contact', 'contact.person_id = n.person_id')
        .addSelect('contact.phone', 'phone')
        .leftJoin(SmsMessageEntity, 'earlier', 'earlier.notification_id = n.id')
        .addSelect('earlier.sid', 'earlier_sid')
        .addSelect('earlier.created_at', 'earlier_created_at');
    }
    const { entities, raw } = await query.getRawAndEntities<QueuedRead['row'] & { n_id: string }>();
    const rows = new Map(raw.map((row) => [row.n_id, row]));
    const found = new Map<string, QueuedRead>();
    for (const notification of entities) {
      const row = rows.get(notification.id);
      if (row) {
        found.set(notification.id, { notification, row });
      }
    }
    return found;
  }

  /** The read notification when its job is still to send it; settled as expired when its chain ended meanwhile. */
  private async stillToSend(found: QueuedRead | undefined): Promise<QueuedRead | null> {
    if (!found || found.notification.status !== 'queued') {
      return null;
    }
    const { notification: n, row } = found;
    const state = row.chain_state;
    if (state && state !== 'running' && state !== 'reached') {
      // Its chain ended meanwhile (the task was picked up, moved or handed over): settled as expired, not sent.
      await this.recordOutcome(n, 'expired', { reason: `not_needed_${row.chain_ended_reason ?? state}` });
      return null;
    }
    return found;
  }

  /** Lets the outbox relay publish what a transaction just wrote. */
  nudge(): void {
    this.notifications.nudge();
  }

  /**
   * Re-arms every running wait whose timer job Redis lost (restart, flush) or that ended without moving its
   * chain. PostgreSQL holds each deadline, so a chain resumes exactly where it was. Returns how many.
   */
  async reconcileTimers(): Promise<number> {
    const running = await this.dataSource
      .getRepository(EscalationEntity)
      .createQueryBuilder('c')
      .where(`c.state = 'running' AND c.deadline IS NOT NULL`)
      .orderBy('c.deadline', 'ASC')
      .take(5000)
      .getMany();
    const rearm: EscalationEntity[] = [];
    for (const chain of running) {
      const job = await this.notifications.timerJob(chain.id, chain.step);
      if (!job) {
        rearm.push(chain);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        await job.remove();
        rearm.push(chain);
      }
    }
    await this.notifications.dispatch({
      notifications: [],
      timers: rearm.map((c) => ({ chainId: c.id, step: c.step, deadline: c.deadline! })),
    });
    if (rearm.length > 0) {
      this.log.warn(`re-armed ${rearm.length} escalation wait(s) the timer queue did not hold`);
    }
    return rearm.length;
  }

  private lockChain(manager: EntityManager, id: string): Promise<EscalationEntity | null> {
    return manager
      .getRepository(EscalationEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id })
      .getOne();
  }

  private async beginStep(
    manager: EntityManager,
    chain: EscalationEntity,
    priority: number,
    effects: Effects,
  ): Promise<void> {
    effects.notifications.push(await this.notifications.insertIntent(manager, stepIntent(chain, priority)));
    if (chain.deadline) {
      effects.timers.push({ chainId: chain.id, step: chain.step, deadline: chain.deadline });
    }
  }

  private async apply(manager: EntityManager, chain: EscalationEntity, decision: ChainDecision): Promise<Effects> {
    const effects = noEffects();
    const now = new Date();
    const meta = metaCausedBy({ ...chain.cause, payload: {} } as EventEnvelope);
    switch (decision.kind) {
      case 'ignore':
        return effects;
      case 'reached':
        await this.end(manager, chain, 'reached', 'reached');
        return effects;
      case 'next-channel': {
        const from = chain.channels[chain.step]!;
        chain.step = decision.step;
        chain.deadline = deadlineFrom(now, chain.priority, this.waits, chain.ackRequired);
        chain.updatedAt = now;
        await manager.update(
          EscalationEntity,
          { id: chain.id },
          { step: chain.step, deadline: chain.deadline, updatedAt: now },
        );
        const [previous] = await manager.find(NotificationEntity, {
          where: { chainId: chain.id },
          order: { createdAt: 'DESC' },
          take: 1,
        });
        await this.beginStep(manager, chain, previous?.priority ?? 1, effects);
        if (chain.taskId) {
          await addToOutbox(manager, [
            buildEvent(EventSubject.NotificationEscalated, meta, {
              taskId: chain.taskId,
              personId: chain.personId,
              fromChannel: from,
              toChannel: decision.channel,
              reason: decision.reason,
            }),
          ]);
        }
        this.log.log(`chain ${chain.id}: ${from} → ${decision.channel} (${decision.reason})`);
        return effects;
      }
      case 'exhausted': {
        await this.end(manager, chain, 'exhausted', 'no_acknowledgement');
        if (chain.taskId) {
          const attempts = await manager.countBy(NotificationEntity, { chainId: chain.id });
          await addToOutbox(manager, [
            buildEvent(EventSubject.NotificationUnacknowledged, meta, {
              taskId: chain.taskId,
              personId: chain.personId,
              lastChannel: chain.channels[chain.step]!,
              attempts: Math.max(1, attempts),
            }),
          ]);
          this.log.warn(`task ${chain.taskId}: nobody picked it up on any channel; handing over`);
        }
        return effects;
      }
    }
  }

  private async end(manager: EntityManager, chain: EscalationEntity, state: ChainState, reason: string) {
    chain.state = state;
    chain.deadline = null;
    chain.endedReason = reason;
    chain.updatedAt = new Date();
    await manager.update(
      EscalationEntity,
      { id: chain.id },
      { state, deadline: null, endedReason: reason, updatedAt: chain.updatedAt },
    );
  }

  private async applyStop(manager: EntityManager, scope: StopScope): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StopSignalEntity)
      .values({
        eventId: scope.eventId,
        incidentId: scope.incidentId,
        taskId: scope.taskId,
        personId: scope.personId,
        reason: scope.reason,
        occurredAt: scope.occurredAt,
      })
      .orIgnore()
      .execute();
    const query = manager
      .getRepository(EscalationEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.incident_id = :incidentId', { incidentId: scope.incidentId })
      .andWhere(`c.state IN ('running', 'reached')`)
      .andWhere(`(c.cause ->> 'occurredAt')::timestamptz <= :at`, { at: scope.occurredAt });
    if (scope.taskId) {
      query.andWhere('c.task_id = :taskId', { taskId: scope.taskId });
    }
    if (scope.personId) {
      query.andWhere('c.person_id = :personId', { personId: scope.personId });
    }
    const chains = await query.getMany();
    for (const chain of chains) {
      const acknowledged = scope.reason === 'acknowledged' && chain.personId === scope.acknowledgedBy;
      if (acknowledged) {
        const reached = await manager.findBy(NotificationEntity, {
          chainId: chain.id,
          status: In(['sent', 'local_outbox', 'delivered']),
        });
        for (const n of reached) {
          await this.notifications.transition(manager, n, 'acknowledged');
        }
      }
      // A notification still queued may be in flight right now; its job settles it (see stillWanted).
      if (chain.state === 'running' || acknowledged) {
        await this.end(manager, chain, acknowledged ? 'acknowledged' : 'stopped', scope.reason);
      }
    }
    if (chains.length > 0) {
      this.log.log(`${chains.length} notification chain(s) ended: ${scope.reason}`);
    }
  }
}

/** The chain a `task.assigned` or `task.reassigned` starts: for the (new) assignee. */
function taskChainSpec(
  event: EventEnvelope<typeof EventSubject.TaskAssigned> | EventEnvelope<typeof EventSubject.TaskReassigned>,
): ChainSpec {
  const p = event.payload;
  return {
    causeEventId: event.id,
    cause: cause(event),
    taskId: p.taskId,
    announcementId: null,
    personId: 'toAssigneeId' in p ? p.toAssigneeId : p.assigneeId,
    priority: p.priority,
    // A reassigned task is handed over because it is urgent: it always asks to be picked up.
    ackRequired: 'ackRequired' in p ? p.ackRequired : true,
    queuePriority: queuePriority('task', p.priority),
  };
}

/** The advisory lock keys of an incident and of a task (hashed with `hashtextextended(key, 7)`). */
const incidentLockKey = (incidentId: string) => `notifier:incident:${incidentId}`;
export const taskLockKey = (taskId: string) => `notifier:task:${taskId}`;

/**
 * Starting and stopping chains of one task take turns: otherwise an acknowledgement handled at the same moment
 * as its assignment could miss the chain that the assignment is creating (each would commit unseen by the
 * other). A task's start or stop holds its incident's lock shared and the task's lock exclusive; closing the
 * incident (no task) holds the incident's lock exclusive, so it waits for every task in flight and every task
 * waits for it. The tasks of one incident, and different incidents, run side by side: a trigger's 30-odd
 * assignments no longer queue behind each other, each holding a database connection while it waits. The locks
 * are taken by the statement that claims the event in the inbox (one round trip for both); a batch of assignments
 * takes them in a statement before its claim ({@link EscalationService.onTasksAssigned}).
 */
function scopeLocks(incidentId: string, taskId: string | null): LocksFirst {
  const incident = incidentLockKey(incidentId);
  if (taskId === null) {
    return { sql: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', params: [incident] };
  }
  // The order of the two cannot deadlock: only a close takes the incident's lock exclusively, and it takes no
  // task's lock.
  return {
    sql: 'SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 7)), pg_advisory_xact_lock(hashtextextended($2, 7))',
    params: [incident, taskLockKey(taskId)],
  };
}

/** The notification of a chain's current step. */
function stepIntent(chain: EscalationEntity, priority: number): IntentSpec {
  return {
    incidentId: chain.incidentId,
    taskId: chain.taskId,
    announcementId: chain.announcementId,
    aftercareItemId: chain.aftercareItemId,
    chainId: chain.id,
    personId: chain.personId,
    channel: chain.channels[chain.step]!,
    priority,
    cause: chain.cause,
  };
}

/** Which chains an event ends, or undefined when it ends none. */
export function stopScopeOf(event: EventEnvelope): StopScope | undefined {
  const base = { eventId: event.id, incidentId: event.incidentId, occurredAt: new Date(event.occurredAt) };
  const payload = event.payload as { taskId?: string; assigneeId?: string };
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- every other event ends nothing
  switch (event.type) {
    case EventSubject.TaskAcknowledged:
      return {
        ...base,
        taskId: payload.taskId!,
        personId: null,
        reason: 'acknowledged',
        acknowledgedBy: payload.assigneeId!,
      };
    case EventSubject.TaskCompleted:
      return { ...base, taskId: payload.taskId!, personId: null, reason: 'completed' };
    case EventSubject.TaskDismissed:
      return { ...base, taskId: payload.taskId!, personId: null, reason: 'dismissed' };
    case EventSubject.IncidentClosed:
    case EventSubject.IncidentCancelled:
      return { ...base, taskId: null, personId: null, reason: 'incident-closed' };
    default:
      return undefined;
  }
}
