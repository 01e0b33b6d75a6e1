import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One entry of the sociale kaart: a board default (school and incident empty), a school's own addition, or an
 * incident's (the family's funeral contact).
 */
@Entity({ name: 'social_map_entry' })
export class SocialMapEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column({ name: 'school_id', type: 'uuid', nullable: true }) schoolId!: string | null;
  @Column({ name: 'incident_id', type: 'uuid', nullable: true }) incidentId!: string | null;
  @Column('text') party!: string;
  @Column('text') name!: string;
  @Column('text') phone!: string;
  @Column({ name: 'phone_alt', type: 'text', nullable: true }) phoneAlt!: string | null;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'updated_by', type: 'text' }) updatedBy!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A call to an outside party during an incident, with its outcome, logged from a task or the incident. */
@Entity({ name: 'party_contact' })
export class PartyContactEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column('text') party!: string;
  @Column({ name: 'entry_id', type: 'uuid', nullable: true }) entryId!: string | null;
  @Column({ name: 'task_id', type: 'uuid', nullable: true }) taskId!: string | null;
  @Column({ name: 'contacted_at', type: 'timestamptz' }) contactedAt!: Date;
  @Column('text') outcome!: string;
  @Column({ name: 'logged_by', type: 'uuid' }) loggedBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
