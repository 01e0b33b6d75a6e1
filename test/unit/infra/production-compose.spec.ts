import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PRODUCTION_MIN_REPLICAS } from '#lib/platform';
import { loadActivationEnv } from '../../../apps/activation/src/activation.env.js';
import { loadGatewayEnv } from '../../../apps/gateway/src/gateway.env.js';
import { loadNotifierEnv } from '../../../apps/notifier/src/notifier.env.js';
import { loadTimelineEnv } from '../../../apps/timeline/src/timeline.env.js';
import { APPS, entryPoint, MEMORY_ENV, repoRoot } from '../../../scripts/launcher.js';

/**
 * infra/compose/production.yml and the NATS cluster configs it mounts, read as an operator would: what keeps an
 * acknowledged event or a queued notification alive (RELIABILITY.md §1, §2), and what lets each app boot with
 * NODE_ENV=production. `.ci/run` also validates the file with docker-compose itself (`config -q`).
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const composePath = resolve(root, 'infra/compose/production.yml');
const composeDir = dirname(composePath);

// ---- reading the files -------------------------------------------------------------------------------------------

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function readCompose(text: string): Compose {
  return parse(text, { merge: true }) as Compose;
}

/** Compose's interpolation: ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}, $X and $$. */
function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') {
        return '$';
      }
      const name = braced ?? bare!;
      const v = vars[name];
      const missing = op?.startsWith(':') ? v === undefined || v === '' : v === undefined;
      if (op?.endsWith('?') && missing) {
        throw new Error(`${name} is required: ${arg ?? ''}`);
      }
      if (op?.endsWith('-') && missing) {
        return arg ?? '';
      }
      return v ?? '';
    },
  );
}

type ConfValue = string | number | boolean | ConfValue[] | ConfMap;
interface ConfMap {
  [key: string]: ConfValue;
}

/**
 * The subset of the nats-server configuration format the cluster files use: `key: value` (or `=`, or a space),
 * `key { ... }` blocks, `key: [ ... ]` lists one item a line, # comments. Anything else throws, naming the line.
 */
function parseNatsConf(text: string): ConfMap {
  const top: ConfMap = {};
  const stack: (ConfMap | ConfValue[])[] = [top];
  const scalar = (raw: string): ConfValue => {
    const v = raw.replace(/[,;]$/, '').trim();
    if (/^".*"$/.test(v) || /^'.*'$/.test(v)) {
      return v.slice(1, -1);
    }
    if (/^\d+$/.test(v)) {
      return Number(v);
    }
    return v === 'true' ? true : v === 'false' ? false : v;
  };
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine
      .replace(/#.*$/, '')
      .replace(/^\s*\/\/.*$/, '')
      .trim();
    if (line === '') {
      return;
    }
    const current = stack[stack.length - 1]!;
    if (line === '}' || line === ']') {
      stack.pop();
      return;
    }
    if (Array.isArray(current)) {
      current.push(scalar(line));
      return;
    }
    const m = /^([A-Za-z_][\w-]*)\s*(?:[:=]\s*|\s+)(.*)$/.exec(line);
    if (!m) {
      throw new Error(`line ${i + 1}: cannot read "${line}"`);
    }
    const [, key, rest] = m as unknown as [string, string, string];
    if (rest === '{') {
      const block: ConfMap = {};
      current[key] = block;
      stack.push(block);
    } else if (rest === '[') {
      const list: ConfValue[] = [];
      current[key] = list;
      stack.push(list);
    } else if (/^\[.*\]$/.test(rest)) {
      current[key] = rest
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(scalar);
    } else {
      current[key] = scalar(rest);
    }
  });
  if (stack.length !== 1) {
    throw new Error('unbalanced { } or [ ]');
  }
  return top;
}

interface Mount {
  source: string;
  target: string;
  named: boolean;
}
function mounts(service: Service): Mount[] {
  return (service.volumes ?? []).map((v) => {
    const [source = '', target = ''] = v.split(':');
    return { source, target, named: !/^[./~]/.test(source) };
  });
}

/** A configuration value as the file spells it, for messages. */
const show = (value: ConfValue | undefined): string =>
  typeof value === 'string' ? value : value === undefined ? 'unset' : JSON.stringify(value);

const portOf = (address: ConfValue | undefined): number | undefined =>
  address === undefined ? undefined : Number(/(\d+)$/.exec(show(address))?.[1]);

// ---- what an operator needs --------------------------------------------------------------------------------------

const natsServices = (compose: Compose): string[] =>
  Object.keys(compose.services).filter((name) => /^nats:/.test(compose.services[name]!.image ?? ''));

