import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { DataSource } from 'typeorm';
import { NOTIFICATION_CHANNELS, RpcPattern, type DeliveryView, type NotificationChannel } from '#lib/contracts';
import { rpcError, validateRpc } from '#lib/platform';
import { NotificationEntity, type NotificationStatus } from '../delivery/notification.entity.js';
import { channelPlan } from '../escalation/escalation-policy.js';
import { ContactEntity } from './contact.entity.js';
import { normalisePhone } from './phone-number.js';

class SetPhoneCommand {
  @IsUUID() personId!: string;
  @IsString() @MaxLength(40) phone!: string;
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(NOTIFICATION_CHANNELS, { each: true })
  channelOrder?: NotificationChannel[];
}

/** What the delivery board says of a state, for people (Dutch first). */
const LABELS: Record<NotificationStatus, { nl: string; en: string }> = {
  queued: { nl: 'In de wachtrij', en: 'Queued' },
  sent: { nl: 'Verstuurd', en: 'Sent' },
  local_outbox: {
    nl: 'NIET verstuurd: lokale sms-outbox (geen Twilio ingesteld)',
    en: 'NOT sent: local SMS outbox (no Twilio settings)',
  },
  delivered: { nl: 'Afgeleverd', en: 'Delivered' },
  acknowledged: { nl: 'Opgepakt', en: 'Acknowledged' },
  failed: { nl: 'Mislukt', en: 'Failed' },
  expired: { nl: 'Verlopen of niet meer nodig', en: 'Expired or no longer needed' },
  unreachable: { nl: 'Onbereikbaar op dit kanaal', en: 'Unreachable on this channel' },
};

class ListDeliveriesQuery {
  @IsUUID() incidentId!: string;
}

/** Contact channels (held only here) and the delivery board. */
@Controller()
export class ContactRpcController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @MessagePattern(RpcPattern.SetPhone)
  async setPhone(@Payload() data: unknown): Promise<{ phone: string; channelOrder: NotificationChannel[] }> {
    const command = validateRpc(SetPhoneCommand, data);
    const normalised = normalisePhone(command.phone);
    if (!normalised.ok) {
      throw rpcError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'phone',
        message: normalised.reason,
        messageNl: normalised.reasonNl,
      });
    }
    const contacts = this.dataSource.getRepository(ContactEntity);
    const previous = await contacts.findOneBy({ personId: command.personId });
    const channelOrder = channelPlan(command.channelOrder ?? previous?.channelOrder);
    await contacts.upsert({ personId: command.personId, phone: normalised.e164, channelOrder, updatedAt: new Date() }, [
      'personId',
    ]);
    return { phone: normalised.e164, channelOrder };
  }

  /** Per person and channel, the state of each notification of the incident, with its times. */
  @MessagePattern(RpcPattern.ListDeliveries)
  async deliveries(@Payload() data: unknown): Promise<DeliveryView[]> {
    const { incidentId } = validateRpc(ListDeliveriesQuery, data);
    const rows = await this.dataSource
      .getRepository(NotificationEntity)
      .find({ where: { incidentId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((n) => ({
      notificationId: n.id,
      taskId: n.taskId,
      personId: n.personId,
      channel: n.channel,
      attempt: n.attempt,
      status: n.status,
      reason: n.reason,
      queuedAt: n.createdAt.toISOString(),
      sentAt: n.sentAt?.toISOString() ?? null,
      deliveredAt: n.deliveredAt?.toISOString() ?? null,
      acknowledgedAt: n.acknowledgedAt?.toISOString() ?? null,
      updatedAt: n.updatedAt.toISOString(),
      announcementId: n.announcementId,
      aftercareItemId: n.aftercareItemId,
      provider: n.provider,
      label: LABELS[n.status],
    }));
  }
}
