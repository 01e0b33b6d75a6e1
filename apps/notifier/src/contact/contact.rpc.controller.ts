import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import type { DataSource } from 'typeorm';
import { RpcPattern, type DeliveryView } from '#lib/contracts';
import { rpcError, validateRpc } from '#lib/platform';
import { NotificationEntity } from '../delivery/notification.entity.js';
import { ContactEntity } from './contact.entity.js';
import { normalisePhone } from './phone-number.js';

class SetPhoneCommand {
  @IsUUID() personId!: string;
  @IsString() @MaxLength(40) phone!: string;
}

class ListDeliveriesQuery {
  @IsUUID() incidentId!: string;
}

/** Contact channels (held only here) and the delivery board. */
@Controller()
export class ContactRpcController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @MessagePattern(RpcPattern.SetPhone)
  async setPhone(@Payload() data: unknown): Promise<{ phone: string }> {
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
    await this.dataSource
      .getRepository(ContactEntity)
      .upsert({ personId: command.personId, phone: normalised.e164, updatedAt: new Date() }, ['personId']);
    return { phone: normalised.e164 };
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
      updatedAt: n.updatedAt.toISOString(),
    }));
  }
}
