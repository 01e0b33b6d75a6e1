import { Inject, Injectable } from '@nestjs/common';
import { RateLimiter, tooMany } from './rate-limiter.js';

export const SMS_SENDS_PER_HOUR = Symbol('SMS_SENDS_PER_HOUR');

/**
 * What one person may send that fans out to push and SMS (announcements, released staff messages, the press
 * instruction): a budget per hour, so a stolen account or a stuck button cannot run up the SMS bill.
 */
@Injectable()
export class SendBudget {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(SMS_SENDS_PER_HOUR) private readonly perHour: number,
  ) {}

  async charge(personId: string): Promise<void> {
    const { allowed, retryAfterSeconds } = await this.limiter.hit(`send:person:${personId}`, {
      limit: this.perHour,
      windowSeconds: 3600,
    });
    if (!allowed) {
      throw tooMany(retryAfterSeconds, {
        en: 'You sent many messages to staff this hour',
        nl: 'Je hebt dit uur veel berichten naar het personeel gestuurd',
      });
    }
  }
}
