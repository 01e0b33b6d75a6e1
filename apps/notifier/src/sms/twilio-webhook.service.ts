import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  metaCausedBy,
  type EventEnvelope,
  type TwilioWebhookRequest,
  type TwilioWebhookResponse,
} from '#lib/contracts';
import { addToOutbox } from '#lib/messaging';
import { ContactEntity } from '../contact/contact.entity.js';
import { fromTwilioStatus } from '../delivery/notification-status.js';
import { PUBLIC_BASE_URL } from '../delivery/public-url.token.js';
import { NotificationEntity } from '../delivery/notification.entity.js';
import { EscalationEntity } from '../escalation/escalation.entity.js';
import { EscalationService } from '../escalation/escalation.service.js';
import { ActivationClient, refusalOf } from './activation.client.js';
import { InboundSmsEntity, SmsMessageEntity } from './sms-message.entity.js';
import { SMS_SENDER, type SmsSender } from './sms-sender.port.js';
import { appLink, isAcknowledgement, REPLY_TEXT } from './sms-text.js';

const FORBIDDEN: TwilioWebhookResponse = { status: 403, contentType: 'text/plain', body: 'Forbidden' };
const NO_CONTENT: TwilioWebhookResponse = { status: 204, contentType: 'text/plain', body: '' };

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A TwiML answer: the reply SMS Twilio sends back to the phone (or none). */
export function twiml(message?: string): TwilioWebhookResponse {
  const body = message
    ? `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${xml(message)}</Message></Response>`
    : '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  return { status: 200, contentType: 'text/xml', body };
}

/**
 * Twilio's two webhooks, signature-checked against PUBLIC_BASE_URL: status callbacks (monotonic, so late,
 * doubled and out-of-order ones leave the right state) and replies (`ok`, `ja`, `1` acknowledge the sender's
 * most recent open task; anything else is put on the timeline and answered with the link).
 */
@Injectable()
export class TwilioWebhookService {
  private readonly log = new Logger(TwilioWebhookService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SMS_SENDER) private readonly sender: SmsSender,
    @Inject(PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
    private readonly escalation: EscalationService,
    private readonly activation: ActivationClient,
  ) {}

  private signedBy(request: TwilioWebhookRequest): boolean {
    const url = `${this.publicBaseUrl.replace(/\/$/, '')}${request.path}`;
    const valid = this.sender.validSignature(url, request.params, request.signature);
    if (!valid) {
      this.log.warn(`refused a Twilio webhook to ${request.path} with an invalid signature`);
    }
    return valid;
  }

  async status(request: TwilioWebhookRequest): Promise<TwilioWebhookResponse> {
    if (!this.signedBy(request)) {
      return FORBIDDEN;
    }
    const sid = request.params.MessageSid ?? request.params.SmsSid ?? '';
    const reported = request.params.MessageStatus ?? request.params.SmsStatus ?? '';
    const errorCode = request.params.ErrorCode;
    const next = fromTwilioStatus(reported, errorCode);
    // The message's notification and provider, in one read.
    const found =
      sid && next
        ? await this.dataSource
            .getRepository(NotificationEntity)
            .createQueryBuilder('n')
            .innerJoin(SmsMessageEntity, 'm', 'm.notification_id = n.id')
            .addSelect('m.provider', 'sms_provider')
            .where('m.sid = :sid', { sid })
            .getRawAndEntities<{ sms_provider: SmsMessageEntity['provider'] }>()
        : null;
    const notification = found?.entities[0];
    const provider = found?.raw[0]?.sms_provider;
    if (!notification || !provider || !next) {
      return NO_CONTENT; // not ours, or a status we do not track: nothing to change, and no retry wanted
    }
    // The provider is named here too: a callback can overtake the sender's own record of the message.
    const changed = await this.escalation.recordOutcome(notification, next, {
      provider,
      reason: next === 'expired' ? 'sms_validity_expired' : `sms_${reported}`,
      ...(errorCode ? { detail: `twilio error ${errorCode}` } : {}),
    });
    if (changed) {
      await this.dataSource
        .getRepository(SmsMessageEntity)
        .update(
          { notificationId: notification.id },
          { providerStatus: reported, errorCode: errorCode ?? null, updatedAt: new Date() },
        );
    }
    return NO_CONTENT;
  }

