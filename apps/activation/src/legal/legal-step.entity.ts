import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LegalStep } from './legal-chain.js';

/** One recorded step of an incident's legal chain, with when it happened and when it was recorded. */
@Entity({ name: 'legal_step' })
export class LegalStepEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @PrimaryColumn('text') step!: LegalStep;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ name: 'recorded_by', type: 'uuid' }) recordedBy!: string;
  @Column('text') note!: string;
  @Column({ name: 'reasonable_suspicion', type: 'boolean', nullable: true }) reasonableSuspicion!: boolean | null;
}
