import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventEnvelope, NotificationChannel } from '#lib/contracts';

/** queued → sent → delivered → acknowledged, or failed / expired / unreachable. Never moves backwards. */
export type NotificationStatus =
  'queued' | 'sent' | 'delivered' | 'acknowledged' | 'failed' | 'expired' | 'unreachable';

export const TERMINAL_OR_LATER: readonly NotificationStatus[] = [
  'sent',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
  'unreachable',
];

/**
 * The intent to notify one person of one task on one channel: the record of truth. A queue job only
 * carries its id; a lost job is re-driven from here.
 */
@Entity({ name: 'notification' })
@Index('notification_intent_uq', ['taskId', 'personId', 'channel', 'attempt'], { unique: true })
export class NotificationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'task_id', type: 'uuid' }) taskId!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column('text') channel!: NotificationChannel;
  @Column('int') attempt!: number;
  @Column('text') status!: NotificationStatus;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'job_id', type: 'text', unique: true }) jobId!: string;
  /** The event that caused this notification (without its payload): tenant, drill flag, correlation. */
  @Column({ type: 'jsonb' }) cause!: Omit<EventEnvelope, 'payload'>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}

/** One try to hand a notification to one device: makes a retried job skip devices that already have it. */
@Entity({ name: 'push_attempt' })
export class PushAttemptEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'uuid' }) notificationId!: string;
  @PrimaryColumn({ name: 'subscription_id', type: 'uuid' }) subscriptionId!: string;
  @Column('text') outcome!: 'accepted' | 'gone' | 'rejected';
  @Column({ name: 'status_code', type: 'int', nullable: true }) statusCode!: number | null;
  @Column({ name: 'at', type: 'timestamptz', default: () => 'now()' }) at!: Date;
}
