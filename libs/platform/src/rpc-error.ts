import { RpcException } from '@nestjs/microservices';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { passesQuickly, type RpcErrorBody } from '#lib/contracts';

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

/**
 * Validates a request/reply payload against a class-validator class. The bus is not trusted: the gateway
 * validated the HTTP request, but anything can publish on NATS. The class's constraints are checked quickly
 * first (a Twilio status callback, dozens a second in a crisis, is one of these); class-validator names what is
 * wrong when that check is not sure.
 */
export function validateRpc<T extends object>(cls: new () => T, data: unknown): T {
  const instance = plainToInstance(cls, data ?? {});
  if (passesQuickly(cls, instance)) {
    return instance;
  }
  const errors = validateSync(instance, { forbidUnknownValues: true });
  const first = errors[0];
  if (first) {
    const detail = Object.values(first.constraints ?? {}).join(', ') || 'is not valid';
    throw validationFailed(first.property, `${first.property}: ${detail}`, `${first.property}: ongeldige waarde`);
  }
  return instance;
}
