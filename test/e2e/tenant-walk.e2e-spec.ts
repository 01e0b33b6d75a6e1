import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AftercareItemView, IncidentView, MessageView, TimelineEntryView } from '#lib/contracts';
import { DEMO_SCHOOLS, demoPerson, type DemoSchool } from '#lib/demo';
import { waitFor } from '../support/wait.js';
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

/** The objects of one school that a caller of another school tries to reach. */
interface Foreign {
  schoolId: string;
  boardId: string;
  incidentId: string;
  taskId: string;
  messageId: string;
  announcementId: string;
  itemId: string;
  entryId: string;
  personId: string;
  seq: number;
  pressEntryId: string;
}

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  nullable?: boolean;
  allOf?: Schema[];
};
type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/** A value the validation accepts, made from the OpenAPI schema (its example, enum or format first). */
function sample(schema: Schema | undefined, doc: OpenApi, foreign: Foreign, name = ''): unknown {
  if (!schema) {
    return undefined;
  }
  if (schema.$ref) {
    return sample(doc.components.schemas[schema.$ref.split('/').at(-1)!], doc, foreign, name);
  }
  if (schema.allOf?.length) {
    return sample(schema.allOf[0], doc, foreign, name);
  }
  const byName: Record<string, unknown> = {
    schoolId: foreign.schoolId,
    personId: foreign.personId,
    assigneeId: foreign.personId,
    incidentId: foreign.incidentId,
    entryId: foreign.entryId,
  };
  if (name in byName) {
    return byName[name];
  }
  if (schema.example !== undefined) {
    return schema.example;
  }
  if (schema.enum?.length) {
    return schema.enum[0];
  }
  switch (schema.type ?? 'string') {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        out[key] = sample(schema.properties?.[key], doc, foreign, key);
      }
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      return schema.format === 'uuid'
        ? randomUUID()
        : schema.format === 'date-time'
          ? new Date().toISOString()
          : schema.format === 'email'
            ? 'iemand@school.example'
            : 'Tekst';
  }
}

