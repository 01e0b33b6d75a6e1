import { Body, Controller, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NOTIFICATION_CHANNELS, RpcPattern, type NotificationChannel } from '#lib/contracts';
import type { Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { RpcClient } from '../common/rpc.client.js';

class SetPhoneRequestDto {
  @ApiProperty({ example: '06 12345678', description: 'E.164, or a Dutch mobile number as people write it' })
  @IsString()
  @MaxLength(40)
  phone!: string;

  @ApiPropertyOptional({
    enum: NOTIFICATION_CHANNELS,
    isArray: true,
    example: ['push', 'sms'],
    description: 'The order in which to try the channels (default push, then SMS); SMS always stays a fallback',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(NOTIFICATION_CHANNELS, { each: true })
  channelOrder?: NotificationChannel[];
}

class PhoneDto {
  @ApiProperty({ example: '+31612345678', description: 'As stored: E.164' }) phone!: string;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS, isArray: true }) channelOrder!: NotificationChannel[];
}

/** The caller's own contact channels; the notifier alone keeps them. */
@ApiTags('contact')
@ApiBearerAuth()
@Controller('api/me')
export class ContactController {
  constructor(private readonly rpc: RpcClient) {}

  /** The number for SMS when push does not reach the phone. Dutch `06…` numbers are normalised to E.164. */
  @Put('phone')
  @HttpCode(200)
  @ApiOkResponse({ type: PhoneDto })
  setPhone(@CurrentCaller() caller: Caller, @Body() body: SetPhoneRequestDto): Promise<PhoneDto> {
    return this.rpc.call(RpcPattern.SetPhone, {
      personId: caller.personId,
      phone: body.phone,
      ...(body.channelOrder ? { channelOrder: body.channelOrder } : {}),
    });
  }
}
