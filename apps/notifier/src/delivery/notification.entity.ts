import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventEnvelope, NotificationChannel } from '#lib/contracts';
import type { NotificationStatus } from './notification-status.js';

export { NOTIFICATION_STATUSES, type NotificationStatus } from './notification-status.js';

/**
 * The intent to notify one person of one task on one channel: the record of truth. A queue job only
 * carries its id; a lost job is re-driven from here.
 */
@Entity({ name: 'notification' })
@Index('notification_intent_uq', ['taskId', 'personId', 'channel', 'attempt'], { unique: true })
export class NotificationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  /** What it is about: a task, or (with `announcementId`) a message of the crisis team. */
  @Column({ name: 'task_id', type: 'uuid', nullable: true }) taskId!: string | null;
  @Column({ name: 'announcement_id', type: 'uuid', nullable: true }) announcementId!: string | null;
  /** ... or (with `aftercareItemId`) an aftercare item that is due. */
  @Column({ name: 'aftercare_item_id', type: 'uuid', nullable: true }) aftercareItemId!: string | null;
  /** The escalation chain this notification is a step of (none for announcements). */
  @Column({ name: 'chain_id', type: 'uuid', nullable: true }) chainId!: string | null;
  /** Queue priority (1 first): crisis-team tasks go before messages to all staff. */
  @Column('int') priority!: number;
  /** push-service, twilio or local-outbox. */
  @Column({ type: 'text', nullable: true }) provider!: string | null;
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
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt!: Date | null;
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
