import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A login on one device. The access tokens of a session name it (`sid`), so revoking the session stops them at
 * once; the refresh token is stored as a hash and rotates on every use (the previous hash is kept to notice a
 * stolen token being replayed: that revokes the session).
 */
@Entity({ name: 'session' })
export class SessionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ name: 'refresh_hash', type: 'text' }) refreshHash!: string;
  @Column({ name: 'previous_hash', type: 'text', nullable: true }) previousHash!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz' }) lastUsedAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'revoked_reason', type: 'text', nullable: true }) revokedReason!: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent!: string | null;
  /** Ended by a logout whose push devices the notifier has not yet confirmed removed (retried until it has). */
  @Column({ name: 'devices_pending', type: 'boolean', default: false }) devicesPending!: boolean;
}

/** A password that was right, waiting for the one-time SMS code of a crisis-team account. */
@Entity({ name: 'login_challenge' })
export class LoginChallengeEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'person_id', type: 'uuid' }) personId!: string;
  @Column({ name: 'code_hash', type: 'text' }) codeHash!: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column('int') attempts!: number;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A fixed-window counter (login attempts per account and per address, SMS sent per person). */
@Entity({ name: 'rate_limit' })
export class RateLimitEntity {
  @PrimaryColumn('text') key!: string;
  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' }) windowStart!: Date;
  @Column('int') count!: number;
}

export const SESSION_ENTITIES = [SessionEntity, LoginChallengeEntity, RateLimitEntity];
