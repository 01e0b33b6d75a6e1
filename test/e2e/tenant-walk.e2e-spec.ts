import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_SCHOOLS } from '#lib/demo';
import {
  bodyFor,
  fillPath,
  operationsOf,
  prepareSchool,
  sample,
  type OpenApi,
  type SchoolObjects,
} from './support/openapi-walk.js';
import { System, type Api } from './support/system.js';

/** Endpoints that act on the caller alone: no id of another school can be put in them. */
const SELF_SCOPED = new Set([
  'POST /api/auth/login',
  'POST /api/auth/otp',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'GET /api/me',
  'GET /api/me/tasks',
  'PUT /api/me/phone',
  'GET /api/push/vapid-public-key',
  'POST /api/push/subscriptions',
  'DELETE /api/push/subscriptions',
  // The operator's queue board (ids only, no personal data), for admins.
  'POST /api/admin/queues/session',
]);

/**
 * The tenant walk: every endpoint of the OpenAPI document, called by people of De Regenboog (each app role) with
 * the ids of another school of the same board (Het Baken) and of the other board (Horizon College). Every answer
 * must be 403 or 404 — never a 2xx that would touch another school's data, never a 5xx.
 */
describe('tenant walk over every endpoint of the OpenAPI document', () => {
  let system: System;
  let doc: OpenApi;
  const targets = new Map<string, SchoolObjects>();
  const callers = new Map<string, Api>();

  beforeAll(async () => {
    system = await System.start();
    doc = (await (await fetch(`${system.baseUrl}/api/docs-json`)).json()) as OpenApi;
    targets.set('same board (Het Baken)', await prepareSchool(system, DEMO_SCHOOLS[1]!));
    targets.set('other board (Horizon College)', await prepareSchool(system, DEMO_SCHOOLS[2]!));
    for (const email of [
      'leider@deregenboog.example',
      'directie@deregenboog.example',
      'beheer@deregenboog.example',
      'docent@deregenboog.example',
    ]) {
      callers.set(email, await system.login(email));
    }
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('answers 403 or 404 to every endpoint with another school’s ids, for every role', async () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(60);
    const walked: string[] = [];
    const problems: string[] = [];
    for (const { method, path, operation } of operations) {
      const key = `${method} ${path}`;
      const hasIds =
        /\{/.test(path) ||
        (operation.parameters ?? []).some((p) => p.in === 'query' && p.name === 'schoolId') ||
        key === 'POST /api/incidents';
      if (!hasIds) {
        if (!SELF_SCOPED.has(key)) {
          problems.push(`${key}: takes no id, and is not known to act on the caller alone — teach the walk`);
        }
        continue;
      }
      walked.push(key);
      for (const [where, foreign] of targets) {
        const url = new URL(`${system.baseUrl}${fillPath(path, foreign)}`);
        for (const p of operation.parameters ?? []) {
          if (p.in === 'query' && p.name === 'schoolId') {
            url.searchParams.set('schoolId', foreign.schoolId);
          }
        }
        const schema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
        const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)
          ? (bodyFor(method, path, foreign) ?? sample(schema, doc, foreign) ?? {})
          : undefined;
        for (const [email, api] of callers) {
          const res = await api.request<{ code?: string; message?: string }>(method, url.pathname + url.search, body);
          if (res.status !== 403 && res.status !== 404) {
            problems.push(
              `${key} as ${email} on ${where}: ${res.status} ${res.body.code ?? ''} ${res.body.message ?? ''}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // A positive control: the same ids work for the school's own people, so the refusals above are the tenant
    // check and not ids that do not exist.
    for (const [index, foreign] of [...targets.values()].entries()) {
      const owner = await system.login(`leider@${DEMO_SCHOOLS[index + 1]!.domain}`);
      for (const path of [
        `/api/incidents/${foreign.incidentId}`,
        `/api/messages/${foreign.messageId}`,
        `/api/announcements/${foreign.announcementId}`,
        `/api/aftercare/${foreign.itemId}`,
        `/api/tasks/${foreign.taskId}/parties`,
        `/api/schools/${foreign.schoolId}/social-map`,
      ]) {
        expect({ path, status: (await owner.get(path)).status }).toEqual({ path, status: 200 });
      }
    }
    // The walk covered the endpoints that matter most.
    for (const must of [
      'GET /api/incidents/{id}',
      'POST /api/tasks/{id}/acknowledge',
      'GET /api/incidents/{id}/timeline',
      'GET /api/messages/{id}/export',
      'POST /api/messages/{id}/release',
      'PUT /api/schools/{schoolId}/plan',
      'POST /api/people/{personId}/revoke-sessions',
      'POST /api/schools/{schoolId}/people/{personId}/disable',
    ]) {
      expect(walked).toContain(must);
    }
  }, 300_000);
});
