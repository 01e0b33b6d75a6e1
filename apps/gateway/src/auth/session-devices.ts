import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RpcPattern } from '#lib/contracts';
import { RpcClient } from '../common/rpc.client.js';
import { SessionService } from './session.service.js';

/**
 * The push devices of a session that ended with a logout: the notifier removes the subscriptions registered from
 * it. The session is marked before asking, so when the notifier does not answer (or the gateway dies in between)
 * the removal is retried every {@link SessionDevices.INTERVAL_MS} until it is confirmed (RELIABILITY.md S6).
 */
@Injectable()
export class SessionDevices implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly INTERVAL_MS = 15_000;
  private readonly log = new Logger(SessionDevices.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly sessions: SessionService,
    private readonly rpc: RpcClient,
  ) {}

  /** Removes the session's devices now: how many, or null when the notifier did not answer (retried later). */
  async remove(personId: string, sessionId: string): Promise<number | null> {
    try {
      const { removed } = await this.rpc.call(RpcPattern.RemoveSessionPushSubscriptions, { personId, sessionId });
      await this.sessions.devicesRemoved(sessionId);
      return removed;
    } catch (error) {
      this.log.warn(`push devices of ended session ${sessionId} not removed yet (retried): ${String(error)}`);
      return null;
    }
  }

  /** One pass over the sessions still waiting. */
  async retryPending(): Promise<void> {
    for (const { personId, sessionId } of await this.sessions.pendingDeviceRemovals()) {
      if ((await this.remove(personId, sessionId)) === null) {
        return; // the notifier is not answering: the next pass tries again
      }
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.retryPending()
        .catch((error: unknown) => this.log.warn(`retrying push device removals failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, SessionDevices.INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
