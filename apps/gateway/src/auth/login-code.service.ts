import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RpcPattern } from '#lib/contracts';
import { ApiError } from '../common/api-error.js';
import { RpcClient } from '../common/rpc.client.js';
import { LoginChallengeEntity } from './session.entities.js';
import { TokenService } from './token.service.js';

/** A code is valid this long (the maximum: ten minutes). */
export const LOGIN_CODE_MINUTES = 10;
/** Wrong codes allowed for one challenge; then a new login is needed. */
export const LOGIN_CODE_ATTEMPTS = 5;

const codeError = (code: string, message: string, messageNl: string, statusCode = 401) =>
  new ApiError({ statusCode, code, message, messageNl, field: 'code' });

/**
 * The second factor of crisis-team accounts: a six-digit code by SMS, used once, valid ten minutes, five tries.
 * Only an HMAC of the code is stored. A challenge belongs to one correct password; the code alone logs nobody in.
 */
@Injectable()
export class LoginCodeService {
  private readonly pepper: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rpc: RpcClient,
    tokens: TokenService,
  ) {
    this.pepper = tokens.derivedKey('login-code');
  }

  private hash(challengeId: string, code: string): string {
    return createHmac('sha256', this.pepper).update(`${challengeId}:${code}`).digest('base64url');
  }

  /** Sends a new code to the person's phone; answers the challenge id and a hint of the number. */
  async start(personId: string): Promise<{ challengeId: string; phoneHint: string | null; expiresAt: Date }> {
    const challengeId = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + LOGIN_CODE_MINUTES * 60_000);
    await this.dataSource.getRepository(LoginChallengeEntity).insert({
      id: challengeId,
      personId,
      codeHash: this.hash(challengeId, code),
      expiresAt,
      attempts: 0,
      usedAt: null,
      createdAt: now,
    });
    const sent = await this.rpc.call(RpcPattern.SendLoginCode, { personId, code, validMinutes: LOGIN_CODE_MINUTES });
    if (sent.outcome === 'no-phone') {
      throw new ApiError({
        statusCode: 409,
        code: 'NO_PHONE_FOR_CODE',
        message: 'Your account needs a login code by SMS, but has no phone number: ask your school’s admin',
        messageNl: 'Je account heeft een inlogcode per sms nodig, maar er is geen telefoonnummer: vraag de beheerder',
      });
    }
    if (sent.outcome === 'kept-locally' || sent.outcome === 'failed') {
      throw new ApiError({
        statusCode: 503,
        code: 'LOGIN_CODE_NOT_SENT',
        message: 'The login code could not be sent by SMS; try again shortly',
        messageNl: 'De inlogcode kon niet per sms worden verstuurd; probeer het zo opnieuw',
      });
    }
    return { challengeId, phoneHint: sent.phoneHint, expiresAt };
  }

  /**
   * The person of a challenge whose code is right; the challenge is used up. A wrong code is counted in its own
   * committed transaction before the refusal, so the limit holds however often someone tries.
   */
  async verify(challengeId: string, code: string): Promise<string> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const challenge = await manager
        .getRepository(LoginChallengeEntity)
        .createQueryBuilder('c')
        .where('c.id = :id', { id: challengeId })
        .setLock('pessimistic_write')
        .getOne();
      if (!challenge || challenge.usedAt || challenge.expiresAt <= new Date()) {
        return { result: 'expired' as const };
      }
      if (challenge.attempts >= LOGIN_CODE_ATTEMPTS) {
        return { result: 'locked' as const };
      }
      const expected = Buffer.from(challenge.codeHash);
      const given = Buffer.from(this.hash(challenge.id, code));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        await manager.update(LoginChallengeEntity, { id: challenge.id }, { attempts: challenge.attempts + 1 });
        return { result: 'wrong' as const, left: LOGIN_CODE_ATTEMPTS - challenge.attempts - 1 };
      }
      await manager.update(LoginChallengeEntity, { id: challenge.id }, { usedAt: new Date() });
      return { result: 'ok' as const, personId: challenge.personId };
    });
    switch (outcome.result) {
      case 'ok':
        return outcome.personId;
      case 'expired':
        throw codeError(
          'CODE_EXPIRED',
          'This code is no longer valid: log in again for a new one',
          'Deze code is niet meer geldig: log opnieuw in voor een nieuwe',
        );
      case 'locked':
        throw codeError(
          'TOO_MANY_ATTEMPTS',
          'Too many wrong codes: log in again for a new one',
          'Te vaak een verkeerde code: log opnieuw in voor een nieuwe',
          429,
        );
      case 'wrong':
        throw codeError(
          'INVALID_CODE',
          `Wrong code (${outcome.left} tries left)`,
          `Verkeerde code (nog ${outcome.left} pogingen)`,
        );
    }
  }
}
