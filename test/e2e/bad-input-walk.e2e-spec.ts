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

const HOSTILE_TEXTS = [
  "'; DROP TABLE incident; --",
  '<script>alert("xss")</script><img src=x onerror=alert(1)>',
  '\u202Eevil\u202C مرحبا שלום 🚨 Ünïcödé \u0000 nul',
  'x'.repeat(100_000),
];

/** Every string of a body replaced by `text` (nested objects too). */
function withText(value: unknown, text: string): unknown {
  if (typeof value === 'string') {
    return text;
  }
  if (Array.isArray(value)) {
    return value.map((v) => withText(v, text));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withText(v, text)]));
  }
  return value;
}

/** `{"a":{"a":…}}` nested `depth` deep. */
const deep = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/**
 * The bad-input walk: every endpoint of the OpenAPI document with a body or a path id, called by people of the
 * school who may use it, with hostile input — SQL and HTML injection, right-to-left and control characters,
 * 100,000-character strings, bodies of the wrong shape, deep JSON, unknown fields, ids that are not ids. Every
 * answer must be 2xx or a 4xx with a code and a Dutch message — never a 5xx — and afterwards the timeline still
 * verifies and the printable report shows no script.
 */
describe('bad input on every endpoint', () => {
  let system: System;
  let doc: OpenApi;
  let own: SchoolObjects;
  const callers: Api[] = [];

  beforeAll(async () => {
    system = await System.start({ SMS_SENDS_PER_PERSON_PER_HOUR: '1000' });
    doc = (await (await fetch(`${system.baseUrl}/api/docs-json`)).json()) as OpenApi;
    own = await prepareSchool(system, DEMO_SCHOOLS[0]!);
    for (const email of ['leider@deregenboog.example', 'beheer@deregenboog.example']) {
      callers.push(await system.login(email));
    }
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('answers 2xx or a clear 4xx to hostile input everywhere, never a 5xx', async () => {
    const problems: string[] = [];
    const check = (key: string, what: string, status: number, body: { code?: string; messageNl?: string }) => {
      if (status >= 500 || (status >= 400 && (!body?.code || !body?.messageNl))) {
        problems.push(`${key} (${what}): ${status} ${JSON.stringify(body).slice(0, 160)}`);
      }
    };
    let calls = 0;
    for (const { method, path, operation } of operationsOf(doc)) {
      const key = `${method} ${path}`;
      if (key.startsWith('POST /api/auth/') || key === 'POST /api/admin/queues/session') {
        continue; // covered by the accounts tests (their limits would lock the walk's callers out)
      }
      const hasBody = ['POST', 'PUT', 'DELETE'].includes(method) && !!operation.requestBody;
      const hasId = /\{/.test(path);
      if (!hasBody && !hasId) {
        continue;
      }
      const url = fillPath(path, own);
      const schema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
      const valid = hasBody ? (bodyFor(method, path, own) ?? sample(schema, doc, own) ?? {}) : undefined;
      for (const api of callers) {
        if (hasId) {
          const broken = path.replace(/\{[a-zA-Z]+\}/, encodeURIComponent("1' OR '1'='1"));
          const res = await api.request<{ code?: string; messageNl?: string }>(method, fillPath(broken, own), valid);
          calls += 1;
          check(key, 'id that is not an id', res.status, res.body);
        }
        if (!hasBody) {
          continue;
        }
        for (const text of HOSTILE_TEXTS) {
          const res = await api.request<{ code?: string; messageNl?: string }>(method, url, withText(valid, text));
          calls += 1;
          check(key, `text ${JSON.stringify(text.slice(0, 12))}`, res.status, res.body);
        }
        for (const [what, raw] of [
          ['array body', '[]'],
          ['string body', '"x"'],
          ['deep JSON', deep(5_000)],
          ['broken JSON', '{"a": '],
        ] as const) {
          const res = await fetch(`${system.baseUrl}${url}`, {
            method,
            headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
            body: raw,
          });
          const text = await res.text();
          calls += 1;
          check(key, what, res.status, text ? (JSON.parse(text) as { code?: string; messageNl?: string }) : {});
        }
        const extra = await api.request<{ code?: string; messageNl?: string; field?: string }>(method, url, {
          ...(valid as object),
          isAdmin: true,
        });
        calls += 1;
        if (extra.status !== 400 || extra.body.field !== 'isAdmin') {
          problems.push(`${key} (unknown field): ${extra.status} ${JSON.stringify(extra.body).slice(0, 160)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(300);

    // Nothing stored went wrong: the chain still verifies, and no script reaches the printable report.
    const leader = callers[0]!;
    expect((await leader.get<{ valid: boolean }>(`/api/incidents/${own.incidentId}/timeline/verify`)).body.valid).toBe(
      true,
    );
    const report = await leader.get(`/api/incidents/${own.incidentId}/report?format=html`);
    expect(report.status).toBe(200);
    expect(report.text).not.toMatch(/<script>|<img src=x/i);
    const csv = await leader.get(`/api/incidents/${own.incidentId}/timeline?format=csv`);
    expect(csv.status).toBe(200);
    // Paging the timeline out of range is a bad request that names the parameter, also beyond the database's
    // integers.
    for (const [query, field] of [
      ['afterSeq=3000000000', 'afterSeq'],
      ['afterSeq=-1', 'afterSeq'],
      ['afterSeq=1.5', 'afterSeq'],
      ['limit=1001', 'limit'],
      ['phase=6', 'phase'],
    ] as const) {
      const res = await leader.get<{ field?: string; messageNl?: string }>(
        `/api/incidents/${own.incidentId}/timeline?${query}`,
      );
      expect([query, res.status, res.body.field]).toEqual([query, 400, field]);
      expect(res.body.messageNl).toBeTruthy();
    }
    const last = await leader.get<unknown[]>(`/api/incidents/${own.incidentId}/timeline?afterSeq=2147483647`);
    expect([last.status, last.body]).toEqual([200, []]);
  }, 600_000);
});
