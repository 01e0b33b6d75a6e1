import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
} from 'class-validator';
import { RpcPattern, type IncidentCommand, type LegalChainView } from '#lib/contracts';
import { runWithContext } from '#lib/observability';
import { validateRpc } from '#lib/platform';
import { LEGAL_STEPS, type LegalStep } from './legal-chain.js';
import { LegalChainService } from './legal-chain.service.js';

class LegalChainQuery implements IncidentCommand {
  @IsUUID() incidentId!: string;
  @IsUUID() actorId!: string;
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) schoolIds!: string[];
  @IsString() @Length(1, 128) correlationId!: string;
}

class RecordLegalStepCommand extends LegalChainQuery {
  @IsIn(LEGAL_STEPS) step!: LegalStep;
  @IsOptional() @IsISO8601({ strict: true }) occurredAt?: string;
  @IsString() @Length(1, 4000) note!: string;
  @IsOptional() @IsBoolean() reasonableSuspicion?: boolean;
}

@Controller()
export class LegalChainRpcController {
  constructor(private readonly chain: LegalChainService) {}

  @MessagePattern(RpcPattern.GetLegalChain)
  get(@Payload() data: unknown): Promise<LegalChainView> {
    const { incidentId, actorId, schoolIds, correlationId } = validateRpc(LegalChainQuery, data);
    return this.chain.get({ incidentId, actorId, schoolIds, correlationId });
  }

  @MessagePattern(RpcPattern.RecordLegalStep)
  record(@Payload() data: unknown): Promise<LegalChainView> {
    const c = validateRpc(RecordLegalStepCommand, data);
    return runWithContext({ correlationId: c.correlationId }, () =>
      this.chain.record(
        { incidentId: c.incidentId, actorId: c.actorId, schoolIds: c.schoolIds, correlationId: c.correlationId },
        {
          step: c.step,
          note: c.note,
          ...(c.occurredAt ? { occurredAt: new Date(c.occurredAt) } : {}),
          ...(c.reasonableSuspicion === undefined ? {} : { reasonableSuspicion: c.reasonableSuspicion }),
        },
      ),
    );
  }
}
