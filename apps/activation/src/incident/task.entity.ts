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
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