/** The mounted config file of a NATS node, resolved on the host, and where the container reads it. */
function natsConfigMount(service: Service): { file: string; target: string } | undefined {
  const args = service.command ?? [];
  const flag = args.findIndex((a) => a === '--config' || a === '-c');
  const target = flag >= 0 ? args[flag + 1] : undefined;
  const mount = mounts(service).find((m) => !m.named && m.target === target);
  return mount && target ? { file: resolve(composeDir, mount.source), target } : undefined;
}

/** Everything wrong with the NATS cluster: the compose services and each node's configuration. */
function natsProblems(compose: Compose, readConf: (file: string) => string): string[] {
  const problems: string[] = [];
  const names = natsServices(compose);
  if (names.length !== 3) {
    problems.push(`want 3 NATS nodes, found ${names.length} (${names.join(', ')})`);
  }
  const volumesSeen = new Map<string, string>();
  const clusterNames = new Set<string>();
  for (const name of names) {
    const service = compose.services[name]!;
    const version = /^nats:(\d+)\.(\d+)/.exec(service.image ?? '');
    if (!version || Number(version[1]) * 100 + Number(version[2]) < 210) {
      problems.push(`${name}: image ${service.image}: sync_interval needs nats-server 2.10 or later`);
    }
    const data = mounts(service).filter((m) => m.named);
    if (data.length !== 1) {
      problems.push(`${name}: want one named volume of its own, found ${data.length}`);
    }
    for (const m of data) {
      if (volumesSeen.has(m.source)) {
        problems.push(`${name}: volume ${m.source} is also ${volumesSeen.get(m.source)}'s`);
      }
      volumesSeen.set(m.source, name);
    }
    if (!service.healthcheck?.test?.join(' ').includes('/healthz')) {
      problems.push(`${name}: no healthcheck on /healthz`);
    }
    if (!service.restart) {
      problems.push(`${name}: no restart policy`);
    }
    const config = natsConfigMount(service);
    if (!config || !existsSync(config.file)) {
      problems.push(`${name}: no config file mounted where its command's --config points`);
      continue;
    }
    const where = `${name} (${relative(root, config.file)})`;
    let conf: ConfMap;
    try {
      conf = parseNatsConf(readConf(config.file));
    } catch (error) {
      problems.push(`${where}: ${String(error)}`);
      continue;
    }
    if (conf.server_name !== name) {
      problems.push(`${where}: server_name ${show(conf.server_name)}, want ${name}`);
    }
    if (conf.client_advertise !== `${name}:4222`) {
      problems.push(`${where}: client_advertise ${show(conf.client_advertise)}, want ${name}:4222`);
    }
    if (!portOf(conf.http)) {
      problems.push(`${where}: no monitoring port (http)`);
    }
    const maxPayload = conf.max_payload;
    if (typeof maxPayload !== 'number' || maxPayload <= 0 || maxPayload > 8 * 1024 * 1024) {
      problems.push(`${where}: max_payload ${show(maxPayload)}, want a byte count up to 8 MiB`);
    }
    const js = conf.jetstream;
    if (!js || typeof js !== 'object' || Array.isArray(js)) {
      problems.push(`${where}: no jetstream block`);
    } else {
      if (js.sync_interval !== 'always') {
        problems.push(`${where}: jetstream sync_interval ${show(js.sync_interval)}, want always (RELIABILITY.md §1)`);
      }
      const storeDir = typeof js.store_dir === 'string' ? js.store_dir : undefined;
      if (!storeDir || !data.some((m) => storeDir === m.target || storeDir.startsWith(`${m.target}/`))) {
        problems.push(`${where}: jetstream store_dir ${storeDir ?? 'unset'} is not in the node's volume`);
      }
      if (js.max_file_store === 0) {
        problems.push(`${where}: max_file_store 0 disables the file store`);
      }
    }
    const cluster = conf.cluster;
    if (!cluster || typeof cluster !== 'object' || Array.isArray(cluster)) {
      problems.push(`${where}: no cluster block`);
      continue;
    }
    clusterNames.add(show(cluster.name));
    const routePort = portOf(cluster.listen);
    const routes = (Array.isArray(cluster.routes) ? cluster.routes : []).map(String).sort();
    const wanted = names
      .filter((n) => n !== name)
      .map((n) => `nats-route://${n}:${routePort}`)
      .sort();
    if (JSON.stringify(routes) !== JSON.stringify(wanted)) {
      problems.push(`${where}: routes ${routes.join(', ') || 'none'}, want ${wanted.join(', ')}`);
    }
  }
  if (clusterNames.size !== 1 || clusterNames.has('undefined')) {
    problems.push(`the nodes disagree on the cluster name: ${[...clusterNames].join(', ')}`);
  }
  return problems;
}

