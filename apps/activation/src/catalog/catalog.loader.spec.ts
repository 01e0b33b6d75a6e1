import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MESSAGE_AUDIENCES } from '#lib/contracts';
import { CatalogError, loadCatalog } from './catalog.loader.js';
import { tasksFor } from './catalog.types.js';

const header = () => ({
  version: '2026.1',
  roles: [
    { id: 'leader', name: { nl: 'Leider', en: 'Leader' } },
    { id: 'logkeeper', name: { nl: 'Logboek', en: 'Logkeeper' } },
  ],
  phases: [0, 1, 2].map((id) => ({ id, name: { nl: `Fase ${id}`, en: `Phase ${id}` } })),
  calamityTypes: [
    { id: 'fire', name: { nl: 'Brand', en: 'Fire' }, description: { nl: 'Brand', en: 'Fire' }, sources: ['S60'] },
    { id: 'threat', name: { nl: 'Dreiging', en: 'Threat' }, description: { nl: 'D', en: 'T' }, sources: ['S14'] },
  ],
});

const task = (overrides: Record<string, unknown> = {}) => ({
  id: 'common.convene',
  calamityTypes: ['*'],
  phase: 1,
  role: 'leader',
  deadline: 'PT15M',
  priority: 'critical',
  ackRequired: true,
  title: { nl: 'Roep het team bijeen', en: 'Convene the team' },
  instruction: { nl: 'Bel iedereen.', en: 'Call everyone.' },
  sources: ['S4'],
  ...overrides,
});

const communication = (overrides: Record<string, unknown> = {}) => ({
  audiences: MESSAGE_AUDIENCES.map((id) => ({
    id,
    name: { nl: id, en: id },
    release: id === 'core' ? 'none' : 'app',
    sources: ['S3'],
    template: { title: { nl: 'Titel', en: 'Title' }, body: { nl: '{{what}} {{core}}', en: '{{what}} {{core}}' } },
  })),
  rules: [{ calamityTypes: ['threat'], clearance: true, sources: ['S14'] }],
  parties: [
    {
      id: 'police',
      name: { nl: 'Politie', en: 'Police' },
      whenToCall: { nl: 'Bij dreiging', en: 'On a threat' },
      sources: ['S14'],
      national: [{ name: 'Alarmnummer', phone: '112' }],
    },
  ],
  pressInstruction: { nl: 'Verwijs door{{spokesperson}}', en: 'Refer{{spokesperson}}' },
  ...overrides,
});