  async inbound(request: TwilioWebhookRequest): Promise<TwilioWebhookResponse> {
    if (!this.signedBy(request)) {
      return FORBIDDEN;
    }
    const receivedAt = new Date();
    const messageSid = request.params.MessageSid ?? request.params.SmsSid ?? '';
    const from = request.params.From ?? '';
    const text = (request.params.Body ?? '').slice(0, 1600);
    if (!messageSid) {
      return twiml(); // not a message Twilio would send
    }
    // Claim the MessageSid first: a replayed webhook (same sid) finds it taken and changes nothing.
    const claimed = await this.dataSource.query<unknown[]>(
      `INSERT INTO ${this.dataSource.getRepository(InboundSmsEntity).metadata.tablePath}
         ("message_sid", "outcome", "received_at") VALUES ($1, 'received', now())
       ON CONFLICT DO NOTHING RETURNING "message_sid"`,
      [messageSid],
    );
    if (claimed.length === 0) {
      return twiml(); // a replayed webhook: it was handled the first time
    }
    const people = (await this.dataSource.getRepository(ContactEntity).findBy({ phone: from })).map((c) => c.personId);
    const chains = this.dataSource.getRepository(EscalationEntity);
    const open =
      people.length === 0
        ? null
        : await chains
            .createQueryBuilder('c')
            .where('c.person_id IN (:...people)', { people })
            .andWhere(`c.state = 'running' AND c.task_id IS NOT NULL`)
            .orderBy('c.created_at', 'DESC')
            .getOne();
    const latest =
      open ??
      (people.length === 0
        ? null
        : await chains
            .createQueryBuilder('c')
            .where('c.person_id IN (:...people)', { people })
            .andWhere('c.task_id IS NOT NULL')
            .orderBy('c.created_at', 'DESC')
            .getOne());
    const home = this.publicBaseUrl;
    if (!latest) {
      await this.settle(receivedAt, messageSid, null, null, 'unknown-sender');
      return twiml(REPLY_TEXT.nothingOpen(home));
    }
    const link = appLink(home, { kind: 'task', id: latest.taskId! });
    if (!isAcknowledgement(text)) {
      await this.settle(receivedAt, messageSid, latest, text, 'not-understood');
      return twiml(REPLY_TEXT.notUnderstood(link));
    }
    if (!open) {
      await this.settle(receivedAt, messageSid, latest, text, 'refused');
      return twiml(REPLY_TEXT.nothingOpen(home));
    }
    try {
      await this.activation.acknowledge({
        taskId: open.taskId!,
        actorId: open.personId,
        schoolIds: [open.cause.schoolId],
        correlationId: open.cause.correlationId,
      });
    } catch (error) {
      this.log.warn(`SMS reply could not acknowledge task ${open.taskId}: ${refusalOf(error)}`);
      await this.settle(receivedAt, messageSid, open, text, 'refused');
      return twiml(REPLY_TEXT.refused(link));
    }
    await this.settle(receivedAt, messageSid, open, text, 'acknowledged');
    this.log.log(`task ${open.taskId} acknowledged by SMS reply`);
    return twiml(REPLY_TEXT.acknowledged(link));
  }

  /** Records what a reply did and puts it on the incident's timeline (the text stays inside Crisisklaar). */
  private async settle(
    receivedAt: Date,
    messageSid: string,
    chain: EscalationEntity | null,
    text: string | null,
    outcome: 'acknowledged' | 'not-understood' | 'refused' | 'unknown-sender',
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        InboundSmsEntity,
        { messageSid },
        { personId: chain?.personId ?? null, taskId: chain?.taskId ?? null, outcome },
      );
      if (chain && text !== null && outcome !== 'unknown-sender') {
        const meta = { ...metaCausedBy({ ...chain.cause, payload: {} } as EventEnvelope), actor: chain.personId };
        const event = buildEvent(EventSubject.NotificationReplyReceived, meta, {
          personId: chain.personId,
          taskId: chain.taskId!,
          text,
          outcome,
        });
        // It happened when the reply came in, before the acknowledgement it caused.
        await addToOutbox(manager, [{ ...event, occurredAt: receivedAt.toISOString() }]);
      }
    });
    this.escalation.nudge();
  }
}
