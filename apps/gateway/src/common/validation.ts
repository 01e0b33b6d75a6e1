import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error.js';

function firstProblem(errors: ValidationError[], prefix = ''): { field: string; detail: string } | null {
  for (const error of errors) {
    const field = `${prefix}${error.property}`;
    const constraints = Object.values(error.constraints ?? {});
    if (constraints.length > 0) {
      return { field, detail: constraints.join(', ') };
    }
    const nested = firstProblem(error.children ?? [], `${field}.`);
    if (nested) {
      return nested;
    }
  }
  return null;
}

/** Request bodies are validated and whitelisted; a refusal names the field, in Dutch and English. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const problem = firstProblem(errors) ?? { field: 'body', detail: 'is not valid' };
    return new ApiError({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      field: problem.field,
      message: `${problem.field}: ${problem.detail}`,
      messageNl: `${problem.field}: ongeldige of ontbrekende waarde`,
    });
  },
});
