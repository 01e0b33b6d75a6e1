import { Agent, type AgentOptions } from 'node:https';
import { isIP, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';

/** How long a connection opened ahead waits for its push before it is closed again. */
const SPARE_LIFETIME_MS = 30_000;

/**
 * An HTTPS agent that can open the connection to a push service before the push is ready. A calamity comes after
 * weeks of quiet, when no connection to the push service is open any more (either side closes an idle one after
 * seconds to minutes). The TLS handshake of the first push then lay on the way from the trigger to the first
 * phone: 12–27 ms measured on 2 cores while the trigger's other assignments were handled. The notifier now asks
 * for the connection as soon as it knows that a person with a device is to be notified, and the handshake runs
 * while the chain is written and the push job queued.
 *
 * Only when the agent holds no connection to that service at all (a cold start), one at a time per service:
 * in a burst the open connections are reused and nothing more is opened. An unused one closes after 30 s.
 */
export class PreconnectingAgent extends Agent {
  private readonly spares = new Map<string, { socket: TLSSocket; timer: NodeJS.Timeout }>();

  constructor(options: AgentOptions = {}) {
    // As Node's global agent, which the notifier used before: connections kept alive, the newest reused first.
    super({ keepAlive: true, scheduling: 'lifo', timeout: 5_000, ...options });
  }

  /** Opens a connection to the push service of `endpoint` unless one is open or opening. Never throws. */
  preconnect(endpoint: string): void {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return;
    }
    if (url.protocol !== 'https:') {
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    const key = `${host}:${port}`;
    if (this.spares.has(key) || this.holdsConnectionTo(key)) {
      return;
    }
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    const drop = () => {
      const spare = this.spares.get(key);
      if (spare?.socket === socket) {
        clearTimeout(spare.timer);
        this.spares.delete(key);
      }
    };
    // A failed preconnect costs nothing: the push opens its own connection and reports its own error.
    socket.on('error', drop);
    socket.once('close', drop);
    const timer = setTimeout(() => {
      drop();
      socket.destroy();
    }, SPARE_LIFETIME_MS);
    timer.unref();
    // Waiting, it does not keep the process alive (as the agent's free connections do not); its push refs it.
    socket.unref();
    this.spares.set(key, { socket, timer });
  }

  /** How many connections opened ahead are waiting for their push (for tests). */
  get spareCount(): number {
    return this.spares.size;
  }

  override createConnection(
    options: { host?: string | null; port?: number | string | null },
    callback?: (error: Error | null, socket: Socket) => void,
  ): Socket | undefined {
    const key = `${options.host ?? 'localhost'}:${Number(options.port ?? 443)}`;
    const spare = this.spares.get(key);
    if (spare && !spare.socket.destroyed) {
      clearTimeout(spare.timer);
      this.spares.delete(key);
      return spare.socket.ref();
    }
    return (super.createConnection as (o: unknown, cb?: unknown) => Socket | undefined)(options, callback);
  }

  override destroy(): void {
    for (const { socket, timer } of this.spares.values()) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.spares.clear();
    super.destroy();
  }

  /** True when a request to `host:port` would find a connection, busy or free (the agent's names begin so). */
  private holdsConnectionTo(key: string): boolean {
    const prefix = `${key}:`;
    return [this.sockets, this.freeSockets].some((pool) =>
      Object.entries(pool).some(([name, sockets]) => name.startsWith(prefix) && (sockets?.length ?? 0) > 0),
    );
  }
}