function redisProblems(compose: Compose): string[] {
  const entry = Object.entries(compose.services).find(([, s]) => /^redis:7/.test(s.image ?? ''));
  if (!entry) {
    return ['no redis:7 service'];
  }
  const [name, service] = entry;
  const args = service.command ?? [];
  const option = (key: string) => {
    const i = args.indexOf(`--${key}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const problems: string[] = [];
  for (const [key, want] of [
    ['appendonly', 'yes'],
    ['appendfsync', 'everysec'],
    ['maxmemory-policy', 'noeviction'],
  ] as const) {
    if (option(key) !== want) {
      problems.push(`${name}: --${key} ${option(key)}, want ${want} (RELIABILITY.md §2)`);
    }
  }
  const data = mounts(service).find((m) => m.named);
  if (!data || option('dir') !== data.target) {
    problems.push(`${name}: the AOF directory (--dir ${option('dir')}) is not a named volume`);
  }
  return problems;
}

/** Dummy values of the right shape for the variables the file requires, as .ci/run passes them. */
const DUMMY_VARS: Record<string, string> = {
  POSTGRES_PASSWORD: 'ci0123456789abcdef',
  AUTH_TOKEN_SECRET: 'a'.repeat(40),
  PUBLIC_BASE_URL: 'https://crisisklaar.example',
  VAPID_PUBLIC_KEY: `B${'A'.repeat(86)}`,
  VAPID_PRIVATE_KEY: 'p'.repeat(43),
  VAPID_SUBJECT: 'mailto:beheer@crisisklaar.example',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 't'.repeat(32),
  TWILIO_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}`,
};

function envOf(service: Service, vars: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ''), vars)]),
  );
}

const SECRET_NAME = /_TOKEN$|_KEY$|SECRET|PASSWORD/;
const REQUIRED_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}$/;

/** Secrets must come from required variables: a literal, or a default after `:-`, would be a committed secret. */
function secretProblems(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, raw] of Object.entries(service.environment ?? {})) {
      const value = String(raw ?? '');
      if (SECRET_NAME.test(key) && !REQUIRED_REF.test(value)) {
        problems.push(`${name}: ${key} is not a required \${...:?...} reference`);
      }
      const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(value)?.[1];
      if (password !== undefined && !REQUIRED_REF.test(password)) {
        problems.push(`${name}: ${key} has a password in the URL that is not a required \${...:?...} reference`);
      }
    }
  }
  return problems;
}

/** .env.example's names, and those it marks required: no value to copy, or a comment above saying "Required". */
function envExample(): { names: Set<string>; required: string[] } {
  const names = new Set<string>();
  const required: string[] = [];
  let comments: string[] = [];
  for (const line of readFileSync(resolve(root, '.env.example'), 'utf8').split('\n')) {
    const set = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const commentedOut = /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (set) {
      names.add(set[1]!);
      if (set[2]!.trim() === '' || comments.some((c) => /\brequired\b/i.test(c))) {
        required.push(set[1]!);
      }
      comments = [];
    } else if (commentedOut) {
      names.add(commentedOut[1]!);
    } else if (line.startsWith('#')) {
      comments.push(line);
    } else {
      comments = [];
    }
  }
  return { names, required };
}

// ---- the tests -----------------------------------------------------------------------------------------------------

const composeText = readFileSync(composePath, 'utf8');
const compose = readCompose(composeText);
const readFile = (file: string) => readFileSync(file, 'utf8');
const LOADERS = {
  gateway: loadGatewayEnv,
  activation: loadActivationEnv,
  notifier: loadNotifierEnv,
  timeline: loadTimelineEnv,
} as const;

