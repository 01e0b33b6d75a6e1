import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, YAMLParseError } from 'yaml';
import { StartupError } from '#lib/platform';
import { durationMs } from '../protocol/iso-duration.js';
import { Checker } from './catalog-checker.js';
import { loadCommunicationCatalog } from './communication-catalog.js';
import type {
  CalamityTypeDefinition,
  Catalog,
  PhaseDefinition,
  RoleDefinition,
  TaskPriority,
  TaskTemplate,
} from './catalog.types.js';

/** A catalog that does not validate: every problem as `file: path: problem`. It stops the app at boot. */
export class CatalogError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`the protocol catalog is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The catalog folder of the source tree, whether this runs compiled (dist/) or from source (tests). */
export function defaultCatalogDir(): string {
  return fileURLToPath(new URL('../../catalog/', import.meta.url)).replace(/\/dist\/apps\//, '/apps/');
}

const PRIORITIES: readonly TaskPriority[] = ['critical', 'high', 'normal'];
const TASK_KEYS = [
  'id',
  'calamityTypes',
  'phase',
  'role',
  'deadline',
  'priority',
  'ackRequired',
  'title',
  'instruction',
  'sources',
  'parties',
];

/** Parses one file; `name` is how messages call it (`deaths.yaml`). */
function parseYaml(text: string, name: string, problems: string[]): unknown {
  try {
    return parse(text);
  } catch (error) {
    problems.push(
      error instanceof YAMLParseError
        ? `${name}: not valid YAML: ${error.message.split('\n')[0]}`
        : `${name}: cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
}

function checkHeader(raw: unknown, c: Checker) {
  const root = c.object(raw, '(root)', ['version', 'roles', 'phases', 'calamityTypes']);
  const version = root ? c.text(root.version, 'version', 40) : undefined;
  const roles: RoleDefinition[] = [];
  const phases: PhaseDefinition[] = [];
  const calamityTypes: CalamityTypeDefinition[] = [];
  (c.list(root?.roles, 'roles') ?? []).forEach((entry, i) => {
    const obj = c.object(entry, `roles[${i}]`, ['id', 'name']);
    const id = c.id(obj?.id, `roles[${i}].id`);
    const name = c.localized(obj?.name, `roles[${i}].name`, 80);
    if (id && roles.some((r) => r.id === id)) {
      c.fail(`roles[${i}].id`, `duplicate role "${id}"`);
    } else if (id && name) {
      roles.push({ id, name });
    }
  });
  (c.list(root?.phases, 'phases') ?? []).forEach((entry, i) => {
    const obj = c.object(entry, `phases[${i}]`, ['id', 'name']);
    const name = c.localized(obj?.name, `phases[${i}].name`, 80);
    if (typeof obj?.id !== 'number' || !Number.isInteger(obj.id) || obj.id < 0 || obj.id > 9) {
      c.fail(`phases[${i}].id`, 'must be a whole number 0-9');
    } else if (name) {
      phases.push({ id: obj.id, name });
    }
  });
  (c.list(root?.calamityTypes, 'calamityTypes') ?? []).forEach((entry, i) => {
    const path = `calamityTypes[${i}]`;
    const obj = c.object(entry, path, ['id', 'name', 'description', 'sources']);
    const id = c.id(obj?.id, `${path}.id`);
    const name = c.localized(obj?.name, `${path}.name`, 120);
    const description = c.localized(obj?.description, `${path}.description`, 2000);
    const sources = c.sources(obj?.sources, `${path}.sources`);
    if (id && calamityTypes.some((t) => t.id === id)) {
      c.fail(`${path}.id`, `duplicate calamity type "${id}"`);
    } else if (id && name && description && sources) {
      calamityTypes.push({ id, name, description, sources });
    }
  });
  return { version, roles, phases, calamityTypes };
}

