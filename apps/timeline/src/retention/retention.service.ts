import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import { EventSubject } from '#lib/contracts';
import { rpcError } from '#lib/platform';
import { AftercareItemEntity } from '../aftercare/aftercare-item.entity.js';
import { EntryTextEntity, RetentionPolicyEntity, TimelineEntryEntity } from '../entry/timeline-entry.entity.js';
import { TEXT_ERASED_TYPE, TimelineService } from '../entry/timeline.service.js';

/** Without a board policy: five years after the incident ended. */
export const DEFAULT_RETENTION_DAYS = 5 * 365;
const DAY_MS = 24 * 3_600_000;

export interface RetentionView {
  boardId: string;
  retentionDays: number;
  isDefault: boolean;
}

/**
 * Privacy over time: a board sets how long the personal texts of an ended incident are kept; after that they
 * can be erased. The erasure is itself an entry (naming the entries whose texts went), written before the
 * texts are deleted, so the chain verifies at every moment; the structure (who, what, when) stays.
 */
@Injectable()
export class RetentionService {
  private readonly log = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly timeline: TimelineService,
  ) {}

  async policy(boardId: string): Promise<RetentionView> {
    const found = await this.dataSource.getRepository(RetentionPolicyEntity).findOneBy({ boardId });
    return found
      ? { boardId, retentionDays: found.retentionDays, isDefault: false }
      : { boardId, retentionDays: DEFAULT_RETENTION_DAYS, isDefault: true };
  }

  async setPolicy(boardId: string, retentionDays: number, actorId: string): Promise<RetentionView> {
    await this.dataSource
      .getRepository(RetentionPolicyEntity)
      .upsert({ boardId, retentionDays, updatedAt: new Date(), updatedBy: actorId }, ['boardId']);
    return { boardId, retentionDays, isDefault: false };
  }

  /** Erases the incident's personal texts, once its retention period has passed; answers what was erased. */
  async erase(
    incidentId: string,
    actorId: string,
    correlationId: string,
    now = new Date(),
  ): Promise<{ erased: number; entrySeq: number | null }> {
    const entries = this.dataSource.getRepository(TimelineEntryEntity);
    const first = await entries.findOne({ where: { incidentId }, order: { seq: 'ASC' } });
    const ended = await entries.findOne({
      where: { incidentId, type: In([EventSubject.IncidentClosed, EventSubject.IncidentCancelled]) },
      order: { seq: 'ASC' },
    });
    if (!first || !ended) {
      throw rpcError({
        statusCode: 409,
        code: 'INCIDENT_NOT_ENDED',
        message: 'Only the texts of an ended incident can be erased',
        messageNl: 'Alleen de teksten van een afgesloten incident kunnen worden gewist',
      });
    }
    const { retentionDays } = await this.policy(first.boardId);
    const until = new Date(Date.parse(ended.occurredAt) + retentionDays * DAY_MS);
    if (until > now) {
      throw rpcError({
        statusCode: 409,
        code: 'RETENTION_NOT_REACHED',
        message: `The board keeps these texts until ${until.toISOString()}`,
        messageNl: `Het bestuur bewaart deze teksten tot ${until.toISOString()}`,
      });
    }
    const texts = await this.dataSource.getRepository(EntryTextEntity).findBy({ incidentId });
    if (texts.length === 0) {
      return { erased: 0, entrySeq: null };
    }
    const seqs = texts.map((t) => t.seq).sort((a, b) => a - b);
    // First the record of the erasure (so the chain never misses texts it cannot account for), then the texts.
    const record = await this.timeline.appendRecord({
      incidentId,
      schoolId: first.schoolId,
      boardId: first.boardId,
      drill: first.drill,
      eventId: randomUUID(),
      type: TEXT_ERASED_TYPE,
      occurredAt: now.toISOString(),
      actor: actorId,
      correlationId,
      data: { seqs, count: seqs.length, basis: 'retention', retentionDays },
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(EntryTextEntity, { incidentId, seq: In(seqs) });
      await manager.update(AftercareItemEntity, { incidentId }, { subject: null, note: null, updatedAt: now });
    });
    this.log.log(`erased the personal texts of ${seqs.length} entr(y/ies) of incident ${incidentId} (retention)`);
    return { erased: seqs.length, entrySeq: record.seq };
  }
}
