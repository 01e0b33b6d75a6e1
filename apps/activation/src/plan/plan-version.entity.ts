import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PlanContent } from './plan-content.js';

export type PlanScope = 'school' | 'board';

/**
 * One version of a crisis plan. Every change is a new version; an incident keeps the versions it started
 * with, so a later change never rewrites history.
 */
@Entity({ name: 'plan_version' })
@Index('plan_version_uq', ['scope', 'ownerId', 'version'], { unique: true })
export class PlanVersionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') scope!: PlanScope;
  /** The school's id, or the board's. */
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column('int') version!: number;
  @Column('jsonb') content!: PlanContent;
  @Column({ name: 'created_by', type: 'text' }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