function checkTask(
  entry: unknown,
  path: string,
  c: Checker,
  file: string,
  known: { roles: Set<string>; phases: Set<number>; types: Set<string>; parties: Set<string> },
): TaskTemplate | undefined {
  const obj = c.object(entry, path, TASK_KEYS);
  if (!obj) {
    return undefined;
  }
  const id = c.id(obj.id, `${path}.id`);
  const types = c.list(obj.calamityTypes, `${path}.calamityTypes`);
  types?.forEach((t, j) => {
    if (t !== '*' && (typeof t !== 'string' || !known.types.has(t))) {
      c.fail(`${path}.calamityTypes[${j}]`, `unknown calamity type ${JSON.stringify(t)}`);
    }
  });
  if (types?.length === 0) {
    c.fail(`${path}.calamityTypes`, 'must name at least one calamity type, or *');
  }
  if (typeof obj.role !== 'string' || !known.roles.has(obj.role)) {
    c.fail(`${path}.role`, `unknown role ${JSON.stringify(obj.role)}`);
  }
  if (typeof obj.phase !== 'number' || !known.phases.has(obj.phase) || obj.phase === 0) {
    c.fail(`${path}.phase`, `must be one of the catalog's incident phases (1-5), got ${JSON.stringify(obj.phase)}`);
  }
  let deadlineOk = false;
  try {
    deadlineOk = typeof obj.deadline === 'string' && durationMs(obj.deadline) > 0;
  } catch {
    deadlineOk = false;
  }
  if (!deadlineOk) {
    c.fail(
      `${path}.deadline`,
      `must be an ISO-8601 duration like PT15M, PT4H or P7D, got ${JSON.stringify(obj.deadline)}`,
    );
  }
  if (!PRIORITIES.includes(obj.priority as TaskPriority)) {
    c.fail(`${path}.priority`, `must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(obj.priority)}`);
  }
  if (typeof obj.ackRequired !== 'boolean') {
    c.fail(`${path}.ackRequired`, 'must be true or false');
  }
  const parties = obj.parties === undefined ? [] : (c.list(obj.parties, `${path}.parties`) ?? []);
  parties.forEach((party, j) => {
    if (typeof party !== 'string' || !known.parties.has(party)) {
      c.fail(`${path}.parties[${j}]`, `unknown party ${JSON.stringify(party)} (see communication.yaml)`);
    }
  });
  const title = c.localized(obj.title, `${path}.title`, 160);
  const instruction = c.localized(obj.instruction, `${path}.instruction`, 1200);
  const sources = c.sources(obj.sources, `${path}.sources`);
  if (!id || !types || !title || !instruction || !sources || !deadlineOk) {
    return undefined;
  }
  return {
    id,
    calamityTypes: types as string[],
    phase: obj.phase as number,
    role: obj.role as string,
    deadline: obj.deadline as string,
    priority: obj.priority as TaskPriority,
    ackRequired: obj.ackRequired as boolean,
    title,
    instruction,
    sources,
    parties: parties as string[],
    file,
  };
}

/**
 * Reads and validates the catalog: `catalog.yaml` (version, roles, phases, calamity types), `communication.yaml`
 * (message templates, rules per type, the parties of the sociale kaart) and every `tasks/*.yaml`. Throws a CatalogError listing every problem with its file and path, e.g.
 * `deaths.yaml: tasks[12].role: unknown role "pers"`.
 */
export function loadCatalog(dir: string = defaultCatalogDir()): Catalog {
  const problems: string[] = [];
  const digest = createHash('sha256');
  const read = (file: string, name: string) => {
    const text = readFileSafe(dir, file);
    digest.update(file).update(text);
    return text === '' ? (problems.push(`${name}: missing or empty`), undefined) : parseYaml(text, name, problems);
  };
  const headerChecker = new Checker('catalog.yaml');
  const header = checkHeader(read('catalog.yaml', 'catalog.yaml'), headerChecker);
  problems.push(...headerChecker.problems);

  const types = new Set(header.calamityTypes.map((t) => t.id));
  const communicationChecker = new Checker('communication.yaml');
  const communication = loadCommunicationCatalog(
    read('communication.yaml', 'communication.yaml'),
    communicationChecker,
    types,
  );
  problems.push(...communicationChecker.problems);
  const known = {
    roles: new Set(header.roles.map((r) => r.id)),
    phases: new Set(header.phases.map((p) => p.id)),
    types,
    parties: new Set(communication.parties.map((p) => p.id)),
  };
  const taskFiles = readdirSafe(join(dir, 'tasks'), problems).filter((f) => f.endsWith('.yaml'));
  const tasks: TaskTemplate[] = [];
  for (const name of taskFiles) {
    const file = `tasks/${name}`;
    const c = new Checker(name);
    const root = c.object(read(file, name), '(root)', ['tasks']);
    (c.list(root?.tasks, 'tasks') ?? []).forEach((entry, i) => {
      const task = checkTask(entry, `tasks[${i}]`, c, name, known);
      const twin = task && tasks.find((t) => t.id === task.id);
      if (twin) {
        c.fail(`tasks[${i}].id`, `duplicate task id "${task.id}" (also in ${twin.file})`);
      } else if (task) {
        tasks.push(task);
      }
    });
    problems.push(...c.problems);
  }
  for (const type of header.calamityTypes) {
    if (!tasks.some((t) => t.calamityTypes.includes('*') || t.calamityTypes.includes(type.id))) {
      problems.push(`catalog.yaml: calamityTypes: "${type.id}" has no tasks`);
    }
  }
  if (problems.length > 0 || !header.version) {
    throw new CatalogError(problems.length > 0 ? problems : ['catalog.yaml: version: missing']);
  }
  return {
    version: `${header.version}+${digest.digest('hex').slice(0, 8)}`,
    roles: header.roles,
    phases: header.phases,
    calamityTypes: header.calamityTypes,
    tasks,
    communication,
  };
}

function readFileSafe(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return '';
  }
}

function readdirSafe(dir: string, problems: string[]): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    problems.push(`tasks/: the folder of task files is missing (${dir})`);
    return [];
  }
}
