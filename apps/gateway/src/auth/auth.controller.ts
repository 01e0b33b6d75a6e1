import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { AccountService, type Caller } from '../account/account.service.js';
import { ApiError } from '../common/api-error.js';
import { CurrentCaller, Public } from './auth.guard.js';
import { LoginCodeService } from './login-code.service.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.js';
import { RateLimiter, tooMany } from './rate-limiter.js';
import { SessionDevices } from './session-devices.js';
import { SessionService } from './session.service.js';
import { TokenService } from './token.service.js';

/** How logins are guarded (gateway environment). */
export interface AuthSettings {
  /** `crisis-team`: crisis-team accounts need a one-time SMS code after their password. */
  smsCode: 'crisis-team' | 'off';
  failuresPerAccount: number;
  attemptsPerAddress: number;
  /** Whether the refresh cookie is `Secure` (PUBLIC_BASE_URL is https). */
  secureCookie: boolean;
}
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** Login attempts are counted in windows of 15 minutes. */
const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Login codes sent to one person per window. */
const LOGIN_CODES_PER_WINDOW = 5;
/** The HttpOnly cookie that carries the refresh token for the phone app and its service worker. */
export const REFRESH_COOKIE = 'ck_refresh';

class LoginRequestDto {
  @ApiProperty({ example: 'leider@deregenboog.example' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'Crisisklaar-demo-2026' }) @IsString() @MaxLength(200) password!: string;
}

class OtpRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() challengeId!: string;
  @ApiProperty({ example: '123456' })
  @Matches(/^[0-9]{6}$/, { message: 'must be the 6 digits of the SMS' })
  code!: string;
}

class RefreshRequestDto {
  @ApiPropertyOptional({ description: 'The refresh token; the phone app sends it as the HttpOnly cookie instead' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

class LoginResponseDto {
  @ApiPropertyOptional({ description: 'The bearer token (absent while a login code is needed)' })
  accessToken?: string;
  @ApiPropertyOptional() expiresAt?: string;
  @ApiPropertyOptional({ description: 'Rotates on every refresh; also set as the HttpOnly cookie ck_refresh' })
  refreshToken?: string;
  @ApiPropertyOptional() refreshExpiresAt?: string;
  @ApiPropertyOptional({ description: 'True: a 6-digit code went by SMS; send it to POST /api/auth/otp' })
  otpRequired?: boolean;
  @ApiPropertyOptional({ format: 'uuid' }) challengeId?: string;
  @ApiPropertyOptional({ example: '•••• 34' }) phoneHint?: string | null;
}

class MembershipDto {
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty() boardId!: string;
  @ApiProperty({ enum: ['admin', 'crisis_team', 'staff', 'management'] }) role!: string;
}

class MeDto {
  @ApiProperty() personId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [MembershipDto] }) memberships!: MembershipDto[];
}

const wrongCredentials = () =>
  new ApiError({
    statusCode: 401,
    code: 'INVALID_CREDENTIALS',
    message: 'Wrong e-mail address or password',
    messageNl: 'Onjuist e-mailadres of wachtwoord',
  });

const sessionEnded = () =>
  new ApiError({
    statusCode: 401,
    code: 'SESSION_ENDED',
    message: 'The session has ended: log in again',
    messageNl: 'De sessie is afgelopen: log opnieuw in',
  });

/**
 * Told only to whoever gave the right password (and never before the password is checked): a wrong password on a
 * disabled account is the ordinary 401, so the answer reveals nothing to someone guessing.
 */
export const accountDisabled = () =>
  new ApiError({
    statusCode: 403,
    code: 'ACCOUNT_DISABLED',
    message: 'This account has been disabled: ask the administrator of your school',
    messageNl: 'Dit account is uitgeschakeld: vraag de beheerder van je school',
  });

/** The refresh token from the cookie header, without a cookie library. */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      return decodeURIComponent(rest.join('='));
    }
  }
  return undefined;
}

