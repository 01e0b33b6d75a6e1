import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  RpcPattern,
  type DeliveryView,
  type IncidentCommand,
  type IncidentView,
  type LegalChainView,
  type EvaluationReport,
  type RpcRequest,
  type TimelineEntryView,
} from '#lib/contracts';
import type { Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { INCIDENT_READ_ROLES, requireRole, TRIGGER_ROLES } from '../common/access.js';
import { ApiError, notFound } from '../common/api-error.js';
import { actorScope, uuidParam } from '../common/request-scope.js';
import { IncidentAccess } from '../common/incident-access.js';
import { RpcClient } from '../common/rpc.client.js';
import {
  AddFindingRequestDto,
  AddLogEntryRequestDto,
  CancelIncidentRequestDto,
  ChangePhaseRequestDto,
  CloseIncidentRequestDto,
  DeliveryDto,
  IncidentDto,
  LEGAL_STEP_NAMES,
  LegalChainDto,
  ProtocolDto,
  RecordLegalStepRequestDto,
  TimelineEntryDto,
  ReportQueryDto,
  SchoolIncidentsDto,
  TimelineQueryDto,
  TimelineVerificationDto,
  TriggerIncidentRequestDto,
} from './incident.dto.js';
import { reportHtml } from './report-html.js';
import { toCsv } from './timeline-csv.js';

const uuid = uuidParam('id');

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('api')
export class IncidentController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly incidents: IncidentAccess,
  ) {}

  @Get('protocols')
  @ApiQuery({ name: 'schoolId', required: false, description: 'Defaults to the first school of the caller' })
  @ApiOkResponse({ type: [ProtocolDto] })
  async protocols(@CurrentCaller() caller: Caller, @Query('schoolId') schoolId?: string): Promise<ProtocolDto[]> {
    const school = schoolId ?? caller.memberships[0]?.schoolId;
    if (!school || !caller.memberships.some((m) => m.schoolId === school)) {
      throw notFound('School', 'School');
    }
    return this.rpc.call(RpcPattern.ListProtocols, { schoolId: school });
  }

  /** Triggers the protocol. 201 with the new incident; the same idempotency key again: 200 with the same one. */
  @Post('incidents')
  @ApiCreatedResponse({ type: IncidentDto, description: 'The protocol started' })
  @ApiOkResponse({ type: IncidentDto, description: 'This idempotency key was used before: the same incident' })
  async trigger(
    @CurrentCaller() caller: Caller,
    @Body() body: TriggerIncidentRequestDto,
    @Req() req: Request & { correlationId?: string },
    @Res({ passthrough: true }) res: Response,
  ): Promise<IncidentView> {
    const membership = requireRole(caller, body.schoolId, TRIGGER_ROLES, ['School', 'School']);
    const result = await this.rpc.call(RpcPattern.TriggerIncident, {
      calamityType: body.calamityType,
      boardId: membership.boardId,
      schoolId: body.schoolId,
      summary: body.summary,
      drill: body.drill ?? false,
      idempotencyKey: body.idempotencyKey,
      actorId: caller.personId,
      correlationId: req.correlationId ?? body.idempotencyKey,
    });
    res.status(result.created ? 201 : 200);
    return result.incident;
  }

  /**
   * The school's incidents for review, real incidents and drills apart (each opens its report), newest first.
   */
  @Get('schools/:schoolId/incidents')
  @ApiOkResponse({ type: SchoolIncidentsDto })
  async list(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
  ): Promise<SchoolIncidentsDto> {
    requireRole(caller, schoolId, INCIDENT_READ_ROLES, ['School', 'School']);
    const all = await this.rpc.call(RpcPattern.ListIncidents, { schoolId });
    return { incidents: all.filter((i) => !i.drill), drills: all.filter((i) => i.drill) };
  }

  @Get('incidents/:id')
  @ApiOkResponse({ type: IncidentDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<IncidentView> {
    return this.readable(caller, id);
  }

  /** The leader moves the incident to the next protocol phase (1–5), or to the evaluation. */
  @Post('incidents/:id/phase')
  @HttpCode(200)
  @ApiOkResponse({ type: IncidentDto })
  phase(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ChangePhaseRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<IncidentView> {
    return this.rpc.call(RpcPattern.ChangeIncidentPhase, { ...incidentCommand(caller, id, req), phase: body.phase });
  }

  /** Closes the incident: after the evaluation, or earlier by the leader with a reason. */
  @Post('incidents/:id/close')
  @HttpCode(200)
  @ApiOkResponse({ type: IncidentDto })
  close(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: CloseIncidentRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<IncidentView> {
    return this.rpc.call(RpcPattern.CloseIncident, {
      ...incidentCommand(caller, id, req),
      ...(body.reason ? { reason: body.reason } : {}),
    });
  }

  /** A false alarm: the leader cancels the incident, with the reason. */
  @Post('incidents/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: IncidentDto })
  cancel(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: CancelIncidentRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<IncidentView> {
    return this.rpc.call(RpcPattern.CancelIncident, { ...incidentCommand(caller, id, req), reason: body.reason });
  }

  /** The statutory chain of a suspected sexual offence by staff: what is recorded, and what comes next. */
  @Get('incidents/:id/legal-chain')
  @ApiOkResponse({ type: LegalChainDto })
  legalChain(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Request & { correlationId?: string },
  ): Promise<LegalChainView> {
    return this.rpc.call(RpcPattern.GetLegalChain, incidentCommand(caller, id, req));
  }

  /** Records one step of the legal chain, in the law's order (else 409 OUT_OF_ORDER naming the step due). */
  @Post('incidents/:id/legal-chain/:step')
  @HttpCode(200)
  @ApiParam({ name: 'step', enum: LEGAL_STEP_NAMES })
  @ApiOkResponse({ type: LegalChainDto })
  recordLegalStep(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Param('step') step: string,
    @Body() body: RecordLegalStepRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<LegalChainView> {
    if (!(LEGAL_STEP_NAMES as readonly string[]).includes(step)) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'step',
        message: `step: one of ${LEGAL_STEP_NAMES.join(', ')}`,
        messageNl: `step: een van ${LEGAL_STEP_NAMES.join(', ')}`,
      });
    }
    return this.rpc.call(RpcPattern.RecordLegalStep, {
      ...incidentCommand(caller, id, req),
      step,
      note: body.note,
      ...(body.occurredAt ? { occurredAt: body.occurredAt } : {}),
      ...(body.reasonableSuspicion === undefined ? {} : { reasonableSuspicion: body.reasonableSuspicion }),
    });
  }

  /** A log entry by a team member; a correction points at the entry it corrects. 201 with the entry. */
  @Post('incidents/:id/log')
  @ApiCreatedResponse({ type: TimelineEntryDto })
  async addLogEntry(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: AddLogEntryRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<TimelineEntryView> {
    const incident = await this.readable(caller, id);
    if (incident.status === 'closed' || incident.status === 'cancelled') {
      throw new ApiError({
        statusCode: 409,
        code: 'INCIDENT_CLOSED',
        message: 'The incident is closed',
        messageNl: 'Het incident is afgesloten',
      });
    }
    const now = Date.now();
    const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date(now);
    if (occurredAt.getTime() > now + 60_000 || occurredAt.getTime() < Date.parse(incident.createdAt) - 24 * 3_600_000) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'occurredAt',
        message: 'occurredAt: not in the future, and not more than a day before the incident',
        messageNl: 'occurredAt: niet in de toekomst, en niet meer dan een dag vóór het incident',
      });
    }
    return this.rpc.call(RpcPattern.AddLogEntry, {
      incidentId: incident.id,
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      drill: incident.drill,
      entryId: body.entryId ?? randomUUID(),
      authorId: caller.personId,
      text: body.text.trim(),
      category: body.category ?? 'observation',
      occurredAt: occurredAt.toISOString(),
      ...(body.corrects === undefined ? {} : { corrects: body.corrects }),
      correlationId: req.correlationId ?? id,
    });
  }

  /**
   * A finding of the evaluation — what went well, what to improve, a proposed plan change (with the proposed
   * school plan) — written on the incident's timeline. 201 with the entry; the same `findingId` is one entry.
   */
  @Post('incidents/:id/findings')
  @ApiCreatedResponse({ type: TimelineEntryDto })
  async addFinding(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: AddFindingRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<TimelineEntryView> {
    const incident = await this.readable(caller, id);
    if ((body.kind === 'plan-change') !== (body.proposedPlan !== undefined)) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'proposedPlan',
        message: 'proposedPlan: required for a plan-change finding, and only there',
        messageNl: 'proposedPlan: verplicht bij een voorgestelde planwijziging, en alleen daar',
      });
    }
    return this.rpc.call(RpcPattern.AddFinding, {
      incidentId: incident.id,
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      drill: incident.drill,
      findingId: body.findingId ?? randomUUID(),
      authorId: caller.personId,
      kind: body.kind,
      text: body.text.trim(),
      ...(body.proposedPlan ? { proposedPlan: body.proposedPlan } : {}),
      correlationId: req.correlationId ?? id,
    });
  }

  /** The delivery board: per person and channel, the state of each notification, with its times. */
  @Get('incidents/:id/deliveries')
  @ApiOkResponse({ type: [DeliveryDto] })
  async deliveries(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<DeliveryView[]> {
    await this.readable(caller, id);
    return this.rpc.call(RpcPattern.ListDeliveries, { incidentId: id });
  }

  /**
   * The incident's story in order, with filters for review; `afterSeq` + `limit` page through it (the
   * `Link: <…>; rel="next"` header names the next page). `format=csv` exports everything that matches.
   */
  @Get('incidents/:id/timeline')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: [TimelineEntryDto] })
  async timeline(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: Response,
    @Query() query: TimelineQueryDto,
  ): Promise<TimelineEntryView[] | string> {
    await this.readable(caller, id);
    const types = query.type
      ?.split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    const filter = {
      ...(types?.length ? { types } : {}),
      ...(query.manual === 'true' ? { manualOnly: true } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.person ? { personId: query.person } : {}),
      ...(query.phase ? { phase: query.phase } : {}),
    };
    if (query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="timeline-${id}.csv"`);
      return toCsv(await this.allEntries(id, filter));
    }
    if (query.limit === undefined && query.afterSeq === undefined) {
      return this.allEntries(id, filter);
    }
    const limit = query.limit ?? 100;
    const page = await this.rpc.call(RpcPattern.ListTimeline, {
      incidentId: id,
      afterSeq: query.afterSeq ?? 0,
      limit,
      ...filter,
    });
    if (page.length === limit) {
      const next = new URLSearchParams(
        Object.entries({ ...query, afterSeq: page.at(-1)!.seq, limit })
          .filter(([, v]) => v !== undefined)
          .map(([k, v]): [string, string] => [k, String(v)]),
      );
      res.setHeader('Link', `</api/incidents/${id}/timeline?${next.toString()}>; rel="next"`);
    }
    return page;
  }

  /**
   * The evaluation report: plan against what happened per task, the protocol's milestones since the trigger,
   * acknowledgement times per role, overdue tasks, reach. `format=html` is a printable page (Europe/Amsterdam).
   */
  @Get('incidents/:id/report')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'html'] })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ description: 'The evaluation report (JSON), or a printable page' })
  async report(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) res: Response,
    @Query() query: ReportQueryDto,
  ): Promise<EvaluationReport | string> {
    const incident = await this.readable(caller, id);
    const report = await this.rpc.call(RpcPattern.GetReport, { incidentId: id });
    if (query.format === 'html') {
      const school = caller.memberships.find((m) => m.schoolId === incident.schoolId)?.schoolName ?? '';
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return reportHtml(report, incident, school);
    }
    return report;
  }

  @Get('incidents/:id/timeline/verify')
  @ApiOkResponse({ type: TimelineVerificationDto })
  async verify(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<TimelineVerificationDto> {
    await this.readable(caller, id);
    return this.rpc.call(RpcPattern.VerifyTimeline, { incidentId: id });
  }

  private readable(caller: Caller, id: string): Promise<IncidentView> {
    return this.incidents.load(caller, id);
  }

  private async allEntries(
    incidentId: string,
    filter: Omit<RpcRequest<typeof RpcPattern.ListTimeline>, 'incidentId' | 'afterSeq' | 'limit'>,
  ): Promise<TimelineEntryView[]> {
    const entries: TimelineEntryView[] = [];
    for (;;) {
      const page = await this.rpc.call(RpcPattern.ListTimeline, {
        incidentId,
        afterSeq: entries.at(-1)?.seq ?? 0,
        limit: 1000,
        ...filter,
      });
      entries.push(...page);
      if (page.length < 1000) {
        return entries;
      }
    }
  }
}

function incidentCommand(
  caller: Caller,
  incidentId: string,
  req: Request & { correlationId?: string },
): IncidentCommand {
  return { incidentId, ...actorScope(caller, req, incidentId) };
}
