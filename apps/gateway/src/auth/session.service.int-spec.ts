import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, dropDataSource, uniqueSchema } from '../../../../test/support/database.js';
import { RpcPattern } from '#lib/contracts';
import {
  AccountAuditEntity,
  AccountEntity,
  BoardEntity,
  MembershipEntity,
  SchoolEntity,
} from '../account/account.entities.js';
import { AccountService } from '../account/account.service.js';
import type { RpcClient } from '../common/rpc.client.js';
import { CreateAccounts1764288000000 } from '../database/migrations/1764288000000-CreateAccounts.js';
import { AddSessions1764381600000 } from '../database/migrations/1764381600000-AddSessions.js';
import { AddAccountDisable1764568800000 } from '../database/migrations/1764568800000-AddAccountDisable.js';
import { RateLimiter } from './rate-limiter.js';
import { SessionDevices } from './session-devices.js';
import { SESSION_ENTITIES, SessionEntity } from './session.entities.js';
import { SessionService } from './session.service.js';

describe('sessions and rate limits (gateway, real PostgreSQL)', () => {
  const schema = uniqueSchema('sessions');
  let dataSource: DataSource;
  let sessions: SessionService;
  let limiter: RateLimiter;
  const person = randomUUID();

  beforeAll(async () => {
    dataSource = await createDataSource(
      schema,
      [BoardEntity, SchoolEntity, AccountEntity, MembershipEntity, AccountAuditEntity, ...SESSION_ENTITIES],
      [CreateAccounts1764288000000, AddSessions1764381600000, AddAccountDisable1764568800000],
    );
    await dataSource
      .getRepository(AccountEntity)
      .insert({ personId: person, email: 'a@school.example', name: 'A', passwordHash: null });
    sessions = new SessionService(dataSource, 3_600_000, 0);
    limiter = new RateLimiter(dataSource);
  });

  afterAll(async () => {
    await dropDataSource(dataSource, schema);
  });

  it('rotates the refresh token on every use; the replaced one no longer works and, used again, ends the session', async () => {
    const first = await sessions.create(person, 'Phone');
    const second = await sessions.rotate(first.refreshToken);
    expect(second).toMatchObject({ sessionId: first.sessionId, personId: person });
    expect(second!.refreshToken).not.toBe(first.refreshToken);
    const third = await sessions.rotate(second!.refreshToken);
    expect(third).not.toBeNull();
    // The second token was replaced: someone holding a copy of it is refused, and the whole session ends.
    expect(await sessions.rotate(second!.refreshToken)).toBeNull();
    expect(await sessions.isActive(first.sessionId)).toBe(false);
    expect(await sessions.rotate(third!.refreshToken)).toBeNull();
    const row = await dataSource.getRepository(SessionEntity).findOneByOrFail({ id: first.sessionId });
    expect(row.revokedReason).toBe('refresh-token-reused');
    // Only a hash is stored.
    expect(row.refreshHash).not.toContain(third!.refreshToken.split('.')[1]!);
  });

  it('refuses garbage, unknown sessions and expired ones', async () => {
    for (const bad of ['', 'x', `${randomUUID()}.${'a'.repeat(43)}`, 'not-a-uuid.aaaaaaaaaaaaaaaaaaaaaaaa']) {
      expect(await sessions.rotate(bad)).toBeNull();
    }
    const short = new SessionService(dataSource, -1000, 0);
    const gone = await short.create(person, null);
    expect(await short.rotate(gone.refreshToken)).toBeNull();
    expect(await short.isActive(gone.sessionId)).toBe(false);
  });

  it('ends every session of a person at once (a lost phone)', async () => {
    const a = await sessions.create(person, 'Phone');
    const b = await sessions.create(person, 'Laptop');
    expect(await sessions.revokeAll(person, 'lost phone')).toBeGreaterThanOrEqual(2);
    expect(await sessions.isActive(a.sessionId)).toBe(false);
    expect(await sessions.isActive(b.sessionId)).toBe(false);
    expect(await sessions.rotate(b.refreshToken)).toBeNull();
  });

  it('a logout marks its push devices for removal until the notifier confirms it, and retries while it does not answer', async () => {
    const a = await sessions.create(person, 'Phone');
    const b = await sessions.create(person, 'Laptop');
    await sessions.revoke(a.sessionId, 'logout', { removeDevices: true });
    await sessions.revoke(b.sessionId, 'refresh-token-reused');
    expect(await sessions.isActive(a.sessionId)).toBe(false);
    const pending = async () => (await sessions.pendingDeviceRemovals()).map((p) => p.sessionId);
    expect(await pending()).toEqual([a.sessionId]);

    const asked: unknown[] = [];
    let answering = false;
    const rpc = {
      call: (pattern: string, request: unknown) => {
        asked.push([pattern, request]);
        return answering ? Promise.resolve({ removed: 1 }) : Promise.reject(new Error('no responders'));
      },
    } as unknown as RpcClient;
    const devices = new SessionDevices(sessions, rpc);
    expect(await devices.remove(person, a.sessionId)).toBeNull();
    await devices.retryPending();
    expect(await pending()).toEqual([a.sessionId]);
    answering = true;
    await devices.retryPending();
    expect(await pending()).toEqual([]);
    expect(asked.at(-1)).toEqual([
      RpcPattern.RemoveSessionPushSubscriptions,
      { personId: person, sessionId: a.sessionId },
    ]);
  });

  it('disables and enables an account once each, recording who, where and why; a disabled account is no caller', async () => {
    const accounts = new AccountService(dataSource);
    const target = randomUUID();
    const [admin, school] = [randomUUID(), randomUUID()];
    await dataSource
      .getRepository(AccountEntity)
      .insert({ personId: target, email: `${target}@school.example`, name: 'B', passwordHash: null });
    expect(await accounts.caller(target)).not.toBeNull();
    const first = await accounts.setDisabled(target, true, { actorId: admin, schoolId: school, reason: 'Uit dienst' });
    expect(first).toMatchObject({ personId: target, disabled: true, disabledBy: admin });
    const again = await accounts.setDisabled(target, true, { actorId: randomUUID(), schoolId: school });
    expect(again).toEqual(first);
    expect(await accounts.caller(target)).toBeNull();
    expect(await accounts.isDisabled(target)).toBe(true);
    expect(await accounts.setDisabled(target, false, { actorId: admin, schoolId: school })).toEqual({
      personId: target,
      disabled: false,
      disabledAt: null,
      disabledBy: null,
    });
    expect(await accounts.setDisabled(target, false, { actorId: admin, schoolId: school })).toMatchObject({
      disabled: false,
    });
    expect(await accounts.caller(target)).not.toBeNull();
    const audit = await dataSource
      .getRepository(AccountAuditEntity)
      .find({ where: { personId: target }, order: { at: 'ASC' } });
    expect(audit.map((r) => [r.action, r.actorId, r.schoolId, r.reason])).toEqual([
      ['disabled', admin, school, 'Uit dienst'],
      ['enabled', admin, school, null],
    ]);
  });

  it('counts in fixed windows shared by every instance, and says how long to wait', async () => {
    const budget = { limit: 3, windowSeconds: 60 };
    const at = Date.parse('2026-11-28T10:00:10Z');
    const key = `test:${randomUUID()}`;
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      answers.push(await limiter.hit(key, budget, at));
    }
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    expect(answers[3]!.retryAfterSeconds).toBe(50);
    expect(await new RateLimiter(dataSource).exhausted(key, budget, at)).toEqual({
      exhausted: true,
      retryAfterSeconds: 50,
    });
    // The next window starts afresh.
    expect((await limiter.hit(key, budget, at + 60_000)).allowed).toBe(true);
  });

  it('forgets windows older than two days by its own clock, never the window it counts in', async () => {
    const budget = { limit: 1, windowSeconds: 60 };
    const at = Date.parse('2026-11-28T10:00:10Z'); // days before the database's clock
    const key = `test:${randomUUID()}`;
    expect((await limiter.hit(key, budget, at - 3 * 86_400_000)).allowed).toBe(true);
    const cleanup = jest.spyOn(Math, 'random').mockReturnValue(0); // every hit cleans up
    try {
      expect((await limiter.hit(key, budget, at)).allowed).toBe(true);
      // The window of `at` was kept by the clean-up: the budget stays used up (with the database's clock it went).
      expect((await limiter.hit(key, budget, at)).allowed).toBe(false);
    } finally {
      cleanup.mockRestore();
    }
    expect((await limiter.exhausted(key, budget, at - 3 * 86_400_000)).exhausted).toBe(false); // that one went
  });
});
