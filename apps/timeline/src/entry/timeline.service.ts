import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { In, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import {
  MAX_SEQ,
  type EventEnvelope,
  type RpcPattern,
  type RpcRequest,
  type TimelineEntryView,
  type TimelineVerification,
} from '#lib/contracts';
import { rowsInsert, validationFailed, withInserts } from '#lib/platform';
import { TIMELINE_WRITER_ROLE } from '../database/migrations/1764374400000-TimelineWriterRole.js';
import { chainHash, ChainVerifier, GENESIS_HASH, splitText, textDigest } from './hash-chain.js';
import { ChainHeadEntity, EntryTextEntity, TimelineEntryEntity } from './timeline-entry.entity.js';

/** The type of a log entry a person wrote (the other entries are the events' subjects). */
export const LOG_ENTRY_TYPE = 'log.entry';

/** Findings of the evaluation, and the note that a proposed plan change became a plan version. */
export const FINDING_TYPE = 'evaluation.finding';
export const FINDING_APPLIED_TYPE = 'evaluation.finding-applied';
/** The record that an incident's personal texts were erased after the retention period (with their seqs). */
export const TEXT_ERASED_TYPE = 'timeline.text-erased';

export type FindingInput = RpcRequest<typeof RpcPattern.AddFinding>;
export type FindingAppliedInput = RpcRequest<typeof RpcPattern.RecordFindingApplied>;

/** What a review may narrow the timeline to; all given filters apply together. */
export interface TimelineFilter {
  types?: string[];
  manualOnly?: boolean;
  /** Entries about a crisis role (task events carry it). */
  role?: string;
  /** Entries by or about a person. */
  personId?: string;
  /** Entries that happened while the incident was in this protocol phase. */
  phase?: number;
}

export const LOG_CATEGORIES = ['decision', 'contact', 'action', 'observation'] as const;

/** A log entry a team member writes: the request the gateway sends. */
export type LogEntryInput = RpcRequest<typeof RpcPattern.AddLogEntry>;

export interface AppendInput {
  incidentId: string;
  eventId: string;
  type: string;
  occurredAt: string;
  actor: string;
  drill: boolean;
  data: Record<string, unknown>;
  schoolId: string;
  boardId: string;
  correlationId: string;
}

/**
 * The timeline's one writer: an event or a log entry comes in through `appendEntry`, what the consumer received
 * together through `appendMany`; both make their entries with `newEntry`.
 */
@Injectable()
export class TimelineService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends the event to its incident's chain, exactly once: a redelivered event (same id) is a no-op.
   */
  async append(event: EventEnvelope): Promise<'appended' | 'duplicate'> {
    const { outcome } = await this.appendEntry(appendInputOf(event));
    return outcome;
  }

  /**
   * Appends events in the order given, in one transaction: what the timeline's consumer received together (a
   * trigger's 35 events, a burst's hundreds). Each incident's chain continues in that order, exactly as one
   * {@link append} after another would continue it; an event already recorded (a redelivery), or twice in the
   * batch, is a duplicate and adds nothing. Five round trips for the batch, where one event at a time took four
   * each: lock (or create) the heads of its incidents in one order, read which events are there already, and
   * add the entries, their texts and move the heads in one statement.
   */
  async appendMany(events: readonly EventEnvelope[]): Promise<('appended' | 'duplicate')[]> {
    if (events.length <= 1) {
      return Promise.all(events.map((event) => this.append(event)));
    }
    const tables = this.tables();
    return this.asWriter(async (manager) => {
      const incidents = [...new Set(events.map((e) => e.incidentId))];
      // In one order (the incidents' ids), so two batches that share incidents cannot deadlock.
      const heads = await manager.query<{ incident_id: string; last_seq: number; last_hash: string }[]>(
        `INSERT INTO ${tables.heads} AS h ("incident_id", "last_seq", "last_hash")
         SELECT i, 0, $2 FROM unnest($1::uuid[]) AS i ORDER BY i
         ON CONFLICT ("incident_id") DO UPDATE SET "last_seq" = h."last_seq"
         RETURNING "incident_id", "last_seq", "last_hash"`,
        [incidents, GENESIS_HASH],
      );
      // Read after the heads are locked: whoever held them before has committed what it added.
      const recorded = new Set(
        (
          await manager.query<{ event_id: string }[]>(
            `SELECT "event_id" FROM ${tables.entries} WHERE "event_id" = ANY($1::uuid[])`,
            [events.map((e) => e.id)],
          )
        ).map((r) => r.event_id),
      );
      const chains = new Map(heads.map((h) => [h.incident_id, { seq: h.last_seq, hash: h.last_hash }]));
      const entries: TimelineEntryEntity[] = [];
      const texts: EntryTextEntity[] = [];
      const outcomes = events.map((event) => {
        if (recorded.has(event.id)) {
          return 'duplicate' as const;
        }
        recorded.add(event.id);
        const chain = chains.get(event.incidentId)!;
        const { entry, text } = this.newEntry(manager, appendInputOf(event), chain.seq + 1, chain.hash);
        chain.seq = entry.seq;
        chain.hash = entry.hash;
        entries.push(entry);
        if (text) {
          texts.push(
            manager.create(EntryTextEntity, {
              entryId: entry.id,
              incidentId: entry.incidentId,
              seq: entry.seq,
              fields: text,
            }),
          );
        }
        return 'appended' as const;
      });
      if (entries.length > 0) {
        const moved = new Set(entries.map((e) => e.incidentId));
        const newHeads = [...chains]
          .filter(([incidentId]) => moved.has(incidentId))
          .map(([incidentId, chain]) => ({ incident_id: incidentId, seq: chain.seq, hash: chain.hash }));
        const inserts = [
          rowsInsert(manager, TimelineEntryEntity, entries, 2)!,
          ...(texts.length > 0 ? [rowsInsert(manager, EntryTextEntity, texts, 3)!] : []),
        ];
        await manager.query(
          `${withInserts(inserts)}
           UPDATE ${tables.heads} AS h SET "last_seq" = m."seq", "last_hash" = m."hash"
           FROM jsonb_to_recordset($1::jsonb) AS m("incident_id" uuid, "seq" int, "hash" text)
           WHERE h."incident_id" = m."incident_id"`,
          [JSON.stringify(newHeads), ...inserts.map((insert) => insert.value)],
        );
      }
      return outcomes;
    });
  }

  /**
   * A log entry a team member writes ("called the family at 14:05", entered at 14:30). A correction is a new
   * entry pointing at the one it corrects; nothing is edited. `entryId` makes a retried request a no-op.
   */
  async addLogEntry(input: LogEntryInput): Promise<TimelineEntryView> {
    if (input.corrects !== undefined) {
      const target = await this.dataSource
        .getRepository(TimelineEntryEntity)
        .findOneBy({ incidentId: input.incidentId, seq: input.corrects });
      if (!target || target.type !== LOG_ENTRY_TYPE) {
        throw validationFailed(
          'corrects',
          `corrects: there is no log entry ${input.corrects} in this incident to correct`,
          `corrects: er is geen logboekregel ${input.corrects} in dit incident om te corrigeren`,
        );
      }
    }
    const { entry } = await this.appendEntry({
      incidentId: input.incidentId,
      eventId: input.entryId,
      type: LOG_ENTRY_TYPE,
      occurredAt: input.occurredAt,
      actor: input.authorId,
      drill: input.drill,
      data: {
        text: input.text,
        category: input.category,
        ...(input.corrects === undefined ? {} : { corrects: input.corrects }),
      },
      schoolId: input.schoolId,
      boardId: input.boardId,
      correlationId: input.correlationId,
    });
    return this.view(entry);
  }

  /** A finding of the evaluation; `findingId` makes a retried request one entry. */
  async addFinding(input: FindingInput): Promise<TimelineEntryView> {
    const { entry } = await this.appendEntry({
      ...this.scope(input),
      eventId: input.findingId,
      type: FINDING_TYPE,
      occurredAt: new Date().toISOString(),
      actor: input.authorId,
      data: {
        kind: input.kind,
        text: input.text,
        ...(input.proposedPlan ? { proposedPlan: input.proposedPlan } : {}),
      },
    });
    return this.view(entry);
  }

  /** The finding at `seq`, or null when there is none (or it is another kind of entry). */
  async finding(incidentId: string, seq: number): Promise<TimelineEntryView | null> {
    const found = await this.dataSource.getRepository(TimelineEntryEntity).findOneBy({ incidentId, seq });
    return found && found.type === FINDING_TYPE ? this.view(found) : null;
  }

  /** Notes on the timeline that a proposed plan change became plan version `planVersion`. */
  async recordFindingApplied(input: FindingAppliedInput): Promise<TimelineEntryView> {
    const target = await this.finding(input.incidentId, input.findingSeq);
    if (!target || target.data.kind !== 'plan-change') {
      throw validationFailed(
        'findingSeq',
        `findingSeq: there is no proposed plan change ${input.findingSeq} in this incident`,
        `findingSeq: er is geen voorgestelde planwijziging ${input.findingSeq} in dit incident`,
      );
    }
    const { entry } = await this.appendEntry({
      ...this.scope(input),
      eventId: randomUUID(),
      type: FINDING_APPLIED_TYPE,
      occurredAt: new Date().toISOString(),
      actor: input.actorId,
      data: { findingSeq: input.findingSeq, planVersion: input.planVersion },
    });
    return this.view(entry);
  }

  private scope(input: {
    incidentId: string;
    schoolId: string;
    boardId: string;
    drill: boolean;
    correlationId: string;
  }) {
    return {
      incidentId: input.incidentId,
      schoolId: input.schoolId,
      boardId: input.boardId,
      drill: input.drill,
      correlationId: input.correlationId,
    };
  }

  /** An entry of the timeline app's own records (aftercare changes); `eventId` makes a retry one entry. */
  async appendRecord(input: AppendInput): Promise<TimelineEntryView> {
    return this.view((await this.appendEntry(input)).entry);
  }

  /**
   * One entry (for a batch, see `appendMany`). Appends to one incident are serialised by the chain head's row lock.
   * Three statements in the transaction (besides the role switch): lock (or create) the head and read it; add
   * the entry, its texts and move the head in one statement, where a redelivered event (its id is unique) adds
   * nothing and moves nothing; and only then, for a duplicate, read the entry already there.
   */
  private async appendEntry(
    input: AppendInput,
  ): Promise<{ outcome: 'appended' | 'duplicate'; entry: TimelineEntryEntity }> {
    const { entries, heads, texts } = this.tables();
    return this.asWriter(async (manager) => {
      // Creates the head, or takes its row lock (the no-op update) and reads it, in one round trip.
      const [head] = await manager.query<{ last_seq: number; last_hash: string }[]>(
        `INSERT INTO ${heads} AS h ("incident_id", "last_seq", "last_hash") VALUES ($1, 0, $2)
         ON CONFLICT ("incident_id") DO UPDATE SET "last_seq" = h."last_seq"
         RETURNING "last_seq", "last_hash"`,
        [input.incidentId, GENESIS_HASH],
      );
      const { entry, text } = this.newEntry(manager, input, head!.last_seq + 1, head!.last_hash);
      const [, added] = await manager.query<[unknown[], number]>(
        `WITH e AS (
           INSERT INTO ${entries} ("id", "incident_id", "seq", "event_id", "school_id", "board_id", "type",
             "occurred_at", "recorded_at", "actor", "drill", "correlation_id", "data", "prev_hash", "hash",
             "hash_version", "text_digest")
           VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17)
           ON CONFLICT ("event_id") DO NOTHING
           RETURNING "id", "seq", "hash"
         ), t AS (
           INSERT INTO ${texts} ("entry_id", "incident_id", "seq", "fields")
           SELECT e."id", $2::uuid, e."seq", $18::jsonb FROM e WHERE $18::jsonb IS NOT NULL
         )
         UPDATE ${heads} AS h SET "last_seq" = e."seq", "last_hash" = e."hash" FROM e
          WHERE h."incident_id" = $2::uuid
         RETURNING e."id"`,
        [
          entry.id,
          entry.incidentId,
          entry.seq,
          entry.eventId,
          entry.schoolId,
          entry.boardId,
          entry.type,
          entry.occurredAt,
          entry.recordedAt,
          entry.actor,
          entry.drill,
          entry.correlationId,
          JSON.stringify(entry.data),
          entry.prevHash,
          entry.hash,
          entry.hashVersion,
          entry.textDigest,
          text ? JSON.stringify(text) : null,
        ],
      );
      if (added === 0) {
        const existing = await manager.getRepository(TimelineEntryEntity).findOneByOrFail({ eventId: input.eventId });
        return { outcome: 'duplicate' as const, entry: existing };
      }
      return { outcome: 'appended' as const, entry };
    });
  }

  /**
   * The entry that follows `prevHash` at `seq`, not yet stored, and its personal texts (kept apart, erasable):
   * version 2 of the chain covers their digest.
   */
  private newEntry(
    manager: EntityManager,
    input: AppendInput,
    seq: number,
    prevHash: string,
  ): { entry: TimelineEntryEntity; text: Record<string, unknown> | null } {
    const { structure, text } = splitText(input.data);
    const content = {
      incidentId: input.incidentId,
      seq,
      eventId: input.eventId,
      type: input.type,
      occurredAt: input.occurredAt,
      recordedAt: new Date().toISOString(),
      actor: input.actor,
      drill: input.drill,
      data: structure,
      hashVersion: 2 as const,
      textDigest: text ? textDigest(text) : null,
    };
    const entry = manager.create(TimelineEntryEntity, {
      id: randomUUID(),
      ...content,
      schoolId: input.schoolId,
      boardId: input.boardId,
      correlationId: input.correlationId,
      prevHash,
      hash: chainHash(prevHash, content),
    });
    return { entry, text: text ?? null };
  }

  private tables() {
    const path = (entity: typeof TimelineEntryEntity | typeof ChainHeadEntity | typeof EntryTextEntity) =>
      this.dataSource.getMetadata(entity).tablePath;
    return { entries: path(TimelineEntryEntity), heads: path(ChainHeadEntity), texts: path(EntryTextEntity) };
  }

  /**
   * A transaction that writes as the role that can only add entries (granted in a migration: UPDATE or DELETE is
   * refused), begun with the role switch in one round trip: every event the timeline records is one
   * transaction, and a region's burst is tens of thousands of them (BENCHMARKS.md scenario 3).
   */
  private async asWriter<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query(`START TRANSACTION; SET LOCAL ROLE ${TIMELINE_WRITER_ROLE}`);
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      // Whatever failed (the role switch, a statement, the commit), the connection goes back without a
      // transaction; a ROLLBACK outside one only warns.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The incident's entries in order, a page at a time; optionally only some types, or only the manual log. */
  async list(
    incidentId: string,
    afterSeq = 0,
    limit = 1000,
    filter: TimelineFilter = {},
  ): Promise<TimelineEntryView[]> {
    const query = this.entryColumns(this.dataSource.getRepository(TimelineEntryEntity).createQueryBuilder('e')).where(
      'e.incident_id = :incidentId AND e.seq > :afterSeq',
      { incidentId, afterSeq },
    );
    const filtered = Boolean(
      filter.manualOnly || filter.types?.length || filter.role || filter.personId || filter.phase,
    );
    if (!filtered) {
      // An incident's seqs have no gaps, so the page is exactly this range of seqs. Saying so keeps the plan
      // bounded when the table's statistics do not know the incident yet (a fresh table, or one that grew
      // during a crisis): with the limit alone PostgreSQL fetched and sorted the whole rest of the incident for
      // every page (BENCHMARKS.md scenario 5).
      query.andWhere('e.seq <= :upTo', { upTo: Math.min(afterSeq + limit, MAX_SEQ) });
    }
    if (filter.manualOnly) {
      query.andWhere('e.type = :manual', { manual: LOG_ENTRY_TYPE });
    }
    if (filter.types && filter.types.length > 0) {
      query.andWhere('e.type IN (:...types)', { types: filter.types });
    }
    if (filter.role) {
      query.andWhere(`e.data ->> 'role' = :role`, { role: filter.role });
    }
    if (filter.personId) {
      // Who did it, or whom it was about: the actor, an assignee, the person notified.
      query.andWhere(
        `(e.actor = :person OR e.data ->> 'assigneeId' = :person OR e.data ->> 'personId' = :person
          OR e.data ->> 'toAssigneeId' = :person OR e.data ->> 'fromAssigneeId' = :person)`,
        { person: filter.personId },
      );
    }
    if (filter.phase) {
      // The phase the incident was in when it happened: the last phase change before it (phase 1 at the start).
      query.andWhere(
        `coalesce((SELECT (p.data ->> 'phase')::int FROM ${this.dataSource.getRepository(TimelineEntryEntity).metadata.tablePath} p
           WHERE p.incident_id = e.incident_id AND p.type = :phaseChanged
             AND p.occurred_at::timestamptz <= e.occurred_at::timestamptz
           ORDER BY p.occurred_at::timestamptz DESC, p.seq DESC LIMIT 1), 1) = :phase`,
        { phase: filter.phase, phaseChanged: 'crisis.incident.phase-changed.v1' },
      );
    }
    const rows = await query.orderBy('e.seq', 'ASC').limit(limit).getRawMany<TimelineEntryEntity>();
    return this.views(rows);
  }

  /** Every entry of the incident, in order (for the report). */
  async all(incidentId: string): Promise<TimelineEntryView[]> {
    const rows = await this.entryColumns(this.dataSource.getRepository(TimelineEntryEntity).createQueryBuilder('e'))
      .where('e.incident_id = :incidentId', { incidentId })
      .orderBy('e.seq', 'ASC')
      .getRawMany<TimelineEntryEntity>();
    return this.views(rows);
  }

  /**
   * Selects every column of an entry under its property name, so that rows are read as plain objects: the
   * driver already gives each column its JavaScript type, and TypeORM's entity hydration tripled the time of
   * reading a long timeline (BENCHMARKS.md scenario 5).
   */
  private entryColumns(query: SelectQueryBuilder<TimelineEntryEntity>): SelectQueryBuilder<TimelineEntryEntity> {
    const columns = this.dataSource.getRepository(TimelineEntryEntity).metadata.columns;
    query.select([]);
    for (const column of columns) {
      query.addSelect(`e.${column.databaseName}`, column.propertyName);
    }
    return query;
  }

  /** Entries as people read them: the structure with its personal texts (unless they were erased). */
  private async views(rows: TimelineEntryEntity[]): Promise<TimelineEntryView[]> {
    const withText = rows.filter((r) => r.textDigest).map((r) => r.id);
    const texts =
      withText.length === 0
        ? new Map<string, Record<string, unknown>>()
        : new Map(
            (await this.dataSource.getRepository(EntryTextEntity).findBy({ entryId: In(withText) })).map((t) => [
              t.entryId,
              t.fields,
            ]),
          );
    return rows.map((r) => toView(r, texts.get(r.id)));
  }

  private async view(row: TimelineEntryEntity): Promise<TimelineEntryView> {
    return (await this.views([row]))[0]!;
  }

  /**
   * Recomputes the incident's chain. It reads in one read-only snapshot, only the columns the hash covers, as
   * plain arrays (no entity hydration, no row objects), in pages of {@link VERIFY_PAGE} seqs; the next page is on
   * its way while this one is hashed, so the database and the hashing work side by side.
   *
   * A page is a range of seqs, not "the next N after": an incident's seqs are dense, and a range keeps each
   * page's plan bounded whatever the table's statistics say. With `seq > $2 ORDER BY seq LIMIT N` and an
   * incident the statistics did not know yet (a fresh table, or one that grew during a crisis), PostgreSQL
   * chose to fetch and sort the whole rest of the incident for every page: a 100,000-entry chain took twice as
   * long (BENCHMARKS.md scenario 5).
   */
  async verify(incidentId: string): Promise<TimelineVerification> {
    const entries = this.dataSource.getRepository(TimelineEntryEntity).metadata.tablePath;
    const texts = this.dataSource.getRepository(EntryTextEntity).metadata.tablePath;
    const runner = this.dataSource.createQueryRunner();
    // The driver's own connection, for rows as arrays.
    const client = (await runner.connect()) as pg.ClientBase;
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const select = <T>(sql: string, params: unknown[]) => runner.query(sql, params) as Promise<T[]>;
      const kept = await select<{ seq: number; fields: Record<string, unknown> }>(
        `SELECT "seq", "fields" FROM ${texts} WHERE "incident_id" = $1`,
        [incidentId],
      );
      const erasures = await select<{ data: { seqs?: number[] } }>(
        `SELECT "data" FROM ${entries} WHERE "incident_id" = $1 AND "type" = $2`,
        [incidentId, TEXT_ERASED_TYPE],
      );
      const [{ last } = { last: 0 }] = await select<{ last: number }>(
        `SELECT coalesce(max("seq"), 0)::int AS "last" FROM ${entries} WHERE "incident_id" = $1`,
        [incidentId],
      );
      const verifier = new ChainVerifier({
        bySeq: new Map(kept.map((t) => [t.seq, t.fields])),
        erasedSeqs: new Set(erasures.flatMap((r) => r.data.seqs ?? [])),
      });
      const page = (afterSeq: number) =>
        client
          .query<VerifyRow>({
            text: `SELECT "seq", "event_id", "type", "occurred_at", "recorded_at", "actor", "drill", "data",
                          "hash_version", "text_digest", "prev_hash", "hash"
                     FROM ${entries}
                    WHERE "incident_id" = $1 AND "seq" > $2 AND "seq" <= $2 + ${VERIFY_PAGE}
                    ORDER BY "seq"`,
            values: [incidentId, afterSeq],
            rowMode: 'array',
          })
          .then((result) => result.rows);
      let next: Promise<VerifyRow[]> | null = last > 0 ? page(0) : null;
      let count = 0;
      for (let from = 0; next; from += VERIFY_PAGE) {
        const rows: VerifyRow[] = await next;
        count += rows.length;
        next = from + VERIFY_PAGE < last ? page(from + VERIFY_PAGE) : null;
        // Let the next page's query leave before this page is hashed (hashing does not yield).
        await new Promise<void>((resolve) => setImmediate(resolve));
        let holds = true;
        for (const [
          seq,
          eventId,
          type,
          occurredAt,
          recordedAt,
          actor,
          drill,
          data,
          hashVersion,
          digest,
          prevHash,
          hash,
        ] of rows) {
          holds = verifier.add({
            incidentId, // every row read has it: the query selects by it
            seq,
            eventId,
            type,
            occurredAt,
            recordedAt,
            actor,
            drill,
            data,
            hashVersion,
            textDigest: digest,
            prevHash,
            hash,
          });
          if (!holds) {
            break;
          }
        }
        if (!holds) {
          await next; // the page already asked for
          const [counted] = await select<{ n: number }>(
            `SELECT count(*)::int AS "n" FROM ${entries} WHERE "incident_id" = $1`,
            [incidentId],
          );
          count = counted!.n;
          break;
        }
      }
      await runner.commitTransaction();
      return verifier.result(count);
    } catch (error) {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction();
      }
      throw error;
    } finally {
      await runner.release();
    }
  }
}

/** Seqs per page when a chain is verified. */
const VERIFY_PAGE = 5000;

/** The columns the hash covers, in the order verify selects them. */
type VerifyRow = [
  seq: number,
  eventId: string,
  type: string,
  occurredAt: string,
  recordedAt: string,
  actor: string,
  drill: boolean,
  data: Record<string, unknown>,
  hashVersion: 1 | 2,
  textDigest: string | null,
  prevHash: string,
  hash: string,
];

function toView(e: TimelineEntryEntity, text?: Record<string, unknown>): TimelineEntryView {
  return {
    seq: e.seq,
    id: e.id,
    eventId: e.eventId,
    incidentId: e.incidentId,
    type: e.type,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    actor: e.actor,
    drill: e.drill,
    data: text ? { ...e.data, ...text } : e.data,
    ...(e.hashVersion === 2 && e.textDigest && !text ? { erased: true } : {}),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** What the timeline records of an event. */
function appendInputOf(event: EventEnvelope): AppendInput {
  return {
    incidentId: event.incidentId,
    eventId: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: event.actor,
    drill: event.drill,
    data: event.payload as unknown as Record<string, unknown>,
    schoolId: event.schoolId,
    boardId: event.boardId,
    correlationId: event.correlationId,
  };
}
