import { HttpException } from '@nestjs/common';

/** The error body of every refusal: `{statusCode, code, message}` plus the Dutch message and the field. */
export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  messageNl: string;
  field?: string;
}

export class ApiError extends HttpException {
  constructor(body: ApiErrorBody) {
    super(body, body.statusCode);
  }
}

export const forbidden = () =>
  new ApiError({
    statusCode: 403,
    code: 'FORBIDDEN',
    message: 'You may not do this at this school',
    messageNl: 'Dit mag je niet bij deze school',
  });

export const notFound = (what: string, whatNl: string) =>
  new ApiError({
    statusCode: 404,
    code: 'NOT_FOUND',
    message: `${what} not found`,
    messageNl: `${whatNl} niet gevonden`,
  });
