import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import {
  RpcPattern,
  type IncidentCommand,
  type IncidentSummary,
  type IncidentView,
  type ProtocolView,
  type TriggerIncidentResponse,
} from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import { tasksFor, type Catalog } from '../catalog/catalog.types.js';
import type { IncidentStep, PhaseTarget } from './incident-state.js';
import { IncidentService } from './incident.service.js';
import { TriggerIncidentCommand } from './trigger-incident.command.js';

class ListIncidentsQuery {
  @IsUUID() schoolId!: string;
}

class GetIncidentQuery {
  @IsUUID() incidentId!: string;
}

class IncidentCommandDto implements IncidentCommand {
  @IsUUID() incidentId!: string;
  @IsUUID() actorId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
  @IsString() @Length(1, 128) correlationId!: string;
}

class ChangePhaseDto extends IncidentCommandDto {
  @IsIn([1, 2, 3, 4, 5, 'evaluation']) phase!: PhaseTarget;
}

class CloseIncidentDto extends IncidentCommandDto {
  @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

class CancelIncidentDto extends IncidentCommandDto {
  @IsString() @MaxLength(2000) reason!: string;
}

class ListProtocolsQuery {
  @IsUUID() schoolId!: string;
}

@Controller()
export class IncidentRpcController {
  constructor(
    private readonly incidents: IncidentService,
    @Inject(CATALOG) private readonly catalog: Catalog,
  ) {}

  @MessagePattern(RpcPattern.TriggerIncident)
  trigger(@Payload() data: unknown): Promise<TriggerIncidentResponse> {
    const command = validateRpc(TriggerIncidentCommand, data);
    return runWithContext({ correlationId: command.correlationId }, () => this.incidents.trigger(command));
  }

  @MessagePattern(RpcPattern.ChangeIncidentPhase)
  changePhase(@Payload() data: unknown): Promise<IncidentView> {
    const command = validateRpc(ChangePhaseDto, data);
    return this.lifecycle(command, { kind: 'phase', to: command.phase });
  }

  @MessagePattern(RpcPattern.CloseIncident)
  close(@Payload() data: unknown): Promise<IncidentView> {
    const command = validateRpc(CloseIncidentDto, data);
    return this.lifecycle(command, { kind: 'close', ...(command.reason ? { reason: command.reason } : {}) });
  }

  @MessagePattern(RpcPattern.CancelIncident)
  cancel(@Payload() data: unknown): Promise<IncidentView> {
    const command = validateRpc(CancelIncidentDto, data);
    return this.lifecycle(command, { kind: 'cancel', reason: command.reason });
  }

  private lifecycle(command: IncidentCommand, action: IncidentStep): Promise<IncidentView> {
    const { incidentId, actorId, schoolIds, correlationId } = command;
    return runWithContext({ correlationId }, () =>
      this.incidents.step({ incidentId, actorId, schoolIds, correlationId }, action),
    );
  }

  @MessagePattern(RpcPattern.ListIncidents)
  list(@Payload() data: unknown): Promise<IncidentSummary[]> {
    return this.incidents.list(validateRpc(ListIncidentsQuery, data).schoolId);
  }

  @MessagePattern(RpcPattern.GetIncident)
  get(@Payload() data: unknown): Promise<IncidentView | null> {
    return this.incidents.get(validateRpc(GetIncidentQuery, data).incidentId);
  }

  @MessagePattern(RpcPattern.ListProtocols)
  protocols(@Payload() data: unknown): ProtocolView[] {
    validateRpc(ListProtocolsQuery, data);
    return this.catalog.calamityTypes.map((t) => ({
      id: t.id,
      name: t.name.nl,
      nameEn: t.name.en,
      description: t.description.nl,
      descriptionEn: t.description.en,
      taskCount: tasksFor(this.catalog, t.id).length,
      catalogVersion: this.catalog.version,
    }));
  }
}
