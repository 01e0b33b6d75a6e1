import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EventEnvelope, NotificationChannel } from '#lib/contracts';
import type { ChainState } from './escalation-policy.js';

/**
 * One escalation chain: how Crisisklaar keeps at one person until a task is picked up (or, for an announcement,
 * until it reached them). PostgreSQL holds the truth of every wait (`deadline`); the delayed queue job only
 * makes it fast, and the reconciler rebuilds lost jobs from here.
 */
@Entity({ name: 'escalation' })
export class EscalationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'task_id', type: 'uuid', nullable: true }) taskId!: string | null;
  @Column({ name: 'announcement_id', type: 'uuid', nullable: true }) announcementId!: string | null;
  @Column({ name: 'aftercare_item_id', type: 'uuid', nullable: true }) aftercareItemId!: string | null;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  /** The event that started the chain (an assignment, a reassignment, an announcement): one chain per event. */
  @Column({ name: 'cause_event_id', type: 'uuid', unique: true }) causeEventId!: string;
  @Column('text') priority!: 'critical' | 'high' | 'normal';
  @Column({ name: 'ack_required', type: 'boolean' }) ackRequired!: boolean;
  /** The channels in the person's order of preference; `step` is the index of the one being tried. */
  @Column({ type: 'text', array: true }) channels!: NotificationChannel[];
  @Column('int') step!: number;
  @Column('text') state!: ChainState;
  /** When the current wait for an acknowledgement ends (null when nothing is awaited). */
  @Column({ type: 'timestamptz', nullable: true }) deadline!: Date | null;
  /** The causing event without its payload: tenant, drill flag, correlation. */
  @Column({ type: 'jsonb' }) cause!: Omit<EventEnvelope, 'payload'>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'ended_reason', type: 'text', nullable: true }) endedReason!: string | null;
}

/**
 * "Stop notifying": an acknowledgement, a finished or moved task, a closed incident. Kept because events of
 * different subjects may arrive in any order: an acknowledgement that overtakes its assignment must still win.
 */
@Entity({ name: 'stop_signal' })
export class StopSignalEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  /** Null: every task of the incident. */
  @Column({ name: 'task_id', type: 'uuid', nullable: true }) taskId!: string | null;
  /** Null: whoever is notified. */
  @Column({ name: 'person_id', type: 'uuid', nullable: true }) personId!: string | null;
  @Column('text') reason!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
}
