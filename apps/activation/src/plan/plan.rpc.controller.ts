import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Min, ValidateNested } from 'class-validator';
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

class ListPlanPeopleQuery {
  @IsUUID() schoolId!: string;
  @IsUUID() boardId!: string;
  @IsOptional() @IsString() @Length(1, 64) role?: string;
}

@Controller()
export class PlanRpcController {
  constructor(private readonly plans: PlanService) {}

  @MessagePattern(RpcPattern.GetPlan)
  get(@Payload() data: unknown): Promise<CrisisPlanView | null> {
    const query = validateRpc(GetPlanQuery, data);
    return this.plans.view(query.scope, query.ownerId, query.boardId);
  }

  /** Who an announcement to the crisis team (or one role) reaches: the people of the school's effective plan. */
  @MessagePattern(RpcPattern.ListPlanPeople)
  async people(@Payload() data: unknown): Promise<{ personIds: string[] }> {
    const query = validateRpc(ListPlanPeopleQuery, data);
    const { plan } = await this.plans.forSchool(query.schoolId, query.boardId);
    const lists = query.role ? [plan.people.get(query.role) ?? []] : [...plan.people.values()];
    return { personIds: [...new Set(lists.flat())] };
  }

  @MessagePattern(RpcPattern.SavePlan)
  save(@Payload() data: unknown): Promise<CrisisPlanView> {
    const command = validateRpc(SavePlanCommand, data);
    return this.plans.save({ ...command, expectedVersion: command.expectedVersion ?? null });
  }
}
