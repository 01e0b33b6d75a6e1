import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The SMS of one notification: what went where, and the provider's id (stored straight after it answers). */
@Entity({ name: 'sms_message' })
export class SmsMessageEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'uuid' }) notificationId!: string;
  /** twilio, or local-outbox when no provider is configured (kept here, not sent). */
  @Column('text') provider!: 'twilio' | 'local-outbox';
  @Column({ name: 'to_phone', type: 'text' }) toPhone!: string;
  @Column('text') body!: string;
  @Column({ type: 'text', nullable: true, unique: true }) sid!: string | null;
  /** The provider's latest status as reported (informational; ours lives on the notification). */
  @Column({ name: 'provider_status', type: 'text', nullable: true }) providerStatus!: string | null;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A reply that came in by SMS; its Twilio MessageSid makes a replayed webhook change nothing. */
@Entity({ name: 'inbound_sms' })
export class InboundSmsEntity {
  @PrimaryColumn({ name: 'message_sid', type: 'text' }) messageSid!: string;
  @Column({ name: 'person_id', type: 'uuid', nullable: true }) personId!: string | null;
  @Column({ name: 'task_id', type: 'uuid', nullable: true }) taskId!: string | null;
  @Column('text') outcome!: string;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
}
