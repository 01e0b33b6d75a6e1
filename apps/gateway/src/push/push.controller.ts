import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateNested } from 'class-validator';
import type { Request } from 'express';
import { RpcPattern } from '#lib/contracts';
import type { Caller } from '../account/account.service.js';
import { CurrentCaller, Public } from '../auth/auth.guard.js';
import { RpcClient } from '../common/rpc.client.js';

export const VAPID_PUBLIC_KEY = Symbol('VAPID_PUBLIC_KEY');

class PushKeysDto {
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9_-]{80,100}={0,2}$/) p256dh!: string;
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9_-]{16,32}={0,2}$/) auth!: string;
}

/** A browser's PushSubscription, as `JSON.stringify(subscription)` gives it. */
class PushSubscriptionDto {
  @ApiProperty({ example: 'https://push.example/abc' })
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  endpoint!: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) @IsOptional() @IsNumber() expirationTime?: number | null;
  @ApiProperty({ type: PushKeysDto }) @ValidateNested() @Type(() => PushKeysDto) keys!: PushKeysDto;
}

class RemoveSubscriptionDto {
  @ApiProperty() @IsString() @MaxLength(2048) endpoint!: string;
}

class VapidKeyDto {
  @ApiProperty() publicKey!: string;
}

class SubscriptionCreatedDto {
  @ApiProperty() id!: string;
  @ApiProperty() created!: boolean;
}

@ApiTags('push')
@Controller('api/push')
export class PushController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(VAPID_PUBLIC_KEY) private readonly vapidPublicKey: string,
  ) {}

  @Public()
  @Get('vapid-public-key')
  @ApiOkResponse({ type: VapidKeyDto })
  vapidKey(): VapidKeyDto {
    return { publicKey: this.vapidPublicKey };
  }

  /**
   * Registers this device for push. Normalised to the caller: a subscription always belongs to who sends it, and
   * to the session it was sent from (logging out removes it).
   */
  @Post('subscriptions')
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: SubscriptionCreatedDto })
  subscribe(
    @CurrentCaller() caller: Caller,
    @Body() body: PushSubscriptionDto,
    @Req() req: Request & { sessionId?: string },
  ): Promise<SubscriptionCreatedDto> {
    const userAgent = req.header('user-agent')?.slice(0, 300);
    return this.rpc.call(RpcPattern.RegisterPushSubscription, {
      personId: caller.personId,
      subscription: { endpoint: body.endpoint, expirationTime: body.expirationTime ?? null, keys: body.keys },
      ...(userAgent ? { userAgent } : {}),
      // The login it came from: logging out on this device removes it (the person's other devices stay).
      ...(req.sessionId ? { sessionId: req.sessionId } : {}),
    });
  }

  @Delete('subscriptions')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ description: '{ removed: boolean }' })
  unsubscribe(@CurrentCaller() caller: Caller, @Body() body: RemoveSubscriptionDto): Promise<{ removed: boolean }> {
    return this.rpc.call(RpcPattern.RemovePushSubscription, { personId: caller.personId, endpoint: body.endpoint });
  }
}