describe('infra/compose/production.yml', () => {
  it('runs a 3-node NATS cluster: own volume and config each, file store, sync_interval always, routes to the others', () => {
    expect(natsProblems(compose, readFile)).toEqual([]);
    // The compose file mounts exactly the three cluster files in infra/nats/cluster/.
    const files = natsServices(compose).map((n) => relative(root, natsConfigMount(compose.services[n]!)!.file));
    expect(files.sort()).toEqual([
      'infra/nats/cluster/n1.conf',
      'infra/nats/cluster/n2.conf',
      'infra/nats/cluster/n3.conf',
    ]);
  });

  it('notices a node without sync_interval always, a shared volume or a missing route', () => {
    const withoutSync = (file: string) =>
      file.endsWith('n2.conf') ? readFile(file).replace(/^\s*sync_interval:.*$/m, '') : readFile(file);
    expect(natsProblems(compose, withoutSync)).toEqual([
      expect.stringContaining('nats-2 (infra/nats/cluster/n2.conf): jetstream sync_interval unset'),
    ]);

    const oneRoute = (file: string) =>
      file.endsWith('n1.conf') ? readFile(file).replace(/^\s*nats-route:\/\/nats-3:6222\s*$/m, '') : readFile(file);
    expect(natsProblems(compose, oneRoute)).toEqual([
      expect.stringContaining('nats-1 (infra/nats/cluster/n1.conf): routes'),
    ]);

    const shared = readCompose(composeText.replace('nats-3-data:/data', 'nats-2-data:/data'));
    expect(natsProblems(shared, readFile)).toEqual([
      expect.stringContaining("nats-3: volume nats-2-data is also nats-2's"),
    ]);
  });

  it('keeps Redis from evicting or forgetting: appendonly yes, appendfsync everysec, noeviction, a volume', () => {
    expect(redisProblems(compose)).toEqual([]);
    const evicting = readCompose(composeText.replace("'noeviction'", "'allkeys-lru'"));
    expect(redisProblems(evicting)).toEqual([expect.stringContaining('--maxmemory-policy allkeys-lru')]);
  });

  it('keeps PostgreSQL in a volume, with its password from a required variable', () => {
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:15/);
    expect(mounts(postgres)).toContainEqual(
      expect.objectContaining({ target: '/var/lib/postgresql/data', named: true }),
    );
    expect(String(postgres.environment?.POSTGRES_PASSWORD)).toMatch(REQUIRED_REF);
  });

  it('builds the four apps from one Dockerfile, each running its own entry point with NODE_ENV=production', () => {
    const dockerfile = readFile(resolve(root, 'infra/docker/Dockerfile'));
    expect(dockerfile).toMatch(/^FROM node:20\S* AS build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    // The image runs the apps with the memory settings the launcher gives them (npm start, tests, benchmarks).
    for (const [name, value] of Object.entries(MEMORY_ENV)) {
      expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
    }
    for (const app of APPS) {
      const service = compose.services[app];
      expect(service).toBeDefined();
      expect(resolve(composeDir, service!.build?.context ?? '')).toBe(resolve(root));
      expect(service!.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(service!.command).toEqual(['node', relative(repoRoot(), entryPoint(app))]);
      expect(service!.environment?.NODE_ENV).toBe('production');
      expect(service!.restart).toBeTruthy();
      expect(service!.healthcheck?.test?.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:\d+\/health\b/);
      const waitsFor = ['postgres', ...natsServices(compose), ...(app === 'notifier' ? ['redis'] : [])];
      for (const dependency of waitsFor) {
        expect([app, dependency, service!.depends_on?.[dependency]?.condition]).toEqual([
          app,
          dependency,
          'service_healthy',
        ]);
      }
    }
  });

  it('gives each app only names from .env.example, and every variable .env.example marks required', () => {
    const { names, required } = envExample();
    expect(required).toEqual(expect.arrayContaining(['AUTH_TOKEN_SECRET', 'VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY']));
    const given = new Map<string, string>();
    for (const app of APPS) {
      for (const [key, value] of Object.entries(compose.services[app]!.environment ?? {})) {
        expect([app, key, names.has(key)]).toEqual([app, key, true]);
        given.set(key, String(value));
      }
    }
    for (const name of required) {
      expect([name, given.get(name)]).toEqual([name, expect.stringMatching(REQUIRED_REF)]);
    }
  });

  it('passes each app its own boot validation in production (NATS_URL, replicas, secrets of the right shape)', () => {
    for (const app of APPS) {
      const config = LOADERS[app](envOf(compose.services[app]!, DUMMY_VARS));
      expect([app, config.NODE_ENV, config.SEED_DEMO]).toEqual([app, 'production', false]);
      expect(config.NATS_STREAM_REPLICAS).toBeGreaterThanOrEqual(PRODUCTION_MIN_REPLICAS);
    }
  });

  it('takes no secret from the file: secrets are required ${...:?...} references, and missing ones stop compose', () => {
    expect(secretProblems(compose)).toEqual([]);
    const leaked = readCompose(composeText.replace(/TWILIO_AUTH_TOKEN: \$\{[^}]*\}/, 'TWILIO_AUTH_TOKEN: abc123'));
    expect(secretProblems(leaked)).toEqual(['notifier: TWILIO_AUTH_TOKEN is not a required ${...:?...} reference']);
    const { POSTGRES_PASSWORD: _omitted, ...withoutPassword } = DUMMY_VARS;
    expect(() => envOf(compose.services.gateway!, withoutPassword)).toThrow('POSTGRES_PASSWORD is required');
  });
});
