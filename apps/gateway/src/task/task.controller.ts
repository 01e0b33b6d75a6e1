import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import type { Request } from 'express';
import { RpcPattern, type MyTaskView, type TaskCommand, type TaskView } from '#lib/contracts';
import type { Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { actorScope, uuidParam } from '../common/request-scope.js';
import { RpcClient } from '../common/rpc.client.js';
import { TaskDto } from '../incident/incident.dto.js';

class MyTaskDto extends TaskDto {
  @ApiProperty() schoolId!: string;
  @ApiProperty() drill!: boolean;
}

class CompleteTaskRequestDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'What was done; stays inside Crisisklaar' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

class DismissTaskRequestDto {
  @ApiProperty({ maxLength: 2000, description: 'Why the task does not apply to this incident' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

class ReassignTaskRequestDto {
  @ApiProperty({ format: 'uuid', description: 'A member of the school’s crisis team' }) @IsUUID() assigneeId!: string;
}

const uuid = uuidParam('id');

/**
 * A task's lifecycle from a phone. Activation decides who may (the assignee or a leader) and checks the task
 * belongs to one of the caller's schools: a task of another school is "not found".
 */
@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api')
export class TaskController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('me/tasks')
  @ApiOkResponse({ type: [MyTaskDto], description: 'Open tasks first, by due time' })
  mine(@CurrentCaller() caller: Caller): Promise<MyTaskView[]> {
    return this.rpc.call(RpcPattern.ListMyTasks, {
      personId: caller.personId,
      schoolIds: caller.memberships.map((m) => m.schoolId),
    });
  }

  /** "Ik pak het op": the assignee has it; escalation for this task stops. */
  @Post('tasks/:id/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskDto })
  acknowledge(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Req() req: Request): Promise<TaskView> {
    return this.rpc.call(RpcPattern.AcknowledgeTask, command(caller, id, req));
  }

  @Post('tasks/:id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskDto })
  complete(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: CompleteTaskRequestDto,
    @Req() req: Request,
  ): Promise<TaskView> {
    return this.rpc.call(RpcPattern.CompleteTask, {
      ...command(caller, id, req),
      ...(body.note ? { note: body.note } : {}),
    });
  }

  @Post('tasks/:id/not-applicable')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskDto })
  dismiss(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: DismissTaskRequestDto,
    @Req() req: Request,
  ): Promise<TaskView> {
    return this.rpc.call(RpcPattern.DismissTask, { ...command(caller, id, req), reason: body.reason });
  }

  @Post('tasks/:id/reassign')
  @HttpCode(200)
  @ApiOkResponse({ type: TaskDto })
  reassign(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ReassignTaskRequestDto,
    @Req() req: Request,
  ): Promise<TaskView> {
    return this.rpc.call(RpcPattern.ReassignTask, { ...command(caller, id, req), assigneeId: body.assigneeId });
  }
}

function command(caller: Caller, taskId: string, req: Request & { correlationId?: string }): TaskCommand {
  return { taskId, ...actorScope(caller, req, taskId) };
}
