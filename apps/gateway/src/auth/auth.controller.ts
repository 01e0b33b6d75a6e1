import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { AccountService, type Caller } from '../account/account.service.js';
import { ApiError } from '../common/api-error.js';
import { CurrentCaller, Public } from './auth.guard.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.js';
import { TokenService } from './token.service.js';

class LoginRequestDto {
  @ApiProperty({ example: 'leider@deregenboog.example' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'Crisisklaar-demo-2026' }) @IsString() @MaxLength(200) password!: string;
}

class LoginResponseDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty() expiresAt!: string;
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

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly accounts: AccountService,
    private readonly tokens: TokenService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the same answer for both)' })
  async login(@Body() body: LoginRequestDto): Promise<LoginResponseDto> {
    const account = await this.accounts.findByEmail(body.email);
    // Compare against a dummy hash when the account does not exist: the answer time does not tell.
    const ok = await verifyPassword(body.password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!account || !ok) {
      throw new ApiError({
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'Wrong e-mail address or password',
        messageNl: 'Onjuist e-mailadres of wachtwoord',
      });
    }
    const { token, expiresAt } = this.tokens.issue(account.personId);
    return { accessToken: token, expiresAt: expiresAt.toISOString() };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeDto })
  me(@CurrentCaller() caller: Caller): MeDto {
    return caller;
  }
}
