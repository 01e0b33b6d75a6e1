import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Min, ValidateNested } from 'class-validator';
import { RpcPattern, type CrisisPlanView } from '#lib/contracts';
import { validateRpc } from '#lib/platform';
import { PlanContentDto } from './plan-content.js';
import { PlanService } from './plan.service.js';

class GetPlanQuery {
  @IsIn(['school', 'board']) scope!: 'school' | 'board';
  @IsUUID() ownerId!: string;
  @IsUUID() boardId!: string;
}

class SavePlanCommand extends GetPlanQuery {
  @ValidateNested() @Type(() => PlanContentDto) content!: PlanContentDto;
  @IsUUID() actorId!: string;
  @IsOptional() @IsInt() @Min(1) expectedVersion!: number | null;
}

@Controller()
export class PlanRpcController {
  constructor(private readonly plans: PlanService) {}

  @MessagePattern(RpcPattern.GetPlan)
  get(@Payload() data: unknown): Promise<CrisisPlanView | null> {
    const query = validateRpc(GetPlanQuery, data);
    return this.plans.view(query.scope, query.ownerId, query.boardId);
  }

  @MessagePattern(RpcPattern.SavePlan)
  save(@Payload() data: unknown): Promise<CrisisPlanView> {
    const command = validateRpc(SavePlanCommand, data);
    return this.plans.save({ ...command, expectedVersion: command.expectedVersion ?? null });
  }
}
