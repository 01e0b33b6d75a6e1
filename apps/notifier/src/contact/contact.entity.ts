import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person's phone number for SMS (E.164). Only the notifier holds contact data. */
@Entity({ name: 'contact' })
export class ContactEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ type: 'text' }) phone!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
