import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A browser's push subscription (one per device). Only the notifier holds these. */
@Entity({ name: 'push_subscription' })
@Index('push_subscription_person_idx', ['personId'])
export class PushSubscriptionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ type: 'text', unique: true }) endpoint!: string;
  @Column('text') p256dh!: string;
  @Column('text') auth!: string;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent!: string | null;
  /** The gateway session (login on this device) it was registered from; logging out there removes it. */
  @Column({ name: 'session_id', type: 'uuid', nullable: true }) sessionId!: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
