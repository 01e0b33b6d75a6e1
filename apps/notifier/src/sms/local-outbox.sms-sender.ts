import { Logger } from '@nestjs/common';
import type { SmsRequest, SmsSender, SmsSendResult } from './sms-sender.port.js';

/** `+31612345678` → `+316•••••678`: enough to tell numbers apart in a log, not enough to call. */
export function maskPhone(e164: string): string {
  return e164.length <= 7 ? '•••' : `${e164.slice(0, 4)}${'•'.repeat(e164.length - 7)}${e164.slice(-3)}`;
}

/**
 * No Twilio settings: SMS are kept in the local outbox (the sms_message table, shown on the delivery board as
 * "niet verstuurd / not sent") and logged, so that nothing goes silently nowhere.
 */
export class LocalOutboxSmsSender implements SmsSender {
  readonly provider = 'local-outbox' as const;
  private readonly log = new Logger('LocalSmsOutbox');

  send(request: SmsRequest): Promise<SmsSendResult> {
    this.log.warn(
      `SMS NOT SENT (no Twilio settings; kept in the local outbox) to ${maskPhone(request.to)}: ${request.body}`,
    );
    return Promise.resolve({ outcome: 'kept-locally' });
  }

  /** Without an auth token no webhook can be genuine. */
  validSignature(): boolean {
    return false;
  }
}
