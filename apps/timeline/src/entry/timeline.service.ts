import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EventEnvelope, TimelineEntryView, TimelineVerification } from '#lib/contracts';
import { chainHash, GENESIS_HASH, verifyChain } from './hash-chain.js';
import { ChainHeadEntity, TimelineEntryEntity } from './timeline-entry.entity.js';

/** The timeline's one write entry point: every entry comes in through `append`. */
@Injectable()
export class TimelineService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends the event to its incident's chain, exactly once: a redelivered event (same id) is a no-op.
   * Appends to one incident are serialised by the chain head's row lock.
   */
  async append(event: EventEnvelope): Promise<'appended' | 'duplicate'> {
    return this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(ChainHeadEntity)
        .values({ incidentId: event.incidentId, lastSeq: 0, lastHash: GENESIS_HASH })
        .orIgnore()
        .execute();
      const head = await manager
        .getRepository(ChainHeadEntity)
        .createQueryBuilder('h')
        .setLock('pessimistic_write')
        .where('h.incident_id = :id', { id: event.incidentId })
        .getOneOrFail();
      if (await manager.getRepository(TimelineEntryEntity).existsBy({ eventId: event.id })) {
        return 'duplicate';
      }
      const content = {
        incidentId: event.incidentId,
        seq: head.lastSeq + 1,
        eventId: event.id,
        type: event.type,
        occurredAt: event.occurredAt,
        recordedAt: new Date().toISOString(),
        actor: event.actor,
        drill: event.drill,
        data: event.payload as unknown as Record<string, unknown>,
      };
      const hash = chainHash(head.lastHash, content);
      await manager.save(
        manager.create(TimelineEntryEntity, {
          id: randomUUID(),
          ...content,
          schoolId: event.schoolId,
          boardId: event.boardId,
          correlationId: event.correlationId,
          prevHash: head.lastHash,
          hash,
        }),
      );
      await manager.update(ChainHeadEntity, { incidentId: event.incidentId }, { lastSeq: content.seq, lastHash: hash });
      return 'appended';
    });
  }

  async list(incidentId: string, afterSeq = 0, limit = 1000): Promise<TimelineEntryView[]> {
    const rows = await this.dataSource
      .getRepository(TimelineEntryEntity)
      .createQueryBuilder('e')
      .where('e.incident_id = :incidentId AND e.seq > :afterSeq', { incidentId, afterSeq })
      .orderBy('e.seq', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(toView);
  }

  async verify(incidentId: string): Promise<TimelineVerification> {
    const rows = await this.dataSource
      .getRepository(TimelineEntryEntity)
      .find({ where: { incidentId }, order: { seq: 'ASC' } });
    return verifyChain(rows);
  }
}

function toView(e: TimelineEntryEntity): TimelineEntryView {
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
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
