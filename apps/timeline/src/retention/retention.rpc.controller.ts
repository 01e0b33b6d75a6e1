import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { RpcPattern } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { RetentionService, type RetentionView } from './retention.service.js';

class BoardQuery {
  @IsUUID() boardId!: string;
}

class SetRetentionCommand extends BoardQuery {
  @IsInt() @Min(1) @Max(36_500) retentionDays!: number;
  @IsUUID() actorId!: string;
}

class EraseCommand {
  @IsUUID() incidentId!: string;
  @IsUUID() actorId!: string;
  @IsString() @Length(1, 128) correlationId!: string;
}

@Controller()
export class RetentionRpcController {
  constructor(private readonly retention: RetentionService) {}

  @MessagePattern(RpcPattern.GetRetention)
  get(@Payload() data: unknown): Promise<RetentionView> {
    return this.retention.policy(validateRpc(BoardQuery, data).boardId);
  }

  @MessagePattern(RpcPattern.SetRetention)
  set(@Payload() data: unknown): Promise<RetentionView> {
    const command = validateRpc(SetRetentionCommand, data);
    return this.retention.setPolicy(command.boardId, command.retentionDays, command.actorId);
  }

  @MessagePattern(RpcPattern.EraseIncidentTexts)
  erase(@Payload() data: unknown): Promise<{ erased: number; entrySeq: number | null }> {
    const command = validateRpc(EraseCommand, data);
    return this.retention.erase(command.incidentId, command.actorId, command.correlationId);
  }
}
