import { RpcException } from '@nestjs/microservices';
import type { RpcErrorBody } from '#lib/contracts';

/** A refusal that crosses the request/reply boundary with a stable code and a message in Dutch and English. */
export function rpcError(body: RpcErrorBody): RpcException {
  return new RpcException(body);
}

export function validationFailed(field: string, message: string, messageNl: string): RpcException {
  return rpcError({ statusCode: 400, code: 'VALIDATION_FAILED', field, message, messageNl });
}

export function notFound(what: string, whatNl: string): RpcException {
  return rpcError({
    statusCode: 404,
    code: 'NOT_FOUND',
    message: `${what} not found`,
    messageNl: `${whatNl} niet gevonden`,
  });
}
