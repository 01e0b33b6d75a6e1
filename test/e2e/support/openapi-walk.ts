import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { AftercareItemView, IncidentView, MessageView, TimelineEntryView } from '#lib/contracts';
import { demoPerson, type DemoSchool } from '#lib/demo';
import { waitFor } from '../../support/wait.js';
import type { System } from './system.js';

/**
 * Walking the OpenAPI document: objects to aim at, path parameters filled with their ids, and request bodies the
 * validation accepts, made from the document's own schemas. Used by the tenant walk and the bad-input walk.
 */

/** One object of each kind at a school: what the walks put in paths and bodies. */
export interface SchoolObjects {
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

export type Schema = {
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
export type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
export type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** A value the validation accepts, made from the OpenAPI schema (its example, enum or format first). */
export function sample(schema: Schema | undefined, doc: OpenApi, objects: SchoolObjects, name = ''): unknown {
  if (!schema) {
    return undefined;
  }
  if (schema.$ref) {
    return sample(doc.components.schemas[schema.$ref.split('/').at(-1)!], doc, objects, name);
  }
  if (schema.allOf?.length) {
    return sample(schema.allOf[0], doc, objects, name);
  }
  const byName: Record<string, unknown> = {
    schoolId: objects.schoolId,
    personId: objects.personId,
    assigneeId: objects.personId,
    incidentId: objects.incidentId,
    entryId: objects.entryId,
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
        out[key] = sample(schema.properties?.[key], doc, objects, key);
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
export function bodyFor(method: string, path: string, objects: SchoolObjects): unknown {
  const key = `${method} ${path}`;
  const plan = {
    content: { roles: [], unavailable: [], taskOverrides: [], extraTasks: [], reviewDue: '2027-09-01' },
    expectedVersion: null,
  };
  const overrides: Record<string, unknown> = {
    'POST /api/incidents': {
      calamityType: 'death-of-pupil',
      schoolId: objects.schoolId,
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
    'PUT /api/incidents/{id}/press/spokesperson': { personId: objects.personId },
    'POST /api/incidents/{id}/press/entries': { askedBy: 'x', question: 'x' },
    'POST /api/incidents/{id}/press/entries/{entryId}/answer': { answer: 'x' },
    'POST /api/incidents/{id}/family-contacts': { contactAt: new Date().toISOString(), note: 'x' },
    'POST /api/tasks/{id}/reassign': { assigneeId: objects.personId },
  };
  return overrides[key];
}

export function fillPath(path: string, objects: SchoolObjects): string {
  const idFor = (prefix: string): string => {
    const byPrefix: [string, string][] = [
      ['/api/incidents/', objects.incidentId],
      ['/api/tasks/', objects.taskId],
      ['/api/messages/', objects.messageId],
      ['/api/announcements/', objects.announcementId],
      ['/api/social-map/', objects.entryId],
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
        return objects.schoolId;
      case 'boardId':
        return objects.boardId;
      case 'personId':
        return objects.personId;
      case 'itemId':
        return objects.itemId;
      case 'seq':
        return String(objects.seq);
      case 'step':
        return 'reported-to-board';
      case 'entryId':
        return objects.pressEntryId;
      default:
        throw new Error(`unknown path parameter {${name}} in ${path}: teach the walk about it`);
    }
  });
}

/**
 * Creates one of each object at `school` through the API, as its own people, and answers their ids. `summary` is
 * the incident's summary (the security matrix plants a marker there).
 */
export async function prepareSchool(
  system: System,
  school: DemoSchool,
  { summary = 'Tenant walk' }: { summary?: string } = {},
): Promise<SchoolObjects> {
  const domain = school.domain;
  const leader = await system.login(`leider@${domain}`);
  const writer = await system.login(`communicatie@${domain}`);
  const admin = await system.login(`beheer@${domain}`);
  const incident = (
    await leader.post<IncidentView>('/api/incidents', {
      calamityType: 'death-of-pupil',
      schoolId: school.id,
      summary,
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

/** Every operation of the document, as `{method, path, operation}`. */
export function operationsOf(doc: OpenApi): { method: string; path: string; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}
