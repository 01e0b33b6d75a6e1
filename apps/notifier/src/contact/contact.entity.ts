import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { NotificationChannel } from '#lib/contracts';

/** A person's phone number for SMS (E.164). Only the notifier holds contact data. */
@Entity({ name: 'contact' })
export class ContactEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ type: 'text' }) phone!: string;
  /** The person's order of channels, first tried first (default push, then SMS). */
  @Column({ name: 'channel_order', type: 'text', array: true }) channelOrder!: NotificationChannel[];
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
