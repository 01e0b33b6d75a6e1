import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsUUID } from 'class-validator';
import { RpcPattern, type IncidentView, type ProtocolView, type TriggerIncidentResponse } from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import { tasksFor, type Catalog } from '../catalog/catalog.types.js';
import { IncidentService } from './incident.service.js';
import { TriggerIncidentCommand } from './trigger-incident.command.js';

class GetIncidentQuery {
  @IsUUID() incidentId!: string;
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
