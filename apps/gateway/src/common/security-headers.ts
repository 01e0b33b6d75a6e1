import type { NextFunction, Request, Response } from 'express';

/** The phone app's policy: everything from this origin, nothing inline, no frames, no plug-ins. */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The API documentation page (Swagger UI) needs its own inline script and styles. */
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Security headers on every answer: a strict content security policy, no sniffing, no referrer, no framing,
 * HSTS when served over https. A route may set a stricter CSP of its own (the printable report does).
 */
export function securityHeaders(https: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', req.path.startsWith('/api/docs') ? DOCS_CSP : APP_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (https) {
      res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
    if (req.path.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
    }
    res.removeHeader('X-Powered-By');
    next();
  };
}

/**
 * Bodies the parser refuses answer like every other refusal — JSON with a code, the field and both languages —
 * instead of Express's HTML page: too large (413), not JSON (400).
 */
export function bodyErrors(
  error: { type?: string; status?: number },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (error?.type === 'entity.too.large') {
    res.status(413).json({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      field: 'body',
      message: 'body: too large',
      messageNl: 'body: te groot',
    });
    return;
  }
  if (error?.type === 'entity.parse.failed' || error?.type === 'encoding.unsupported' || error?.status === 400) {
    res.status(400).json({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
      message: 'body: not valid JSON',
      messageNl: 'body: geen geldige JSON',
    });
    return;
  }
  next(error);
}

/** How deep a JSON body may nest: no endpoint needs more, and deeper input would exhaust the validators. */
export const MAX_BODY_DEPTH = 32;
/** C0 control characters (and DEL), but tab, newline and carriage return: PostgreSQL refuses NUL, people never type them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/**
 * Half of a UTF-16 surrogate pair (JSON may spell one as `\ud800`): not text. PostgreSQL refuses it in JSON and
 * UTF-8 cannot hold it, so it would be stored changed or not at all.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks the shape of a parsed body before any validator sees it, without recursion: nested at most
 * {@link MAX_BODY_DEPTH} deep, and no control characters in any text. Refusals name the field.
 */
export function bodyShape(req: Request, res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') {
    next();
    return;
  }
  const refuse = (field: string, message: string, messageNl: string) => {
    res.status(400).json({ statusCode: 400, code: 'VALIDATION_FAILED', field, message, messageNl });
  };
  const stack: { value: object; depth: number; path: string }[] = [{ value: body, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (depth > MAX_BODY_DEPTH) {
      refuse('body', `body: nested more than ${MAX_BODY_DEPTH} deep`, `body: dieper genest dan ${MAX_BODY_DEPTH}`);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      if (typeof child === 'string' && CONTROL.test(child)) {
        refuse(field, `${field}: contains control characters`, `${field}: bevat stuurtekens`);
        return;
      }
      if (typeof child === 'string' && LONE_SURROGATE.test(child)) {
        refuse(field, `${field}: is not valid Unicode text`, `${field}: is geen geldige Unicode-tekst`);
        return;
      }
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child as object, depth: depth + 1, path: field });
      }
    }
  }
  next();
}
