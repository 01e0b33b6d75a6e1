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
  /** 1: texts inside `data`; 2: texts apart in entry_text, covered by `textDigest`. */
  @Column({ name: 'hash_version', type: 'int' }) hashVersion!: 1 | 2;
  @Column({ name: 'text_digest', type: 'char', length: 64, nullable: true }) textDigest!: string | null;
}

/** The head of each incident's chain; its row lock serialises appends to one incident. */
@Entity({ name: 'chain_head' })
export class ChainHeadEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'last_seq', type: 'int' }) lastSeq!: number;
  @Column({ name: 'last_hash', type: 'char', length: 64 }) lastHash!: string;
}

/** The personal texts of a version-2 entry: erasable after the retention period, never editable. */
@Entity({ name: 'entry_text' })
export class EntryTextEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' }) entryId!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column('int') seq!: number;
  @Column('jsonb') fields!: Record<string, unknown>;
}

/** How long a board keeps the personal texts of an ended incident. */
@Entity({ name: 'retention_policy' })
export class RetentionPolicyEntity {
  @PrimaryColumn({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column({ name: 'retention_days', type: 'int' }) retentionDays!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'updated_by', type: 'uuid' }) updatedBy!: string;
}
