import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiErrorBody } from './api-error.js';

const GENERIC: Record<number, { code: string; message: string; messageNl: string }> = {
  400: { code: 'BAD_REQUEST', message: 'The request is not valid', messageNl: 'Het verzoek is niet geldig' },
  401: { code: 'UNAUTHENTICATED', message: 'Log in first', messageNl: 'Log eerst in' },
  403: { code: 'FORBIDDEN', message: 'Not allowed', messageNl: 'Niet toegestaan' },
  404: { code: 'NOT_FOUND', message: 'Not found', messageNl: 'Niet gevonden' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'The request is too large', messageNl: 'Het verzoek is te groot' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON', messageNl: 'Stuur JSON' },
  429: {
    code: 'TOO_MANY_REQUESTS',
    message: 'Too many requests, try again shortly',
    messageNl: 'Te veel verzoeken, probeer het zo opnieuw',
  },
};

/** Every error leaves as `{statusCode, code, message, messageNl}`; an unexpected one is logged and answered 500 without details. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    // Outside the API (health checks) a framework's own body, such as terminus' report, goes out unchanged.
    if (exception instanceof HttpException && !http.getRequest<Request>().path.startsWith('/api')) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    res.status(this.statusOf(exception)).json(this.bodyOf(exception));
  }

  private statusOf(exception: unknown): number {
    if (exception instanceof HttpException) {
      return exception.getStatus();
    }
    const status = (exception as { status?: unknown; statusCode?: unknown } | null)?.status;
    // body-parser errors (malformed JSON, too large) carry a 4xx status of their own
    return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
  }

  private bodyOf(exception: unknown): ApiErrorBody {
    const statusCode = this.statusOf(exception);
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'code' in response) {
        return response as ApiErrorBody;
      }
    }
    if (statusCode === 500) {
      this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      return {
        statusCode,
        code: 'INTERNAL',
        message: 'Something went wrong on our side',
        messageNl: 'Er ging iets mis bij ons',
      };
    }
    const type = (exception as { type?: string } | null)?.type;
    if (type === 'entity.parse.failed') {
      return {
        statusCode,
        code: 'MALFORMED_JSON',
        message: 'The body is not valid JSON',
        messageNl: 'De inhoud is geen geldige JSON',
      };
    }
    const generic = GENERIC[statusCode] ?? {
      code: 'ERROR',
      message: 'Request refused',
      messageNl: 'Verzoek geweigerd',
    };
    return { statusCode, ...generic };
  }
}
