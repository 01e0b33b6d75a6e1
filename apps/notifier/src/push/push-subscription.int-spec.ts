import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { CreateNotifications1764288000000 } from '../database/migrations/1764288000000-CreateNotifications.js';
import { AddContacts1764381600000 } from '../database/migrations/1764381600000-AddContacts.js';
import { AddEscalationSmsAnnouncements1764468000000 } from '../database/migrations/1764468000000-AddEscalationSmsAnnouncements.js';
import { AddAftercareNotifications1764482400000 } from '../database/migrations/1764482400000-AddAftercareNotifications.js';
import { AddPushSubscriptionSession1764568800000 } from '../database/migrations/1764568800000-AddPushSubscriptionSession.js';
import { PushSubscriptionEntity } from './push-subscription.entity.js';
import { PushSubscriptionService } from './push-subscription.service.js';

/** Push subscriptions per session (RELIABILITY.md S6: a logout removes that device's subscription), real PostgreSQL. */
describe('push subscriptions per session (notifier, real PostgreSQL)', () => {
  const schema = uniqueSchema('push_sessions');
  let dataSource: DataSource;
  let subscriptions: PushSubscriptionService;

  const device = () => ({
    endpoint: `https://push.example/${randomUUID()}`,
    expirationTime: null,
    keys: { p256dh: randomBytes(65).toString('base64url'), auth: randomBytes(16).toString('base64url') },
  });
  const endpointsOf = async (personId: string) =>
    (await dataSource.getRepository(PushSubscriptionEntity).findBy({ personId })).map((s) => s.endpoint).sort();

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [PushSubscriptionEntity],
      [
        CreateNotifications1764288000000,
        AddContacts1764381600000,
        AddEscalationSmsAnnouncements1764468000000,
        AddAftercareNotifications1764482400000,
        AddPushSubscriptionSession1764568800000,
      ],
    );
    subscriptions = new PushSubscriptionService(dataSource);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('removes only the devices registered from the session, and only of its person', async () => {
    const person = randomUUID();
    const [phone, laptop, old] = [device(), device(), device()];
    const [phoneSession, laptopSession] = [randomUUID(), randomUUID()];
    await subscriptions.register({ personId: person, subscription: phone, sessionId: phoneSession });
    await subscriptions.register({ personId: person, subscription: laptop, sessionId: laptopSession });
    // Registered before subscriptions knew their session: only a revoke of every device removes it.
    await subscriptions.register({ personId: person, subscription: old });

    // Someone else's id with this session removes nothing.
    expect(await subscriptions.removeSession(randomUUID(), phoneSession)).toEqual({ removed: 0 });
    expect(await subscriptions.removeSession(person, phoneSession)).toEqual({ removed: 1 });
    expect(await endpointsOf(person)).toEqual([laptop.endpoint, old.endpoint].sort());
    expect(await subscriptions.removeSession(person, phoneSession)).toEqual({ removed: 0 });
    expect(await subscriptions.removeAll(person)).toEqual({ removed: 2 });
  });

  it('moves a device registered again from a new login to that session (and person)', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const shared = device();
    const [before, after] = [randomUUID(), randomUUID()];
    await subscriptions.register({ personId: first, subscription: shared, sessionId: before });
    // A shared phone: the first teacher logged out elsewhere or not at all, the next one logs in on it.
    const again = await subscriptions.register({ personId: second, subscription: shared, sessionId: after });
    expect(again.created).toBe(false);
    expect(await subscriptions.removeSession(first, before)).toEqual({ removed: 0 });
    expect(await endpointsOf(second)).toEqual([shared.endpoint]);
    expect(await subscriptions.removeSession(second, after)).toEqual({ removed: 1 });
    expect(await endpointsOf(second)).toEqual([]);
  });
});
