import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PushSubscriptionEntity } from './push-subscription.entity.js';
import type { RegisterPushSubscriptionCommand } from './push-subscription.commands.js';

@Injectable()
export class PushSubscriptionService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Registers a device. The endpoint identifies the device: registering it again (a new login on the same
   * phone, possibly by someone else) moves it to the new person and session and refreshes its keys.
   */
  async register(command: RegisterPushSubscriptionCommand): Promise<{ id: string; created: boolean }> {
    const repo = this.dataSource.getRepository(PushSubscriptionEntity);
    const existing = await repo.findOneBy({ endpoint: command.subscription.endpoint });
    const values = {
      personId: command.personId,
      p256dh: command.subscription.keys.p256dh,
      auth: command.subscription.keys.auth,
      userAgent: command.userAgent ?? null,
      sessionId: command.sessionId ?? null,
      expiresAt: command.subscription.expirationTime ? new Date(command.subscription.expirationTime) : null,
    };
    if (existing) {
      await repo.update({ id: existing.id }, values);
      return { id: existing.id, created: false };
    }
    const id = randomUUID();
    await repo.insert({ id, endpoint: command.subscription.endpoint, ...values });
    return { id, created: true };
  }

  async remove(personId: string, endpoint: string): Promise<{ removed: boolean }> {
    const result = await this.dataSource.getRepository(PushSubscriptionEntity).delete({ personId, endpoint });
    return { removed: (result.affected ?? 0) > 0 };
  }

  /** Every device of a person (a lost phone, sessions revoked by an admin). */
  async removeAll(personId: string): Promise<{ removed: number }> {
    const result = await this.dataSource.getRepository(PushSubscriptionEntity).delete({ personId });
    return { removed: result.affected ?? 0 };
  }

  /** The devices registered from one session of a person (a logout there); other devices keep their pushes. */
  async removeSession(personId: string, sessionId: string): Promise<{ removed: number }> {
    const result = await this.dataSource.getRepository(PushSubscriptionEntity).delete({ personId, sessionId });
    return { removed: result.affected ?? 0 };
  }
}
