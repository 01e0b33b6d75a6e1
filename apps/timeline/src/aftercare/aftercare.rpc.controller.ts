import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import {
  AFTERCARE_KINDS,
  AFTERCARE_REFERRALS,
  AFTERCARE_STATES,
  LocalizedText,
  RpcPattern,
  type AftercareItemView,
} from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { AftercareService } from './aftercare.service.js';

class IncidentQuery {
  @IsUUID() incidentId!: string;
}

class ItemQuery {
  @IsUUID() itemId!: string;
}

class AddItemCommand {
  @IsUUID() itemId!: string;
  @IsUUID() incidentId!: string;
  @IsIn(AFTERCARE_KINDS) kind!: string;
  @ValidateNested() @Type(() => LocalizedText) title!: LocalizedText;
  @IsOptional() @IsString() @Length(1, 200) subject?: string;
  @IsOptional() @IsUUID() ownerId?: string;
  @IsISO8601({ strict: true }) dueAt!: string;
  @IsUUID() actorId!: string;
  @IsString() @Length(1, 128) correlationId!: string;
}

class ChangeItemCommand {
  @IsUUID() itemId!: string;
  @IsUUID() actorId!: string;
  @IsOptional() @IsIn(AFTERCARE_STATES) state?: string;
  @IsOptional() @IsIn(AFTERCARE_REFERRALS) referredTo?: string;
  @IsOptional() @IsUUID() ownerId?: string;
  @IsOptional() @IsString() @Length(0, 2000) note?: string;
  @IsString() @Length(1, 128) correlationId!: string;
}

@Controller()
export class AftercareRpcController {
  constructor(private readonly aftercare: AftercareService) {}

  @MessagePattern(RpcPattern.ListAftercare)
  list(@Payload() data: unknown): Promise<AftercareItemView[]> {
    return this.aftercare.list(validateRpc(IncidentQuery, data).incidentId);
  }

  @MessagePattern(RpcPattern.GetAftercareItem)
  get(@Payload() data: unknown): Promise<AftercareItemView | null> {
    return this.aftercare.get(validateRpc(ItemQuery, data).itemId);
  }

  @MessagePattern(RpcPattern.AddAftercareItem)
  add(@Payload() data: unknown): Promise<AftercareItemView> {
    return this.aftercare.add(validateRpc(AddItemCommand, data));
  }

  @MessagePattern(RpcPattern.ChangeAftercareItem)
  change(@Payload() data: unknown): Promise<AftercareItemView> {
    return this.aftercare.change(validateRpc(ChangeItemCommand, data));
  }
}
