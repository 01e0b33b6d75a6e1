import { randomUUID } from 'node:crypto';
import type { IncidentView } from '#lib/contracts';
import type { Api } from '../../e2e/support/system.js';

/** What the client was told about one action (Jepsen's vocabulary): it happened, it did not, or nobody knows. */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Operation {
  kind: 'trigger' | 'log' | 'ack';
  /** The client's own id: the trigger's idempotency key, the log entry's id, or the task id of an acknowledgement. */
  id: string;
  schoolId: string;
  /** Set once the server answered with it (triggers) or when known from the start (log entries, acks). */
  incidentId?: string;
  outcome: Outcome;
  tries: number;
  /** When the action was first tried and when it last got an answer (ms since the epoch). */
  firstAt: number;
  doneAt?: number;
  /** The last answer that was not a success (status and start of the body), for the report. */
  lastAnswer?: string;
}

export interface SchoolLoad {
  schoolId: string;
  /** The crisis-team member who triggers and keeps the log. */
  leader: Api;
  /** Logged-in people by person id: they acknowledge the tasks they are given. */
  people: Map<string, Api>;
}

export interface LoadOptions {
  triggerEveryMs: number;
  logEveryMs: number;
  /** Acknowledge this share of the tasks announced to logged-in people (the rest escalate). */
  ackShare: number;
  /** A request without an answer after this long counts as unknown (and is retried). */
  requestTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A crisis team under load, as phones behave: triggers (a fresh idempotency key each), log entries (a fresh
 * entry id each) and acknowledgements. A request that failed or went unanswered is retried with the same id
 * until it is answered or the load stops — so every action ends ok, fail (the server said no), or unknown.
 * Every action and its outcome is recorded for the checker.
 */
export class LoadGenerator {
  readonly operations: Operation[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly schools: SchoolLoad[],
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.schools.flatMap((school) => [this.triggerLoop(school), this.logLoop(school)]);
  }

  /** Stops making new actions; waits for those in flight (their retries end when the load stops). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    while (this.inflight.size > 0) {
      await Promise.all([...this.inflight]);
    }
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private async triggerLoop(school: SchoolLoad): Promise<void> {
    while (this.running) {
      const op: Operation = {
        kind: 'trigger',
        id: `chaos-${randomUUID()}`,
        schoolId: school.schoolId,
        outcome: 'unknown',
        tries: 0,
        firstAt: Date.now(),
      };
      this.operations.push(op);
      this.track(
        this.attempt(op, school.leader, 'POST', '/api/incidents', {
          calamityType: 'fire-explosion-evacuation',
          schoolId: school.schoolId,
          summary: 'Brandalarm, ontruiming (storingstest)',
          drill: true,
          idempotencyKey: op.id,
        }).then((incident) => {
          if (incident) {
            this.track(this.acknowledge(school, incident as IncidentView));
          }
        }),
      );
      await sleep(this.options.triggerEveryMs);
    }
  }

  private async logLoop(school: SchoolLoad): Promise<void> {
    while (this.running) {
      await sleep(this.options.logEveryMs);
      const incident = [...this.operations]
        .reverse()
        .find((o) => o.kind === 'trigger' && o.schoolId === school.schoolId && o.incidentId);
      if (!incident?.incidentId) {
        continue;
      }
      const op: Operation = {
        kind: 'log',
        id: randomUUID(),
        schoolId: school.schoolId,
        incidentId: incident.incidentId,
        outcome: 'unknown',
        tries: 0,
        firstAt: Date.now(),
      };
      this.operations.push(op);
      this.track(
        this.attempt(op, school.leader, 'POST', `/api/incidents/${incident.incidentId}/log`, {
          entryId: op.id,
          text: 'Verzamelplaats bereikt, telling loopt',
        }).then(() => undefined),
      );
    }
  }

  /** Acknowledges a share of the tasks announced to logged-in people, a moment after the trigger. */
  private async acknowledge(school: SchoolLoad, incident: IncidentView): Promise<void> {
    await sleep(300);
    const mine = incident.tasks.filter(
      (t) => t.assigneeId && school.people.has(t.assigneeId) && t.ackRequired && t.announceAt === incident.createdAt,
    );
    const chosen = mine.slice(0, Math.ceil(mine.length * this.options.ackShare));
    await Promise.all(
      chosen.map(async (task) => {
        const op: Operation = {
          kind: 'ack',
          id: task.id,
          schoolId: school.schoolId,
          incidentId: incident.id,
          outcome: 'unknown',
          tries: 0,
          firstAt: Date.now(),
        };
        this.operations.push(op);
        await this.attempt(op, school.people.get(task.assigneeId!)!, 'POST', `/api/tasks/${task.id}/acknowledge`, {});
      }),
    );
  }

  /**
   * One action, retried with the same id while the answer is unknown: a network error, a time-out or a 5xx. A 4xx
   * is a definite no. Returns the answer's body when ok.
   */
  private async attempt(op: Operation, api: Api, method: string, path: string, body: unknown): Promise<unknown> {
    for (;;) {
      op.tries += 1;
      try {
        const res = await api.request<{ id?: string }>(method, path, body, this.options.requestTimeoutMs);
        op.doneAt = Date.now();
        if (res.status >= 200 && res.status < 300) {
          op.outcome = 'ok';
          if (op.kind === 'trigger') {
            op.incidentId = res.body.id;
          }
          return res.body;
        }
        op.lastAnswer = `${res.status} ${res.text.slice(0, 160)}`;
        if (res.status < 500) {
          op.outcome = 'fail';
          return undefined;
        }
        // 5xx: the server may or may not have done it; retry below.
      } catch (error) {
        // No answer: refused, reset, or timed out. It may or may not have happened; the phone retries.
        op.lastAnswer = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (!this.running) {
        return undefined; // it stays unknown
      }
      await sleep(250);
    }
  }

  /** Counts per kind and outcome, for the report. */
  counts(since = 0): Record<string, Record<Outcome, number>> {
    const out: Record<string, Record<Outcome, number>> = {};
    for (const op of this.operations.filter((o) => o.firstAt >= since)) {
      out[op.kind] ??= { ok: 0, fail: 0, unknown: 0 };
      out[op.kind]![op.outcome] += 1;
    }
    return out;
  }
}
