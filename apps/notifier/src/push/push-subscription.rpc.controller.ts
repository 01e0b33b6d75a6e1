import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsUUID } from 'class-validator';
import { RpcPattern } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import {
  RegisterPushSubscriptionCommand,
  RemovePushSubscriptionCommand,
  RemoveSessionPushSubscriptionsCommand,
} from './push-subscription.commands.js';
import { PushSubscriptionService } from './push-subscription.service.js';

@Controller()
export class PushSubscriptionRpcController {
  constructor(private readonly subscriptions: PushSubscriptionService) {}

  @MessagePattern(RpcPattern.RegisterPushSubscription)
  register(@Payload() data: unknown): Promise<{ id: string; created: boolean }> {
    return this.subscriptions.register(validateRpc(RegisterPushSubscriptionCommand, data));
  }

  @MessagePattern(RpcPattern.RemovePushSubscription)
  remove(@Payload() data: unknown): Promise<{ removed: boolean }> {
    const command = validateRpc(RemovePushSubscriptionCommand, data);
    return this.subscriptions.remove(command.personId, command.endpoint);
  }

  @MessagePattern(RpcPattern.RemoveAllPushSubscriptions)
  removeAll(@Payload() data: unknown): Promise<{ removed: number }> {
    return this.subscriptions.removeAll(validateRpc(PersonQuery, data).personId);
  }

  @MessagePattern(RpcPattern.RemoveSessionPushSubscriptions)
  removeSession(@Payload() data: unknown): Promise<{ removed: number }> {
    const command = validateRpc(RemoveSessionPushSubscriptionsCommand, data);
    return this.subscriptions.removeSession(command.personId, command.sessionId);
  }
}

class PersonQuery {
  @IsUUID() personId!: string;
}
