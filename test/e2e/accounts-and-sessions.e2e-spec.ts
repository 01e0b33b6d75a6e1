import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { IncidentView } from '#lib/contracts';
import { DEMO_PASSWORD, DEMO_SCHOOLS, demoPerson } from '#lib/demo';
import { System, Api } from './support/system.js';

type Answer = {
  statusCode?: number;
  code?: string;
  field?: string;
  messageNl?: string;
  accessToken?: string;
  refreshToken?: string;
  otpRequired?: boolean;
  challengeId?: string;
  phoneHint?: string;
};

/**
 * Logging in from a phone, over the gateway with all four apps: the one-time SMS code of crisis-team accounts
 * (read at the fake Twilio), sessions with rotating refresh tokens, logout (and the push device of that session),
 * an admin ending a lost phone's sessions, an admin disabling and enabling an account, the limits on logins and on messages that send SMS, the staff import, and the security headers.
 */
describe('accounts and sessions', () => {
  let system: System;
  const leader = demoPerson('leider@deregenboog.example');
  const school = DEMO_SCHOOLS[0]!;

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${system.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Answer };
  };
  const login = (email: string, password = DEMO_PASSWORD) => post('/api/auth/login', { email, password });

  beforeAll(async () => {
    system = await System.start({
      SMS_SENDS_PER_PERSON_PER_HOUR: '3',
      LOGIN_FAILURES_PER_ACCOUNT: '5',
      LOGIN_ATTEMPTS_PER_ADDRESS: '40',
      TRUST_PROXY: 'loopback',
    });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('asks crisis-team accounts for a one-time SMS code: right once, within its tries, never twice', async () => {
    const sent = system.twilio.messages.length;
    const first = await login(leader.email);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ otpRequired: true, phoneHint: `•••• ${leader.phone.slice(-2)}` });
    expect(first.body.accessToken).toBeUndefined();
    const code = await system.loginCode(leader.email, sent);
    const sms = system.twilio.messages.slice(sent).find((m) => m.to === leader.phone)!;
    expect(sms.body).not.toContain(leader.name);
    const wrong = await post('/api/auth/otp', {
      challengeId: first.body.challengeId,
      code: code === '000000' ? '111111' : '000000',
    });
    expect([wrong.status, wrong.body.code, wrong.body.field]).toEqual([401, 'INVALID_CODE', 'code']);
    const right = await post('/api/auth/otp', { challengeId: first.body.challengeId, code });
    expect(right.status).toBe(200);
    expect(right.body.accessToken).toBeTruthy();
    const again = await post('/api/auth/otp', { challengeId: first.body.challengeId, code });
    expect([again.status, again.body.code]).toEqual([401, 'CODE_EXPIRED']);

    // Five wrong codes end the challenge: the right code no longer helps.
    const before = system.twilio.messages.length;
    const second = await login(leader.email);
    const secondCode = await system.loginCode(leader.email, before);
    for (let i = 0; i < 5; i += 1) {
      const bad = await post('/api/auth/otp', {
        challengeId: second.body.challengeId,
        code: secondCode === '999999' ? '888888' : '999999',
      });
      expect(bad.status).toBe(401);
    }
    const late = await post('/api/auth/otp', { challengeId: second.body.challengeId, code: secondCode });
    expect([late.status, late.body.code]).toEqual([429, 'TOO_MANY_ATTEMPTS']);
    const malformed = await post('/api/auth/otp', { challengeId: second.body.challengeId, code: '12ab' });
    expect([malformed.status, malformed.body.field]).toEqual([400, 'code']);
  });

  it('gives staff a session without a code; refresh rotates; logout ends it at once', async () => {
    const docent = await login('docent@deregenboog.example');
    expect(docent.status).toBe(200);
    expect(docent.headers.get('set-cookie')).toMatch(/^ck_refresh=.+; Path=\/api\/auth; .*HttpOnly; SameSite=Strict/);
    const me = new Api(system.baseUrl, docent.body.accessToken!);
    expect((await me.get('/api/me')).status).toBe(200);

    const rotated = await post('/api/auth/refresh', { refreshToken: docent.body.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(docent.body.refreshToken);
    // The phone app sends the refresh token as its cookie.
    const byCookie = await post('/api/auth/refresh', {}, { cookie: `ck_refresh=${rotated.body.refreshToken}` });
    expect(byCookie.status).toBe(200);
    const fresh = new Api(system.baseUrl, byCookie.body.accessToken!);

    const out = await fresh.request('POST', '/api/auth/logout', {});
    expect(out.status).toBe(204);
    expect((await fresh.get('/api/me')).status).toBe(401);
    expect((await me.get('/api/me')).status).toBe(401);
    const after = await post('/api/auth/refresh', { refreshToken: byCookie.body.refreshToken });
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_ENDED']);
  });

  it('lets an admin end every session of a lost phone and remove its devices; others may not', async () => {
    const docent2 = demoPerson('docent2@deregenboog.example');
    const phone = await system.login(docent2.email);
    const laptop = await system.login(docent2.email);
    const device = system.push.createSubscription();
    expect((await phone.post('/api/push/subscriptions', device.subscription)).status).toBe(201);

    const staff = await system.login('docent3@deregenboog.example');
    const colleague = system.push.createSubscription();
    expect((await staff.post('/api/push/subscriptions', colleague.subscription)).status).toBe(201);
    expect((await staff.post(`/api/people/${docent2.id}/revoke-sessions`, {})).status).toBe(403);
    const otherAdmin = await system.login('beheer@horizoncollege.example');
    expect((await otherAdmin.post(`/api/people/${docent2.id}/revoke-sessions`, {})).status).toBe(404);

    const admin = await system.login('beheer@deregenboog.example');
    const revoked = await admin.post<{ revokedSessions: number; removedDevices: number }>(
      `/api/people/${docent2.id}/revoke-sessions`,
      {},
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revokedSessions: 2, removedDevices: 1 });
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(401);

    // An announcement to all staff no longer reaches the lost phone.
    const lead = await system.login(leader.email);
    const trigger = await lead.post<{ id: string }>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId: school.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    const sent = await lead.post<{ id: string }>(`/api/incidents/${trigger.body.id}/announcements`, {
      audience: 'all-staff',
      text: 'Verzamelen op het plein',
    });
    expect(sent.status).toBe(201);
    // A colleague's phone gets it, the lost one does not.
    await system.push.waitFor((p) => p.subscriptionId === colleague.id, 20_000);
    expect(system.push.received.filter((p) => p.subscriptionId === device.id)).toEqual([]);
  });

  it('logout removes the push device of that session only: the person’s other device still gets the next task', async () => {
    const logkeeper = demoPerson('logboek@deregenboog.example');
    const phone = new Api(system.baseUrl, (await system.loginTokens(logkeeper.email)).accessToken);
    const laptop = new Api(system.baseUrl, (await system.loginTokens(logkeeper.email)).accessToken);
    const phoneDevice = system.push.createSubscription();
    const laptopDevice = system.push.createSubscription();
    expect((await phone.post('/api/push/subscriptions', phoneDevice.subscription)).status).toBe(201);
    expect((await laptop.post('/api/push/subscriptions', laptopDevice.subscription)).status).toBe(201);

    expect((await phone.request('POST', '/api/auth/logout', {})).status).toBe(204);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);

    // A new incident gives the logkeeper tasks: the laptop is told, the phone that logged out is not.
    const lead = await system.login(leader.email);
    const trigger = await lead.post<IncidentView>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId: school.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    expect(trigger.status).toBe(201);
    const theirs = new Set(trigger.body.tasks.filter((t) => t.assigneeId === logkeeper.id).map((t) => t.id));
    expect(theirs.size).toBeGreaterThan(0);
    const taskOf = (json: unknown) => (json as { taskId?: string } | null)?.taskId ?? '';
    await system.push.waitFor((p) => p.subscriptionId === laptopDevice.id && theirs.has(taskOf(p.json)), 30_000);
    // One job pushes a notification to each device in turn: give a push to the phone time to show.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const toPhone = [...system.push.received, ...system.push.rejected].filter(
      (p) => p.subscriptionId === phoneDevice.id,
    );
    expect(toPhone).toEqual([]);
  });

  it('lets the admin of the school disable an account (sessions, tokens and devices end; login refused) and enable it again', async () => {
    const person = demoPerson('docent6@deregenboog.example');
    const at = (schoolId: string, action: 'disable' | 'enable', personId = person.id) =>
      `/api/schools/${schoolId}/people/${personId}/${action}`;
    const tokens = await system.loginTokens(person.email);
    const phone = new Api(system.baseUrl, tokens.accessToken);
    const device = system.push.createSubscription();
    expect((await phone.post('/api/push/subscriptions', device.subscription)).status).toBe(201);

    // Not for staff, nor for the admin of another school (that person is not theirs: "not found").
    const staff = await system.login('docent3@deregenboog.example');
    const refused = await staff.post<Answer>(at(school.id, 'disable'), {});
    expect([refused.status, refused.body.code]).toEqual([403, 'FORBIDDEN']);
    const horizon = DEMO_SCHOOLS[2]!;
    const otherAdmin = await system.login(`beheer@${horizon.domain}`);
    expect((await otherAdmin.post(at(horizon.id, 'disable'), {})).status).toBe(404);
    expect((await otherAdmin.post(at(school.id, 'disable'), {})).status).toBe(404);
    expect((await otherAdmin.post(at(school.id, 'enable'), {})).status).toBe(404);
    expect((await phone.get('/api/me')).status).toBe(200);

    const admin = await system.login('beheer@deregenboog.example');
    const self = demoPerson('beheer@deregenboog.example').id;
    const own = await admin.post<Answer>(at(school.id, 'disable', self), {});
    expect([own.status, own.body.code]).toEqual([409, 'OWN_ACCOUNT']);

    const disabled = await admin.post<Record<string, unknown>>(at(school.id, 'disable'), { reason: 'Uit dienst' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      personId: person.id,
      disabled: true,
      disabledBy: self,
      revokedSessions: 1,
      removedDevices: 1,
    });
    // The access token and the refresh token are dead at once.
    expect((await phone.get('/api/me')).status).toBe(401);
    const refresh = await post('/api/auth/refresh', { refreshToken: tokens.refreshToken });
    expect([refresh.status, refresh.body.code]).toEqual([401, 'SESSION_ENDED']);
    // A wrong password still gets the ordinary answer; only the right one learns that the account is disabled.
    const wrong = await login(person.email, 'fout-wachtwoord');
    expect([wrong.status, wrong.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const refusedLogin = await login(person.email);
    expect([refusedLogin.status, refusedLogin.body.code]).toEqual([403, 'ACCOUNT_DISABLED']);
    expect(refusedLogin.body.messageNl).toBe('Dit account is uitgeschakeld: vraag de beheerder van je school');
    expect(refusedLogin.body.accessToken).toBeUndefined();
    const people = await admin.get<{ personId: string; disabled: boolean }[]>(`/api/schools/${school.id}/people`);
    expect(people.body.find((p) => p.personId === person.id)?.disabled).toBe(true);
    // Disabling again changes nothing: the first time and admin stay, and no session or device is left.
    const again = await admin.post<Record<string, unknown>>(at(school.id, 'disable'), {});
    expect(again.body).toEqual({ ...disabled.body, revokedSessions: 0, removedDevices: 0 });

    const enabled = await admin.post<Record<string, unknown>>(at(school.id, 'enable'), {});
    expect([enabled.status, enabled.body]).toEqual([
      200,
      { personId: person.id, disabled: false, disabledAt: null, disabledBy: null },
    ]);
    const back = await login(person.email);
    expect(back.status).toBe(200);
    expect((await new Api(system.baseUrl, back.body.accessToken!).get('/api/me')).status).toBe(200);
  });

  it('limits messages that send SMS per person per hour', async () => {
    const lead = await system.login('leider.plv@deregenboog.example');
    const trigger = await lead.post<{ id: string }>('/api/incidents', {
      calamityType: 'fire-explosion-evacuation',
      schoolId: school.id,
      summary: 'Oefening',
      drill: true,
      idempotencyKey: `e2e-${randomUUID()}`,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await lead.post(`/api/incidents/${trigger.body.id}/announcements`, {
        audience: 'crisis-team',
        text: `Bericht ${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('pauses an account after failed logins, even for the right password, and answers the same for unknown ones', async () => {
    const email = 'docent4@deregenboog.example';
    for (let i = 0; i < 5; i += 1) {
      const res = await login(email, 'fout-wachtwoord');
      expect([res.status, res.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    }
    const paused = await login(email);
    expect([paused.status, paused.body.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(paused.body.messageNl).toMatch(/^Te veel inlogpogingen: probeer het over \d+ min opnieuw$/);
    const unknown = await login('niemand@deregenboog.example', 'x');
    expect([unknown.status, unknown.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
  });

  it('imports staff from CSV for the admin of the school only, reporting bad lines', async () => {
    const admin = await system.login('beheer@deregenboog.example');
    const csv = [
      'email,name,role,phone',
      'nieuw1@deregenboog.example,Nieuwe Collega,staff,0612345678',
      'nieuw2@deregenboog.example,"Bakker, Anne",crisis_team,',
      'geen-adres,Iemand,staff',
      'nieuw3@deregenboog.example,Derde,staff,123',
    ].join('\n');
    const res = await admin.post<{ created: number; updated: number; errors: { line: number; field: string }[] }>(
      `/api/schools/${school.id}/people/import`,
      { csv },
    );
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.errors.map((e) => [e.line, e.field])).toEqual([
      [4, 'email'],
      [5, 'phone'],
    ]);
    // No password yet: nobody can log in to an imported account until one is set.
    expect((await login('nieuw1@deregenboog.example', '')).status).toBe(401);
    const staff = await system.login('docent@deregenboog.example');
    expect((await staff.post(`/api/schools/${school.id}/people/import`, { csv })).status).toBe(403);
    const elsewhere = await system.login('beheer@horizoncollege.example');
    expect((await elsewhere.post(`/api/schools/${school.id}/people/import`, { csv })).status).toBe(404);
  });

  it('sends security headers, refuses oversized and broken bodies as JSON naming the body', async () => {
    const res = await fetch(`${system.baseUrl}/api/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const big = await post('/api/auth/login', { email: 'a@b.example', password: 'x'.repeat(1_100_000) });
    expect([big.status, big.body.code, big.body.field]).toEqual([413, 'PAYLOAD_TOO_LARGE', 'body']);
    const broken = await post('/api/auth/login', '{"email": ');
    expect([broken.status, broken.body.field]).toEqual([400, 'body']);
    const extra = await post('/api/auth/login', { email: leader.email, password: DEMO_PASSWORD, admin: true });
    expect([extra.status, extra.body.field]).toEqual([400, 'admin']);
  });
  it('limits login attempts per client address, behind a trusted proxy the forwarded one', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const statuses: number[] = [];
    for (let i = 0; i < 41; i += 1) {
      const res = await post(
        '/api/auth/login',
        { email: `niemand${i}@school.example`, password: 'x' },
        from('203.0.113.7'),
      );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses[40]).toBe(429);
    // Another client behind the same proxy is not held back.
    const other = await post(
      '/api/auth/login',
      { email: 'docent5@deregenboog.example', password: DEMO_PASSWORD },
      from('198.51.100.9'),
    );
    expect(other.status).toBe(200);
  });
});
