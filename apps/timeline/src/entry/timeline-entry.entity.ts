import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One line of an incident's timeline. Append-only: the database role of the app cannot change it. */
@Entity({ name: 'entry' })
@Index('entry_incident_seq_uq', ['incidentId', 'seq'], { unique: true })
export class TimelineEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column('int') seq!: number;
  /** The event this entry records; unique, which makes appending idempotent. */
  @Column({ name: 'event_id', type: 'uuid', unique: true }) eventId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column('text') type!: string;
  /** Exactly as the event said (ISO text), so the hash recomputes from stored values. */
  @Column({ name: 'occurred_at', type: 'text' }) occurredAt!: string;
  @Column({ name: 'recorded_at', type: 'text' }) recordedAt!: string;
  @Column('text') actor!: string;
  @Column('boolean') drill!: boolean;
  @Column({ name: 'correlation_id', type: 'text' }) correlationId!: string;
  @Column('jsonb') data!: Record<string, unknown>;
  @Column({ name: 'prev_hash', type: 'char', length: 64 }) prevHash!: string;
  @Column({ type: 'char', length: 64 }) hash!: string;
}

/** The head of each incident's chain; its row lock serialises appends to one incident. */
@Entity({ name: 'chain_head' })
export class ChainHeadEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'last_seq', type: 'int' }) lastSeq!: number;
  @Column({ name: 'last_hash', type: 'char', length: 64 }) lastHash!: string;
}
