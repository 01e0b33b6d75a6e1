import { connect } from 'node:net';
import { urlList } from './env.js';

export interface Dependency {
  name: 'PostgreSQL' | 'Redis' | 'NATS';
  /** The URL as configured (for NATS: one or more, comma-separated); only hosts and ports are printed. */
  url: string;
  variable: string;
}

const DEFAULT_PORTS: Record<Dependency['name'], number> = { PostgreSQL: 5432, Redis: 6379, NATS: 4222 };

/** How to start each service on a Debian machine (the commands the project machines use, STACK.md §1). */
export const START_HINTS: Record<Dependency['name'], string> = {
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  Redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
};

export function endpointOf(dep: Dependency): { host: string; port: number } {
  return endpointsOf(dep)[0]!;
}

/** Every host and port of the dependency (a NATS cluster lists several; one reachable node is enough). */
export function endpointsOf(dep: Dependency): { host: string; port: number }[] {
  return urlList(dep.url).map((one) => endpointOnly(dep.name, one));
}

function endpointOnly(name: Dependency['name'], raw: string): { host: string; port: number } {
  const url = new URL(raw);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : DEFAULT_PORTS[name] };
}

function probe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Checks that each service accepts connections, within `timeoutMs`. Returns one message per unreachable
 * service that says which one, where it looked (and from which variable), and how to start it.
 */
export async function unreachable(deps: Dependency[], timeoutMs = 2_000): Promise<string[]> {
  const results = await Promise.all(
    deps.map(async (dep) => {
      const endpoints = endpointsOf(dep);
      const reachable = await Promise.all(endpoints.map(({ host, port }) => probe(host, port, timeoutMs)));
      if (reachable.some(Boolean)) {
        return null;
      }
      const where = endpoints.map(({ host, port }) => `${host}:${port}`).join(', ');
      return `${dep.name} is not reachable at ${where} (from ${dep.variable}). Start it with:\n    ${START_HINTS[dep.name]}`;
    }),
  );
  return results.filter((r): r is string => r !== null);
}
