import twilio from 'twilio';
import type { Secret } from '#lib/platform';
import type { SmsRequest, SmsSender, SmsSendResult } from './sms-sender.port.js';
import { TwilioBaseUrlHttpClient } from './twilio-base-url.http-client.js';

export interface TwilioSettings {
  accountSid: string;
  authToken: Secret;
  /** A Messaging Service (preferred: Twilio picks the sender) or a From number. */
  sender: { messagingServiceSid: string } | { from: string };
  /** Only for tests: the base URL of a local fake of the Twilio API. */
  apiBaseUrl?: string;
}

interface TwilioError {
  status?: number;
  code?: number;
  message?: string;
  headers?: Record<string, string>;
}

/** SMS through Twilio's Messages API. */
export class TwilioSmsSender implements SmsSender {
  readonly provider = 'twilio' as const;
  private readonly client: twilio.Twilio;

  constructor(private readonly settings: TwilioSettings) {
    this.client = twilio(settings.accountSid, settings.authToken.reveal(), {
      ...(settings.apiBaseUrl ? { httpClient: new TwilioBaseUrlHttpClient(settings.apiBaseUrl) } : {}),
    });
  }

  async send(request: SmsRequest): Promise<SmsSendResult> {
    try {
      const message = await this.client.messages.create({
        to: request.to,
        body: request.body,
        statusCallback: request.statusCallback,
        validityPeriod: request.validitySeconds,
        ...this.settings.sender,
      });
      return { outcome: 'accepted', sid: message.sid, providerStatus: message.status };
    } catch (error) {
      return classify(error as TwilioError);
    }
  }

  validSignature(url: string, params: Record<string, string>, signature: string): boolean {
    return signature.length > 0 && twilio.validateRequest(this.settings.authToken.reveal(), signature, url, params);
  }
}

/** 429 and 5xx (and no answer at all) are worth another try; other 4xx refuse this message for good. */
function classify(error: TwilioError): SmsSendResult {
  const status = error.status;
  const detail = `twilio ${status ?? 'unreachable'}${error.code ? ` (${error.code})` : ''}`;
  if (status === undefined || status === 429 || status >= 500) {
    const retryAfter = Number(error.headers?.['retry-after']);
    return {
      outcome: 'retry',
      detail,
      rateLimited: status === 429,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
  return { outcome: 'rejected', code: String(error.code ?? status), detail };
}
