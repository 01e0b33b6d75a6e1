import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort, natsServerBinary } from './nats-server.js';

/** One node of a private loopback cluster. */
export interface ClusterNode {
  name: string;
  url: string;
  clientPort: number;
  clusterPort: number;
  dataDir: string;
  running(): boolean;
}

/**
 * Three `nats-server -js` processes on loopback, each with its own ports and store, routed to each other as
 * one JetStream cluster: tests kill and restart nodes (by PID only) to see what a stream at 3 replicas keeps.
 */
export class NatsCluster {
  private readonly children = new Map<string, ChildProcess>();
  private readonly output = new Map<string, string>();

  private constructor(readonly nodes: ClusterNode[]) {}

  static async start(size = 3): Promise<NatsCluster> {
    const ports = await Promise.all(Array.from({ length: size * 2 }, () => freePort()));
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < size; i += 1) {
      const clientPort = ports[i * 2]!;
      const clusterPort = ports[i * 2 + 1]!;
      nodes.push({
        name: `ck-${i + 1}`,
        url: `nats://127.0.0.1:${clientPort}`,
        clientPort,
        clusterPort,
        dataDir: await mkdtemp(join(tmpdir(), `crisisklaar-cluster-${i + 1}-`)),
        running: () => false,
      });
    }
    const cluster = new NatsCluster(nodes);
    for (const node of nodes) {
      node.running = () => {
        const child = cluster.children.get(node.name);
        return !!child && child.exitCode === null && child.signalCode === null;
      };
    }
    process.once('exit', () => cluster.killAll());
    await Promise.all(nodes.map((node) => cluster.launch(node)));
    return cluster;
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  node(name: string): ClusterNode {
    const found = this.nodes.find((n) => n.name === name);
    if (!found) {
      throw new Error(`no node ${name} (nodes: ${this.nodes.map((n) => n.name).join(', ')})`);
    }
    return found;
  }

  /** SIGKILL: a crash of that node. */
  kill(name: string): void {
    this.children.get(name)?.kill('SIGKILL');
  }

  /** Starts the node again on its ports and store, and waits until it accepts connections. */
  async restart(name: string): Promise<void> {
    const child = this.children.get(name);
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    }
    await this.launch(this.node(name));
  }

  /** What a node printed last (for a failure message). */
  log(name: string): string {
    return this.output.get(name) ?? '';
  }

  async dispose(): Promise<void> {
    this.killAll();
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) =>
            child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
          ),
      ),
    );
    await Promise.all(this.nodes.map((n) => rm(n.dataDir, { recursive: true, force: true })));
  }

  private killAll(): void {
    for (const child of this.children.values()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    }
  }

  private async launch(node: ClusterNode): Promise<void> {
    const routes = this.nodes
      .filter((n) => n.name !== node.name)
      .map((n) => `nats-route://127.0.0.1:${n.clusterPort}`)
      .join(',');
    const child = spawn(
      natsServerBinary(),
      [
        '-a',
        '127.0.0.1',
        '-p',
        String(node.clientPort),
        '-n',
        node.name,
        '-js',
        '-sd',
        node.dataDir,
        '--cluster_name',
        'crisisklaar-test',
        '--cluster',
        `nats://127.0.0.1:${node.clusterPort}`,
        '--routes',
        routes,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.set(node.name, child);
    const keep = (chunk: Buffer): void => {
      this.output.set(node.name, ((this.output.get(node.name) ?? '') + chunk.toString('utf8')).slice(-4_000));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${node.name} exited at start:\n${this.log(node.name)}`);
      }
      if (await accepts(node.clientPort)) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${node.name} did not accept connections within 15 s:\n${this.log(node.name)}`);
  }
}
