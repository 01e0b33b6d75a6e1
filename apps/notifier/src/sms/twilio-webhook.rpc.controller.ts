import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsObject, IsString, Matches, MaxLength } from 'class-validator';
import { RpcPattern, type TwilioWebhookResponse } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { TwilioWebhookService } from './twilio-webhook.service.js';

class TwilioWebhookDto {
  @IsString() @MaxLength(500) @Matches(/^\/webhooks\/twilio\//) path!: string;
  @IsObject() params!: Record<string, string>;
  @IsString() @MaxLength(200) signature!: string;
}

/** The gateway forwards Twilio's webhooks here: only the notifier holds the auth token that checks them. */
@Controller()
export class TwilioWebhookRpcController {
  constructor(private readonly webhooks: TwilioWebhookService) {}

  @MessagePattern(RpcPattern.TwilioStatusWebhook)
  status(@Payload() data: unknown): Promise<TwilioWebhookResponse> {
    return this.webhooks.status(validateRpc(TwilioWebhookDto, data));
  }

  @MessagePattern(RpcPattern.TwilioInboundWebhook)
  inbound(@Payload() data: unknown): Promise<TwilioWebhookResponse> {
    return this.webhooks.inbound(validateRpc(TwilioWebhookDto, data));
  }
}
