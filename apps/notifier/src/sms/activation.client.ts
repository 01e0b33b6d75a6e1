import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom, timeout } from 'rxjs';
import { isRpcErrorBody, RpcPattern, type RpcRequest, type RpcResponse } from '#lib/contracts';

export const ACTIVATION_NATS_CLIENT = Symbol('ACTIVATION_NATS_CLIENT');

/** The one command the notifier gives activation: a person acknowledged a task by SMS reply. */
@Injectable()
export class ActivationClient implements OnApplicationShutdown {
  constructor(@Inject(ACTIVATION_NATS_CLIENT) private readonly client: ClientProxy) {}

  /** Resolves with the task, or rejects with activation's refusal (`code`, `message`) or a transport error. */
  acknowledge(
    request: RpcRequest<typeof RpcPattern.AcknowledgeTask>,
  ): Promise<RpcResponse<typeof RpcPattern.AcknowledgeTask>> {
    return lastValueFrom(this.client.send(RpcPattern.AcknowledgeTask, request).pipe(timeout(5_000)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** A short, log-safe description of why a call failed. */
export function refusalOf(error: unknown): string {
  return isRpcErrorBody(error) ? `${error.code}: ${error.message}` : String(error);
}
