import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AccountService, type Caller } from '../account/account.service.js';
import { ApiError } from '../common/api-error.js';
import { TokenService } from './token.service.js';

const PUBLIC = 'crisisklaar:public';
/** An endpoint anyone may call (login, health, the VAPID key). */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthedRequest = Request & { caller?: Caller; sessionId?: string };

/** The authenticated caller of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
  if (!caller) {
    throw new Error('CurrentCaller used on a public endpoint');
  }
  return caller;
});

const unauthenticated = () =>
  new ApiError({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Log in first', messageNl: 'Log eerst in' });

/** Every endpoint needs a valid bearer token unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly accounts: AccountService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    // Only the API needs a person: /health and /metrics are for the operator's probes (keep them off the
    // public proxy), webhooks check their own signatures.
    if (
      !req.path.startsWith('/api/') ||
      this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])
    ) {
      return true;
    }
    const [scheme, token] = (req.header('authorization') ?? '').split(' ');
    const claims = scheme === 'Bearer' && token ? this.tokens.verify(token) : null;
    // A revoked session (logout, a lost phone) stops its access tokens at once, not when they expire; so does a
    // disabled account.
    const caller = claims ? await this.accounts.callerOfSession(claims.sub, claims.sid) : null;
    if (!claims || !caller) {
      throw unauthenticated();
    }
    req.caller = caller;
    req.sessionId = claims.sid;
    return true;
  }
}
