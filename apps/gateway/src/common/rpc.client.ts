import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { lastValueFrom, timeout, TimeoutError } from 'rxjs';
import { isRpcErrorBody, type RpcPattern, type RpcRequest, type RpcResponse } from '#lib/contracts';
import { ApiError } from './api-error.js';

export const NATS_CLIENT = Symbol('NATS_CLIENT');
export const RPC_TIMEOUT_MS = Symbol('RPC_TIMEOUT_MS');

/** Typed request/reply to the other apps; their refusals become HTTP errors with the same code. */
@Injectable()
export class RpcClient implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(NATS_CLIENT) private readonly client: ClientProxy,
    @Inject(RPC_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  async call<P extends RpcPattern>(pattern: P, request: RpcRequest<P>): Promise<RpcResponse<P>> {
    try {
      return await lastValueFrom(
        this.client.send<RpcResponse<P>, RpcRequest<P>>(pattern, request).pipe(timeout(this.timeoutMs)),
      );
    } catch (error) {
      if (isRpcErrorBody(error)) {
        throw new ApiError({ messageNl: error.message, ...error });
      }
      const unavailable =
        error instanceof TimeoutError || /no responders|timeout|closed|disconnect/i.test(String(error));
      throw new ApiError({
        statusCode: 503,
        code: unavailable ? 'SERVICE_UNAVAILABLE' : 'UPSTREAM_FAILED',
        message: 'A part of Crisisklaar did not answer; try again',
        messageNl: 'Een onderdeel van Crisisklaar reageerde niet; probeer het opnieuw',
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // Connect now rather than on the first request; NATS being down is reported by /health meanwhile.
    await this.client.connect().catch((error: unknown) => new Logger(RpcClient.name).warn(`NATS: ${String(error)}`));
  }

  isConnected(): boolean {
    try {
      return this.client.unwrap<{ isClosed(): boolean }>().isClosed() === false;
    } catch {
      return false; // not connected yet
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
