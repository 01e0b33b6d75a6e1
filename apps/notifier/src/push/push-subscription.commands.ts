import { Type } from 'class-transformer';
import {
  IsBase64,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { BrowserPushSubscription } from '#lib/contracts';

class PushKeys {
  @IsBase64({ urlSafe: true }) @Length(80, 100) p256dh!: string;
  @IsBase64({ urlSafe: true }) @Length(16, 32) auth!: string;
}

export class PushSubscriptionDto implements BrowserPushSubscription {
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false }) @MaxLength(2048) endpoint!: string;
  @IsOptional() @IsNumber() expirationTime?: number | null;
  @ValidateNested() @Type(() => PushKeys) keys!: PushKeys;
}

export class RegisterPushSubscriptionCommand {
  @IsUUID() personId!: string;
  @ValidateNested() @Type(() => PushSubscriptionDto) subscription!: PushSubscriptionDto;
  @IsOptional() @IsString() @MaxLength(300) userAgent?: string;
  @IsOptional() @IsUUID() sessionId?: string;
}

export class RemovePushSubscriptionCommand {
  @IsUUID() personId!: string;
  @IsString() @MaxLength(2048) endpoint!: string;
}

export class RemoveSessionPushSubscriptionsCommand {
  @IsUUID() personId!: string;
  @IsUUID() sessionId!: string;
}
