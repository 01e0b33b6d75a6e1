import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AftercareKind, AftercareReferral, AftercareState } from '#lib/contracts';

/** One aftercare item of an incident. Its changes are also written on the incident's timeline. */
@Entity({ name: 'aftercare_item' })
export class AftercareItemEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column('boolean') drill!: boolean;
  /** The schedule's key (`check-in-week-1`), or `custom-<id>` for an item the team added. */
  @Column('text') key!: string;
  @Column('text') kind!: AftercareKind;
  @Column({ name: 'title_nl', type: 'text' }) titleNl!: string;
  @Column({ name: 'title_en', type: 'text' }) titleEn!: string;
  /** The care reference the school understands; kept out of push and SMS. */
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ name: 'owner_id', type: 'uuid', nullable: true }) ownerId!: string | null;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  @Column('text') state!: AftercareState;
  @Column({ name: 'referred_to', type: 'text', nullable: true }) referredTo!: AftercareReferral | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'notified_at', type: 'timestamptz', nullable: true }) notifiedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
