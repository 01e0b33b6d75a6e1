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
}

/** A person's role at one school. */
@Entity({ name: 'membership' })
export class MembershipEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' }) personId!: string;
  @PrimaryColumn({ name: 'school_id', type: 'uuid' }) schoolId!: string;
  @Column('text') role!: AppRole;
}
