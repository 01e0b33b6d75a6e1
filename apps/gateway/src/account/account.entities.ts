import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AppRole } from '#lib/demo';

@Entity({ name: 'board' })
export class BoardEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
}

@Entity({ name: 'school' })
export class SchoolEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'board_id', type: 'uuid' }) boardId!: string;
  @Column('text') name!: string;
  @Column('text') sector!: 'po' | 'vo' | 'mbo';
}

/** A person who can log in. The person id is the one every app uses for them. */
@Entity({ name: 'account' })
export class AccountEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ type: 'text', unique: true }) email!: string;
  @Column('text') name!: string;
  /** scrypt, memory-hard: `scrypt$N$r$p$salt$hash`. */
  @Column({ name: 'password_hash', type: 'text', nullable: true }) passwordHash!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  /** Set by an admin: no login, no session, no push device until enabled again. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt!: Date | null;
  @Column({ name: 'disabled_by', type: 'uuid', nullable: true }) disabledBy!: string | null;
  @Column({ name: 'disabled_reason', type: 'text', nullable: true }) disabledReason!: string | null;
}

/** Who disabled or enabled an account, when, at which school and why (append-only). */
@Entity({ name: 'account_audit' })
export class AccountAuditEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column('text') action!: 'disabled' | 'enabled';
  @Column({ name: 'actor_id', type: 'uuid' }) actorId!: string;
  @Column({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
}

/** A person's role at one school. */
@Entity({ name: 'membership' })
export class MembershipEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' }) personId!: string;
  @PrimaryColumn({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column('text') role!: AppRole;
}
