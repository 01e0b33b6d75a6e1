import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { RpcPattern, type MyTaskView, type TaskCommand, type TaskView } from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { TaskService, type TaskChange } from './task.service.js';

class TaskCommandDto implements TaskCommand {
  @IsUUID() taskId!: string;
  @IsUUID() actorId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
  @IsString() @Length(1, 128) correlationId!: string;
}

class CompleteTaskDto extends TaskCommandDto {
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

class DismissTaskDto extends TaskCommandDto {
  @IsString() @Length(1, 2000) reason!: string;
}

class ReassignTaskDto extends TaskCommandDto {
  @IsUUID() assigneeId!: string;
}

class ListMyTasksQuery {
  @IsUUID() personId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
}

@Controller()
export class TaskRpcController {
  constructor(private readonly tasks: TaskService) {}

  @MessagePattern(RpcPattern.ListMyTasks)
  mine(@Payload() data: unknown): Promise<MyTaskView[]> {
    const query = validateRpc(ListMyTasksQuery, data);
    return this.tasks.listMine(query.personId, query.schoolIds);
  }

  @MessagePattern(RpcPattern.AcknowledgeTask)
  acknowledge(@Payload() data: unknown): Promise<TaskView> {
    return this.run(validateRpc(TaskCommandDto, data), { action: 'acknowledge' });
  }

  @MessagePattern(RpcPattern.CompleteTask)
  complete(@Payload() data: unknown): Promise<TaskView> {
    const command = validateRpc(CompleteTaskDto, data);
    return this.run(command, { action: 'complete', ...(command.note ? { note: command.note } : {}) });
  }

  @MessagePattern(RpcPattern.DismissTask)
  dismiss(@Payload() data: unknown): Promise<TaskView> {
    const command = validateRpc(DismissTaskDto, data);
    return this.run(command, { action: 'dismiss', reason: command.reason });
  }

  @MessagePattern(RpcPattern.ReassignTask)
  reassign(@Payload() data: unknown): Promise<TaskView> {
    const command = validateRpc(ReassignTaskDto, data);
    return this.run(command, { action: 'reassign', assigneeId: command.assigneeId });
  }

  private run(command: TaskCommand, change: TaskChange): Promise<TaskView> {
    const { taskId, actorId, schoolIds, correlationId } = command;
    return runWithContext({ correlationId }, () =>
      this.tasks.change({ taskId, actorId, schoolIds, correlationId }, change),
    );
  }
}
