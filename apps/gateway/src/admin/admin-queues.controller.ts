import { All, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { request as httpRequest } from 'node:http';
import { AccountService, type Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { TokenService } from '../auth/token.service.js';
import { ApiError, forbidden } from '../common/api-error.js';

/** DI token: the notifier's internal HTTP address, where its queue board listens. */
export const NOTIFIER_ADMIN_URL = Symbol('NOTIFIER_ADMIN_URL');

const COOKIE = 'ck_admin_queues';
const BOARD = '/admin/queues';

const isAdmin = (caller: Caller) => caller.memberships.some((m) => m.role === 'admin');

function cookieToken(req: Request): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) {
      return value.join('=');
    }
  }
  return undefined;
}

/**
 * The queue board (bull-board) of the notifier, for admins only. A browser cannot send a bearer token when it
 * opens a page, so the app first asks for a short cookie (`POST /api/admin/queues/session`, bearer) that is
 * only sent to /admin/queues; the gateway checks it on every request and passes the request to the notifier's
 * internal port.
 */
@ApiTags('admin')
@Controller()
export class AdminQueuesController {
  constructor(
    private readonly tokens: TokenService,
    private readonly accounts: AccountService,
    @Inject(NOTIFIER_ADMIN_URL) private readonly notifierUrl: string,
  ) {}

  /** Opens the queue board for this browser: an HttpOnly cookie for /admin/queues, as long as the token lives. */
  @Post('api/admin/queues/session')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The cookie is set; open /admin/queues' })
  session(@CurrentCaller() caller: Caller, @Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    if (!isAdmin(caller)) {
      throw forbidden();
    }
    const token = (req.header('authorization') ?? '').split(' ')[1] ?? '';
    const claims = this.tokens.verify(token)!;
    const maxAge = Math.max(0, claims.exp - Math.floor(Date.now() / 1000));
    const secure = req.secure || req.header('x-forwarded-proto') === 'https' ? '; Secure' : '';
    res.setHeader(
      'Set-Cookie',
      `${COOKIE}=${token}; Path=${BOARD}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
    );
  }

  @All([BOARD, `${BOARD}/*path`])
  @ApiExcludeEndpoint()
  async board(@Req() req: Request, @Res() res: Response): Promise<void> {
    const bearer = (req.header('authorization') ?? '').split(' ');
    const token = bearer[0] === 'Bearer' ? bearer[1] : cookieToken(req);
    const claims = token ? this.tokens.verify(token) : null;
    // The cookie is an access token: logout and a lost phone's revoke end it with its session, as for the API.
    const caller = claims ? await this.accounts.callerOfSession(claims.sub, claims.sid) : null;
    if (!caller) {
      throw new ApiError({
        statusCode: 401,
        code: 'UNAUTHENTICATED',
        message: 'Log in first',
        messageNl: 'Log eerst in',
      });
    }
    if (!isAdmin(caller)) {
      throw forbidden();
    }
    await this.proxy(req, res);
  }

  private proxy(req: Request, res: Response): Promise<void> {
    const target = new URL(req.originalUrl, this.notifierUrl);
    return new Promise((resolve) => {
      const upstream = httpRequest(
        target,
        {
          method: req.method,
          headers: { accept: req.header('accept') ?? '*/*', 'content-type': req.header('content-type') ?? '' },
        },
        (answer) => {
          res.status(answer.statusCode ?? 502);
          for (const header of ['content-type', 'cache-control', 'location', 'etag']) {
            const value = answer.headers[header];
            if (value !== undefined) {
              res.setHeader(header, value);
            }
          }
          answer.pipe(res);
          answer.on('end', resolve);
        },
      );
      upstream.on('error', () => {
        res.status(503).json({
          statusCode: 503,
          code: 'SERVICE_UNAVAILABLE',
          message: 'The queue board is not reachable',
          messageNl: 'Het wachtrijoverzicht is niet bereikbaar',
        });
        resolve();
      });
      if (req.body && typeof req.body === 'object' && Object.keys(req.body as object).length > 0) {
        upstream.end(JSON.stringify(req.body));
      } else {
        upstream.end();
      }
    });
  }
}