const dirs: string[] = [];
function catalogDir(
  files: Record<string, unknown>,
  catalogYaml: unknown = header(),
  communicationYaml: unknown = communication(),
): string {
  const dir = mkdtempSync(join(tmpdir(), 'ck-catalog-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'tasks'));
  writeFileSync(join(dir, 'catalog.yaml'), typeof catalogYaml === 'string' ? catalogYaml : stringify(catalogYaml));
  writeFileSync(join(dir, 'communication.yaml'), stringify(communicationYaml));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'tasks', name), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}

function problemsOf(dir: string): string[] {
  try {
    loadCatalog(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as CatalogError).problems;
  }
  throw new Error('the catalog loaded, but it should not have');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe(loadCatalog.name, () => {
  it('loads a valid catalog, with a version that changes when a file changes without a bump', () => {
    const first = loadCatalog(
      catalogDir({ 'common.yaml': { tasks: [task(), task({ id: 'fire.count', calamityTypes: ['fire'] })] } }),
    );
    expect(first.version).toMatch(/^2026\.1\+[0-9a-f]{8}$/);
    expect(tasksFor(first, 'fire').map((t) => t.id)).toEqual(['common.convene', 'fire.count']);
    expect(tasksFor(first, 'threat').map((t) => t.id)).toEqual(['common.convene']);
    const edited = loadCatalog(
      catalogDir({ 'common.yaml': { tasks: [task({ deadline: 'PT20M' }), task({ id: 'fire.count' })] } }),
    );
    expect(edited.version).not.toBe(first.version);
  });

  it.each([
    ['an unknown role', { role: 'pers' }, 'deaths.yaml: tasks[1].role: unknown role "pers"'],
    [
      'an unknown calamity type',
      { calamityTypes: ['flood'] },
      'deaths.yaml: tasks[1].calamityTypes[0]: unknown calamity type "flood"',
    ],
    [
      'a deadline that is not a duration',
      { deadline: '15 minutes' },
      'deaths.yaml: tasks[1].deadline: must be an ISO-8601 duration',
    ],
    ['a deadline in months', { deadline: 'P1M' }, 'deaths.yaml: tasks[1].deadline'],
    [
      'an unknown priority',
      { priority: 'urgent' },
      'deaths.yaml: tasks[1].priority: must be one of critical, high, normal',
    ],
    ['phase 0 (preparation has no incident tasks)', { phase: 0 }, 'deaths.yaml: tasks[1].phase'],
    ['a phase the catalog does not have', { phase: 7 }, 'deaths.yaml: tasks[1].phase'],
    ['a missing English title', { title: { nl: 'Bel' } }, 'deaths.yaml: tasks[1].title.en: must be a non-empty text'],
    ['no source', { sources: [] }, 'deaths.yaml: tasks[1].sources: must name at least one source'],
    ['a malformed source key', { sources: ['protocol'] }, 'deaths.yaml: tasks[1].sources[0]: not a source key'],
    [
      'ackRequired that is not a boolean',
      { ackRequired: 'yes' },
      'deaths.yaml: tasks[1].ackRequired: must be true or false',
    ],
    ['a misspelt field', { dedline: 'PT5M' }, 'deaths.yaml: tasks[1].dedline: unknown field'],
    ['an id with capitals', { id: 'Death.Call' }, 'deaths.yaml: tasks[1].id: must be a lower-case id'],
  ])('stops on %s, naming the file, the path and the problem', (_what, change, expected) => {
    const dir = catalogDir({ 'deaths.yaml': { tasks: [task(), task({ id: 'death.call', ...change })] } });
    expect(problemsOf(dir).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('stops on a task id used twice, naming both files', () => {
    const dir = catalogDir({ 'a.yaml': { tasks: [task()] }, 'b.yaml': { tasks: [task()] } });
    expect(problemsOf(dir)).toContain('b.yaml: tasks[0].id: duplicate task id "common.convene" (also in a.yaml)');
  });

  it('stops on a file that is not YAML', () => {
    const dir = catalogDir({ 'broken.yaml': 'tasks:\n  - id: x\n   role: [unclosed' });
    expect(problemsOf(dir)[0]).toMatch(/^broken\.yaml: not valid YAML: /);
  });

  it('stops on a calamity type without any task', () => {
    const dir = catalogDir({ 'fire.yaml': { tasks: [task({ calamityTypes: ['fire'] })] } });
    expect(problemsOf(dir)).toContain('catalog.yaml: calamityTypes: "threat" has no tasks');
  });

  it('stops on a bad header: duplicate role, calamity type without sources', () => {
    const bad = header();
    bad.roles.push({ id: 'leader', name: { nl: 'x', en: 'x' } });
    bad.calamityTypes[1]!.sources = [];
    const problems = problemsOf(catalogDir({ 'common.yaml': { tasks: [task()] } }, bad));
    expect(problems).toContain('catalog.yaml: roles[2].id: duplicate role "leader"');
    expect(problems).toContain(
      'catalog.yaml: calamityTypes[1].sources: must name at least one source (S-key of domain/protocol.md)',
    );
  });

  it('reports every problem at once, not only the first', () => {
    const dir = catalogDir({
      'x.yaml': { tasks: [task({ role: 'pers' }), task({ id: 'y', priority: 'asap', deadline: 'soon' })] },
    });
    expect(problemsOf(dir).length).toBeGreaterThanOrEqual(3);
  });
  it('links tasks to the parties of the sociale kaart, and refuses a party it does not know', () => {
    const loaded = loadCatalog(catalogDir({ 'common.yaml': { tasks: [task({ parties: ['police'] })] } }));
    expect(loaded.tasks[0]!.parties).toEqual(['police']);
    expect(loaded.communication.parties[0]!.national).toEqual([{ name: 'Alarmnummer', phone: '112' }]);
    expect(problemsOf(catalogDir({ 'common.yaml': { tasks: [task({ parties: ['ggd'] })] } }))).toEqual([
      'common.yaml: tasks[0].parties[0]: unknown party "ggd" (see communication.yaml)',
    ]);
  });

  it('refuses message templates with an unknown place, a missing audience or a rule about an unknown audience', () => {
    const base = communication();
    const audiences = base.audiences
      .slice(1)
      .map((a, i) => (i === 0 ? { ...a, template: { ...a.template, body: { nl: '{{wat}}', en: '{{what}}' } } } : a));
    const problems = problemsOf(
      catalogDir({ 'common.yaml': { tasks: [task()] } }, header(), {
        ...base,
        audiences,
        rules: [{ calamityTypes: ['fire'], familyApproval: ['parents'], sources: ['S32'] }],
      }),
    );
    expect(problems).toEqual([
      'communication.yaml: audiences[0].template.body.nl: unknown place {{wat}} (one of what, where, when, who, actions, contact, help, school, core)',
      'communication.yaml: audiences: audience "core" has no template',
      'communication.yaml: rules[0].familyApproval[0]: unknown audience "parents"',
    ]);
  });

  it('refuses a party with a phone number that is not one, naming the place', () => {
    const base = communication();
    const parties = [{ ...base.parties[0]!, national: [{ name: 'Politie', phone: 'bel de wijkagent' }] }];
    expect(problemsOf(catalogDir({ 'common.yaml': { tasks: [task()] } }, header(), { ...base, parties }))).toEqual([
      'communication.yaml: parties[0].national[0].phone: not a phone number',
    ]);
  });
});