/**
 * Logging in: e-mail and password (scrypt), then for crisis-team accounts a one-time SMS code; a session per
 * device with short access tokens and a rotating refresh token (also an HttpOnly cookie for the phone app and its
 * service worker). Failed logins are limited per account and per address. The shape leaves room for OIDC: a
 * verified identity from Entra ID or Google would enter at `complete()`.
 */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly accounts: AccountService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly devices: SessionDevices,
    private readonly codes: LoginCodeService,
    private readonly limiter: RateLimiter,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto, description: 'Tokens, or `otpRequired` with a challenge' })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the same answer for both)' })
  @ApiForbiddenResponse({ description: 'ACCOUNT_DISABLED: the password was right, but an admin disabled the account' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for the account or from the address' })
  async login(
    @Body() body: LoginRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    const email = body.email.trim().toLowerCase();
    const address = await this.limiter.hit(`login:address:${req.ip ?? 'unknown'}`, {
      limit: this.settings.attemptsPerAddress,
      windowSeconds: LOGIN_WINDOW_SECONDS,
    });
    const accountBudget = { limit: this.settings.failuresPerAccount, windowSeconds: LOGIN_WINDOW_SECONDS };
    const account = await this.limiter.exhausted(`login:account:${email}`, accountBudget);
    if (!address.allowed || account.exhausted) {
      res.setHeader('Retry-After', String(Math.max(address.retryAfterSeconds, account.retryAfterSeconds)));
      throw tooMany(Math.max(address.retryAfterSeconds, account.retryAfterSeconds), {
        en: 'Too many login attempts',
        nl: 'Te veel inlogpogingen',
      });
    }
    const found = await this.accounts.findByEmail(email);
    // Compare against a dummy hash when the account does not exist: the answer time does not tell.
    const ok = await verifyPassword(body.password, found?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!found?.passwordHash || !ok) {
      await this.limiter.hit(`login:account:${email}`, accountBudget);
      throw wrongCredentials();
    }
    if (found.disabledAt) {
      throw accountDisabled();
    }
    const caller = await this.accounts.caller(found.personId);
    if (this.settings.smsCode === 'crisis-team' && caller?.memberships.some((m) => m.role === 'crisis_team')) {
      // Each code costs an SMS: a handful per person per window, whoever knows the password.
      const sends = await this.limiter.hit(`login-code:person:${found.personId}`, {
        limit: LOGIN_CODES_PER_WINDOW,
        windowSeconds: LOGIN_WINDOW_SECONDS,
      });
      if (!sends.allowed) {
        res.setHeader('Retry-After', String(sends.retryAfterSeconds));
        throw tooMany(sends.retryAfterSeconds, { en: 'Too many login codes', nl: 'Te veel inlogcodes' });
      }
      const { challengeId, phoneHint } = await this.codes.start(found.personId);
      return { otpRequired: true, challengeId, phoneHint };
    }
    return this.complete(found.personId, req, res);
  }

  /** The second step for crisis-team accounts: the 6-digit code from the SMS (once, within 10 minutes, 5 tries). */
  @Public()
  @Post('auth/otp')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong, used or expired code' })
  @ApiForbiddenResponse({ description: 'ACCOUNT_DISABLED: the account was disabled since the password was given' })
  async otp(
    @Body() body: OtpRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    const personId = await this.codes.verify(body.challengeId, body.code);
    return this.complete(personId, req, res);
  }

  /** A new access token (and refresh token) for the refresh token in the body or the cookie. */
  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, revoked or reused refresh token' })
  async refresh(
    @Body() body: RefreshRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponseDto> {
    const presented = body.refreshToken ?? cookieValue(req, REFRESH_COOKIE);
    const rotated = presented ? await this.sessions.rotate(presented) : null;
    if (!rotated || !(await this.accounts.caller(rotated.personId))) {
      this.clearCookie(res);
      throw sessionEnded();
    }
    return this.tokensFor(rotated.personId, rotated, res);
  }

  /**
   * Ends this session: its access and refresh tokens stop working, and the push devices registered from it are
   * removed (the person's other devices keep their pushes). A notifier that does not answer is asked again later.
   */
  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse()
  async logout(
    @CurrentCaller() caller: Caller,
    @Req() req: Request & { sessionId?: string },
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    if (req.sessionId) {
      await this.sessions.revoke(req.sessionId, 'logout', { removeDevices: true });
      await this.devices.remove(caller.personId, req.sessionId);
    }
    this.clearCookie(res);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentCaller() caller: Caller): MeDto {
    return caller;
  }

  /** A verified person gets a session. (An OIDC login would end here too.) */
  private async complete(personId: string, req: Request, res: Response): Promise<LoginResponseDto> {
    if (await this.accounts.isDisabled(personId)) {
      throw accountDisabled();
    }
    const session = await this.sessions.create(personId, req.header('user-agent') ?? null);
    return this.tokensFor(personId, session, res);
  }

  private tokensFor(
    personId: string,
    session: { sessionId: string; refreshToken: string; expiresAt: Date },
    res: Response,
  ): LoginResponseDto {
    const { token, expiresAt } = this.tokens.issue(personId, session.sessionId);
    res.cookie(REFRESH_COOKIE, session.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.settings.secureCookie,
      path: '/api/auth',
      expires: session.expiresAt,
    });
    return {
      accessToken: token,
      expiresAt: expiresAt.toISOString(),
      refreshToken: session.refreshToken,
      refreshExpiresAt: session.expiresAt.toISOString(),
    };
  }

  private clearCookie(res: Response): void {
    res.clearCookie(REFRESH_COOKIE, { path: '/api/auth', httpOnly: true, sameSite: 'strict' });
  }
}
