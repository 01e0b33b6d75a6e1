import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, IsUUID, Matches, Max, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import { RpcPattern, type RpcResponse } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { ContactEntity } from '../contact/contact.entity.js';
import { PUBLIC_BASE_URL } from '../delivery/public-url.token.js';
import { SMS_SENDER, type SmsSender } from './sms-sender.port.js';
import { loginCodeText } from './sms-text.js';

class SendLoginCodeCommand {
  @IsUUID() personId!: string;
  @Matches(/^[0-9]{6}$/) code!: string;
  @IsInt() @Min(1) @Max(10) validMinutes!: number;
}

/** "•••• 34": enough for a person to recognise their number, nothing more. */
export const phoneHint = (phone: string): string => `•••• ${phone.slice(-2)}`;

/**
 * The SMS of a login code goes out at once, straight to the provider: a person is waiting at the login screen,
 * and it must not queue behind a fan-out. The code is never logged.
 */
@Controller()
export class LoginCodeRpcController {
  private readonly log = new Logger(LoginCodeRpcController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SMS_SENDER) private readonly sms: SmsSender,
    @Inject(PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
  ) {}

  @MessagePattern(RpcPattern.SendLoginCode)
  async send(@Payload() data: unknown): Promise<RpcResponse<typeof RpcPattern.SendLoginCode>> {
    const command = validateRpc(SendLoginCodeCommand, data);
    const contact = await this.dataSource.getRepository(ContactEntity).findOneBy({ personId: command.personId });
    if (!contact?.phone) {
      return { outcome: 'no-phone', phoneHint: null };
    }
    if (this.sms.provider === 'local-outbox') {
      // The local outbox logs what it keeps: a login code must never reach a log, so it is not handed over.
      this.log.warn('login code NOT SENT: no SMS provider is configured');
      return { outcome: 'kept-locally', phoneHint: phoneHint(contact.phone) };
    }
    const result = await this.sms.send({
      to: contact.phone,
      body: loginCodeText(command.code, command.validMinutes),
      statusCallback: `${this.publicBaseUrl.replace(/\/$/, '')}/webhooks/twilio/status`,
      validitySeconds: command.validMinutes * 60,
    });
    if (result.outcome === 'accepted') {
      return { outcome: 'sent', phoneHint: phoneHint(contact.phone) };
    }
    this.log.warn(`login code SMS not accepted: ${result.outcome}`);
    return { outcome: 'failed', phoneHint: phoneHint(contact.phone) };
  }
}
