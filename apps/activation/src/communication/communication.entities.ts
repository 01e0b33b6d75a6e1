import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CoreFacts, MessageAudience, MessageLanguage, MessageState } from '#lib/contracts';

/** A message of an incident: the core message, or one derived from it for an audience. The current version's text is here too. */
@Entity({ name: 'message' })
export class MessageEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column('text') audience!: MessageAudience;
  @Column('text') language!: MessageLanguage;
  @Column('text') state!: MessageState;
  @Column('int') version!: number;
  @Column('text') title!: string;
  @Column('text') body!: string;
  @Column({ type: 'jsonb', nullable: true }) facts!: CoreFacts | null;
  @Column({ name: 'includes_photo', type: 'boolean' }) includesPhoto!: boolean;
  @Column({ name: 'includes_address', type: 'boolean' }) includesAddress!: boolean;
  @Column({ name: 'based_on_core_version', type: 'int', nullable: true }) basedOnCoreVersion!: number | null;
  @Column({ name: 'approved_version', type: 'int', nullable: true }) approvedVersion!: number | null;
  @Column({ name: 'approved_by', type: 'uuid', nullable: true }) approvedBy!: string | null;
  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true }) approvedAt!: Date | null;
  @Column({ name: 'approved_checklist', type: 'text', array: true, default: () => "'{}'" })
  approvedChecklist!: string[];
  @Column({ name: 'family_approved_version', type: 'int', nullable: true }) familyApprovedVersion!: number | null;
  @Column({ name: 'family_approved_by', type: 'uuid', nullable: true }) familyApprovedBy!: string | null;
  @Column({ name: 'family_approved_at', type: 'timestamptz', nullable: true }) familyApprovedAt!: Date | null;
  @Column({ name: 'family_approval_note', type: 'text', nullable: true }) familyApprovalNote!: string | null;
  @Column({ name: 'released_version', type: 'int', nullable: true }) releasedVersion!: number | null;
  @Column({ name: 'released_at', type: 'timestamptz', nullable: true }) releasedAt!: Date | null;
  @Column({ name: 'released_by', type: 'uuid', nullable: true }) releasedBy!: string | null;
  @Column({ name: 'release_via', type: 'text', nullable: true }) releaseVia!: 'app' | 'export' | null;
  @Column({ name: 'release_channel', type: 'text', nullable: true }) releaseChannel!: string | null;
  @Column({ name: 'release_note', type: 'text', nullable: true }) releaseNote!: string | null;
  @Column({ name: 'release_recipients', type: 'int', nullable: true }) releaseRecipients!: number | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'created_by', type: 'uuid' }) createdBy!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Every version of a message, never edited: what was written, by whom, when. */
@Entity({ name: 'message_version' })
export class MessageVersionEntity {
  @PrimaryColumn({ name: 'message_id', type: 'uuid' }) messageId!: string;
  @PrimaryColumn('int') version!: number;
  @Column('text') title!: string;
  @Column('text') body!: string;
  @Column({ type: 'jsonb', nullable: true }) facts!: CoreFacts | null;
  @Column({ name: 'author_id', type: 'uuid' }) authorId!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** What the family agreed (and, after a threat, the police and the board): one row per incident, versioned. */
@Entity({ name: 'communication_agreement' })
export class AgreementEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column('int') version!: number;
  @Column({ name: 'may_share', type: 'text', nullable: true }) mayShare!: string | null;
  @Column({ name: 'photo_consent', type: 'boolean', nullable: true }) photoConsent!: boolean | null;
  @Column({ name: 'address_consent', type: 'boolean', nullable: true }) addressConsent!: boolean | null;
  @Column({ type: 'text', nullable: true }) funeral!: string | null;
  @Column({ type: 'text', nullable: true }) condolence!: string | null;
  @Column({ name: 'class_participation', type: 'text', nullable: true }) classParticipation!: string | null;
  @Column({ name: 'police_agreed', type: 'text', nullable: true }) policeAgreed!: string | null;
  @Column({ name: 'board_agreed', type: 'text', nullable: true }) boardAgreed!: string | null;
  @Column({ name: 'updated_by', type: 'uuid' }) updatedBy!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A contact moment of the family liaison with the family. */
@Entity({ name: 'family_contact' })
export class FamilyContactEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'contact_at', type: 'timestamptz' }) contactAt!: Date;
  @Column({ name: 'logged_by', type: 'uuid' }) loggedBy!: string;
  @Column('text') note!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** The spokesperson the leader named for an incident (otherwise the plan's first available one). */
@Entity({ name: 'press_desk' })
export class PressDeskEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'spokesperson_id', type: 'uuid' }) spokespersonId!: string;
  @Column({ name: 'set_by', type: 'uuid' }) setBy!: string;
  @Column({ name: 'set_at', type: 'timestamptz' }) setAt!: Date;
}

/** The press log: who asked what, what was answered, when. */
@Entity({ name: 'press_entry' })
export class PressEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'asked_at', type: 'timestamptz' }) askedAt!: Date;
  @Column({ name: 'asked_by', type: 'text' }) askedBy!: string;
  @Column('text') question!: string;
  @Column({ type: 'text', nullable: true }) answer!: string | null;
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true }) answeredAt!: Date | null;
  @Column({ name: 'logged_by', type: 'uuid' }) loggedBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const COMMUNICATION_ENTITIES = [
  MessageEntity,
  MessageVersionEntity,
  AgreementEntity,
  FamilyContactEntity,
  PressDeskEntity,
  PressEntryEntity,
];
