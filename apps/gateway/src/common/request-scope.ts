import { ParseUUIDPipe } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from '../account/account.service.js';
import { ApiError } from './api-error.js';

/** A path parameter that must be a UUID; anything else is a 400 naming it. */
export function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field,
        message: `${field}: must be a UUID`,
        messageNl: `${field}: moet een UUID zijn`,
      }),
  });
}

/**
 * Who acts, within which schools, under which correlation id: what every command to another app carries, so
 * that app scopes the object to the caller's schools (another school's object is "not found").
 */
export function actorScope(
  caller: Caller,
  req: Request & { correlationId?: string },
  fallbackCorrelation: string,
): { actorId: string; schoolIds: string[]; correlationId: string } {
  return {
    actorId: caller.personId,
    schoolIds: caller.memberships.map((m) => m.schoolId),
    correlationId: req.correlationId ?? fallbackCorrelation,
  };
}
