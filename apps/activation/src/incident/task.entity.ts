import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TaskStatus = 'pending' | 'notified' | 'acknowledged' | 'done' | 'reassigned' | 'not_applicable';

@Entity({ name: 'task' })
@Index('task_assignee_idx', ['assigneeId', 'status'])
export class TaskEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'template_id', type: 'text' }) templateId!: string;
  @Column('text') role!: string;
  /** Null when the school's plan has nobody for the role: reported at trigger time, never silently dropped. */
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId!: string | null;
  @Column('text') status!: TaskStatus;
  @Column({ name: 'title_nl', type: 'text' }) titleNl!: string;
  @Column({ name: 'title_en', type: 'text' }) titleEn!: string;
  @Column('smallint') phase!: number;
  @Column('text') priority!: 'critical' | 'high' | 'normal';
  @Column({ name: 'ack_required', type: 'boolean' }) ackRequired!: boolean;
  @Column({ name: 'instruction_nl', type: 'text' }) instructionNl!: string;
  @Column({ name: 'instruction_en', type: 'text' }) instructionEn!: string;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  /** When the assignee is told; a task due days after the trigger is announced a lead time before. */
  @Column({ name: 'announce_at', type: 'timestamptz' }) announceAt!: Date;
  @Column({ name: 'announced_at', type: 'timestamptz', nullable: true }) announcedAt!: Date | null;
  @Column({ name: 'overdue_at', type: 'timestamptz', nullable: true }) overdueAt!: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt!: Date | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
