import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AnnouncementAudience } from '#lib/contracts';

/** A message of the crisis team to an audience. The text is read in the app; push and SMS carry a link. */
@Entity({ name: 'announcement' })
export class AnnouncementEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column('text') audience!: AnnouncementAudience;
  @Column({ type: 'text', nullable: true }) role!: string | null;
  @Column('text') text!: string;
  @Column({ name: 'author_id', type: 'uuid' }) authorId!: string;
  @Column('boolean') drill!: boolean;
  @Column('int') recipients!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
