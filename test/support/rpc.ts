import { expect } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import type { RpcErrorBody } from '#lib/contracts';

/** Awaits a call that must be refused over request/reply, and returns the refusal's body for assertions. */
export async function rpcRefusal(promise: Promise<unknown>): Promise<RpcErrorBody> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RpcException);
    return (error as RpcException).getError() as RpcErrorBody;
  }
  throw new Error('expected the call to be refused');
}
