import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { SessionEntity } from './session.entities.js';

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

export interface IssuedRefresh {
  sessionId: string;
  refreshToken: string;
  expiresAt: Date;
}

/** How long a refresh token that was just replaced still answers "try again" instead of "stolen". */
const ROTATION_GRACE_MS = 10_000;

/**
 * Sessions: one per login on a device. A refresh token is `<session id>.<secret>`; only a hash of the secret is
 * kept, and every refresh replaces it. A replaced token used again after a short grace means it was copied: the
 * session is revoked.
 */
@Injectable()
export class SessionService {
  private readonly log = new Logger(SessionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ttlMs: number,
    private readonly graceMs = ROTATION_GRACE_MS,
  ) {}

  async create(personId: string, userAgent: string | null): Promise<IssuedRefresh> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.dataSource.getRepository(SessionEntity).insert({
      id,
      personId,
      refreshHash: digest(secret),
      previousHash: null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      revokedAt: null,
      revokedReason: null,
      userAgent: userAgent?.slice(0, 300) ?? null,
    });
    return { sessionId: id, refreshToken: `${id}.${secret}`, expiresAt };
  }

  /** A new refresh token for a valid one, with the session's person; null for anything else. */
  async rotate(refreshToken: string): Promise<(IssuedRefresh & { personId: string }) | null> {
    const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(refreshToken);
    if (!match) {
      return null;
    }
    const [, id, secret] = match as unknown as [string, string, string];
    return this.dataSource.transaction(async (manager) => {
      const session = await manager
        .getRepository(SessionEntity)
        .createQueryBuilder('s')
        .where('s.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      const now = new Date();
      if (!session || session.revokedAt || session.expiresAt <= now) {
        return null;
      }
      const hash = digest(secret);
      if (hash !== session.refreshHash) {
        if (hash === session.previousHash && now.getTime() - session.lastUsedAt.getTime() > this.graceMs) {
          await manager.update(SessionEntity, { id }, { revokedAt: now, revokedReason: 'refresh-token-reused' });
          this.log.warn(`session ${id} revoked: a replaced refresh token was used again`);
        }
        return null;
      }
      const next = randomBytes(32).toString('base64url');
      await manager.update(SessionEntity, { id }, { refreshHash: digest(next), previousHash: hash, lastUsedAt: now });
      return { sessionId: id, refreshToken: `${id}.${next}`, expiresAt: session.expiresAt, personId: session.personId };
    });
  }

  async isActive(sessionId: string): Promise<boolean> {
    const session = await this.dataSource
      .getRepository(SessionEntity)
      .findOne({ where: { id: sessionId }, select: { id: true, revokedAt: true, expiresAt: true } });
    return !!session && !session.revokedAt && session.expiresAt > new Date();
  }

  /**
   * Ends one session. `removeDevices`: its push devices are to be removed too (a logout); the session keeps saying
   * so until {@link devicesRemoved}, so a notifier that did not answer is asked again later.
   */
  async revoke(sessionId: string, reason: string, { removeDevices = false } = {}): Promise<void> {
    await this.dataSource
      .getRepository(SessionEntity)
      .update(
        { id: sessionId, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: reason, ...(removeDevices ? { devicesPending: true } : {}) },
      );
  }

  /** The notifier confirmed that the session's push devices are gone. */
  async devicesRemoved(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).update({ id: sessionId }, { devicesPending: false });
  }

  /** Ended sessions whose push devices are still to be removed, oldest first. */
  async pendingDeviceRemovals(limit = 100): Promise<{ sessionId: string; personId: string }[]> {
    const rows = await this.dataSource.getRepository(SessionEntity).find({
      where: { devicesPending: true },
      select: { id: true, personId: true },
      order: { revokedAt: 'ASC' },
      take: limit,
    });
    return rows.map((r) => ({ sessionId: r.id, personId: r.personId }));
  }

  /** Every open session of a person (a lost phone): their access tokens stop working at once. */
  async revokeAll(personId: string, reason: string): Promise<number> {
    const result = await this.dataSource
      .getRepository(SessionEntity)
      .update({ personId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
    return result.affected ?? 0;
  }
}
