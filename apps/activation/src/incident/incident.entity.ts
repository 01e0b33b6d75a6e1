import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IncidentStatus =
  'reported' | 'active' | 'stabilising' | 'aftercare' | 'evaluation' | 'closed' | 'cancelled';

@Entity({ name: 'incident' })
@Index('incident_idempotency_uq', ['schoolId', 'idempotencyKey'], { unique: true })
export class IncidentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column({ name: 'calamity_type', type: 'text' }) calamityType!: string;
  @Column('text') summary!: string;
  @Column('boolean') drill!: boolean;
  @Column('text') status!: IncidentStatus;
  @Column({ name: 'idempotency_key', type: 'text' }) idempotencyKey!: string;
  @Column({ name: 'catalog_version', type: 'text' }) catalogVersion!: string;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @Column({ name: 'correlation_id', type: 'text' }) correlationId!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** The protocol phase (1–5) the leader last moved the incident to. */
  @Column('smallint') phase!: number;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
  /** The plan versions the incident started with, and the roles nobody available filled then. */
  @Column({ name: 'plan_versions', type: 'jsonb' }) planVersions!: {
    school: number | null;
    board: number | null;
    unstaffedRoles: string[];
  };
}