/** Bodies the schema alone cannot make valid. */
function bodyFor(method: string, path: string, foreign: Foreign): unknown {
  const key = `${method} ${path}`;
  const plan = {
    content: { roles: [], unavailable: [], taskOverrides: [], extraTasks: [], reviewDue: '2027-09-01' },
    expectedVersion: null,
  };
  const overrides: Record<string, unknown> = {
    'POST /api/incidents': {
      calamityType: 'death-of-pupil',
      schoolId: foreign.schoolId,
      summary: 'x',
      drill: true,
      idempotencyKey: randomUUID(),
    },
    'PUT /api/schools/{schoolId}/plan': plan,
    'PUT /api/boards/{boardId}/plan': plan,
    'PUT /api/boards/{boardId}/retention': { retentionDays: 400 },
    'POST /api/incidents/{id}/phase': { phase: 2 },
    'POST /api/incidents/{id}/legal-chain/{step}': { note: 'x' },
    'POST /api/incidents/{id}/announcements': { audience: 'all-staff', text: 'x' },
    'POST /api/incidents/{id}/aftercare': {
      kind: 'check-in',
      title: 'Gesprek met de klas',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
    'POST /api/aftercare/{itemId}': { state: 'checked' },
    'POST /api/incidents/{id}/findings': { kind: 'improve', text: 'x' },
    'POST /api/incidents/{id}/social-map': { party: 'funeral-contact', name: 'x', phone: '112' },
    'POST /api/schools/{schoolId}/social-map': { party: 'ggd-youth', name: 'x', phone: '112' },
    'POST /api/boards/{boardId}/social-map': { party: 'ggd-youth', name: 'x', phone: '112' },
    'PUT /api/social-map/{id}': { party: 'ggd-youth', name: 'x', phone: '112' },
    'POST /api/incidents/{id}/contacts': { party: 'senv', outcome: 'x' },
    'POST /api/tasks/{id}/contacts': { party: 'senv', outcome: 'x' },
    'POST /api/schools/{schoolId}/people/import': { csv: 'iemand@school.example,Iemand,staff' },
    'PUT /api/incidents/{id}/press/spokesperson': { personId: foreign.personId },
    'POST /api/incidents/{id}/press/entries': { askedBy: 'x', question: 'x' },
    'POST /api/incidents/{id}/press/entries/{entryId}/answer': { answer: 'x' },
    'POST /api/incidents/{id}/family-contacts': { contactAt: new Date().toISOString(), note: 'x' },
    'POST /api/tasks/{id}/reassign': { assigneeId: foreign.personId },
  };
  return overrides[key];
}

function fillPath(path: string, foreign: Foreign): string {
  const idFor = (prefix: string): string => {
    const byPrefix: [string, string][] = [
      ['/api/incidents/', foreign.incidentId],
      ['/api/tasks/', foreign.taskId],
      ['/api/messages/', foreign.messageId],
      ['/api/announcements/', foreign.announcementId],
      ['/api/social-map/', foreign.entryId],
    ];
    const found = byPrefix.find(([start]) => prefix.startsWith(start));
    if (!found) {
      throw new Error(`no id for ${prefix}`);
    }
    return found[1];
  };
  return path.replace(/\{([a-zA-Z]+)\}/g, (_whole, name: string, offset: number) => {
    switch (name) {
      case 'id':
        return idFor(path.slice(0, offset));
      case 'schoolId':
        return foreign.schoolId;
      case 'boardId':
        return foreign.boardId;
      case 'personId':
        return foreign.personId;
      case 'itemId':
        return foreign.itemId;
      case 'seq':
        return String(foreign.seq);
      case 'step':
        return 'reported-to-board';
      case 'entryId':
        return foreign.pressEntryId;
      default:
        throw new Error(`unknown path parameter {${name}} in ${path}: teach the walk about it`);
    }
  });
}

/**
 * The tenant walk: every endpoint of the OpenAPI document, called by people of De Regenboog (each app role) with
 * the ids of another school of the same board (Het Baken) and of the other board (Horizon College). Every answer
 * must be 403 or 404 — never a 2xx that would touch another school's data, never a 5xx.
 */
describe('tenant walk over every endpoint of the OpenAPI document', () => {
  let system: System;
  let doc: OpenApi;
  const targets = new Map<string, Foreign>();
  const callers = new Map<string, Api>();

  async function prepare(school: DemoSchool): Promise<Foreign> {
    const domain = school.domain;
    const leader = await system.login(`leider@${domain}`);
    const writer = await system.login(`communicatie@${domain}`);
    const admin = await system.login(`beheer@${domain}`);
    const incident = (
      await leader.post<IncidentView>('/api/incidents', {
        calamityType: 'death-of-pupil',
        schoolId: school.id,
        summary: 'Tenant walk',
        drill: true,
        idempotencyKey: randomUUID(),
      })
    ).body;
    const message = (
      await writer.post<MessageView>(`/api/incidents/${incident.id}/messages`, { audience: 'core', facts: {} })
    ).body;
    const announcement = (
      await leader.post<{ id: string }>(`/api/incidents/${incident.id}/announcements`, {
        audience: 'crisis-team',
        text: 'Overleg om 9:00',
      })
    ).body;
    const entry = (
      await admin.post<{ id: string }>(`/api/schools/${school.id}/social-map`, {
        party: 'ggd-youth',
        name: 'GGD',
        phone: '020 000 1111',
      })
    ).body;
    const finding = (
      await leader.post<TimelineEntryView>(`/api/incidents/${incident.id}/findings`, { kind: 'improve', text: 'x' })
    ).body;
    const press = (
      await leader.post<{ entries: { id: string }[] }>(`/api/incidents/${incident.id}/press/entries`, {
        askedBy: 'Omroep',
        question: 'Wat is er gebeurd?',
      })
    ).body;
    let items: AftercareItemView[] = [];
    await waitFor(
      async () => {
        items = (await leader.get<AftercareItemView[]>(`/api/incidents/${incident.id}/aftercare`)).body;
        return Array.isArray(items) && items.length > 0;
      },
      { timeoutMs: 20_000, message: `aftercare schedule of ${school.name}` },
    );
    const ids = [incident.id, message.id, announcement.id, entry.id, items[0]?.id];
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    return {
      schoolId: school.id,
      boardId: school.boardId,
      incidentId: incident.id,
      taskId: incident.tasks[0]!.id,
      messageId: message.id,
      announcementId: announcement.id,
      itemId: items[0]!.id,
      entryId: entry.id,
      personId: demoPerson(`docent@${domain}`).id,
      seq: finding.seq,
      pressEntryId: press.entries[0]!.id,
    };
  }

  beforeAll(async () => {
    system = await System.start();
    doc = (await (await fetch(`${system.baseUrl}/api/docs-json`)).json()) as OpenApi;
    targets.set('same board (Het Baken)', await prepare(DEMO_SCHOOLS[1]!));
    targets.set('other board (Horizon College)', await prepare(DEMO_SCHOOLS[2]!));
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
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
    );
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
    ]) {
      expect(walked).toContain(must);
    }
  }, 300_000);
});
