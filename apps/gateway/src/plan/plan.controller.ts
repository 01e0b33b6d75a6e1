import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { RpcPattern, type CrisisPlanContent, type CrisisPlanView } from '#lib/contracts';
import { AccountService, type Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { notFound, ApiError } from '../common/api-error.js';
import { requireBoardManagement, requireRole } from '../common/access.js';
import { uuidParam } from '../common/request-scope.js';
import { IncidentAccess } from '../common/incident-access.js';
import { RpcClient } from '../common/rpc.client.js';

class SetRetentionRequestDto {
  @ApiProperty({ minimum: 1, maximum: 36500, example: 1825, description: 'Days after an incident ended' })
  @IsInt()
  @Min(1)
  @Max(36_500)
  retentionDays!: number;
}

class RetentionDto {
  @ApiProperty() boardId!: string;
  @ApiProperty() retentionDays!: number;
  @ApiProperty({ description: 'No policy set: the default of five years' }) isDefault!: boolean;
}

class ErasureDto {
  @ApiProperty({ description: 'Entries whose personal texts were erased' }) erased!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The seq of the erasure entry' }) entrySeq!: number | null;
  @ApiProperty({
    description:
      'Texts erased in the other apps: summary, task notes, messages, agreements, press log, calls, announcements',
  })
  otherTexts!: number;
}

const badSeq = () =>
  new ApiError({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    field: 'seq',
    message: 'seq: must be a whole number',
    messageNl: 'seq: moet een geheel getal zijn',
  });

class RoleAssignmentDocDto {
  @ApiProperty({ example: 'leader' }) role!: string;
  @ApiProperty({ type: [String], description: 'Person ids: the primary first, then the deputies in call order' })
  people!: string[];
}

class PlanContentDocDto {
  @ApiProperty({ type: [RoleAssignmentDocDto] }) roles!: RoleAssignmentDocDto[];
  @ApiProperty({ type: [String], description: 'People who cannot be called now; their tasks go to the next in line' })
  unavailable!: string[];
  @ApiProperty({
    description: '[{templateId, disabled?, deadline? (ISO-8601 duration)}]',
    type: 'array',
    items: { type: 'object' },
  })
  taskOverrides!: object[];
  @ApiProperty({
    description: 'Tasks of the school’s own, ids starting with "local."',
    type: 'array',
    items: { type: 'object' },
  })
  extraTasks!: object[];
  @ApiProperty({ example: '2027-09-01', description: 'The yearly review with the team and the participation council' })
  reviewDue!: string;
  @ApiPropertyOptional() note?: string;
}

class SavePlanRequestDto {
  @ApiProperty({ type: PlanContentDocDto }) @IsObject() content!: CrisisPlanContent;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'The version the edit started from; null for the first',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number | null;
}

class PlanDto {
  @ApiProperty({ enum: ['school', 'board'] }) scope!: 'school' | 'board';
  @ApiProperty() ownerId!: string;
  @ApiProperty() boardId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: PlanContentDocDto }) content!: CrisisPlanContent;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({
    type: [String],
    description: 'Roles nobody available fills (school plans: with the board’s merged in)',
  })
  unstaffedRoles!: string[];
}

const uuid = uuidParam;

/**
 * Crisis plans: a school's (its admin edits it) and its board's (board management edits it; the schools
 * inherit it). Every save is a new version; the people named must belong to the school (or the board).
 */
@ApiTags('plans')
@ApiBearerAuth()
@Controller('api')
export class PlanController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly accounts: AccountService,
    private readonly incidents: IncidentAccess,
  ) {}

  @Get('schools/:schoolId/plan')
  @ApiOkResponse({ type: PlanDto })
  async schoolPlan(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuid('schoolId')) schoolId: string,
  ): Promise<CrisisPlanView> {
    const membership = requireRole(caller, schoolId, ['admin', 'management', 'crisis_team'], ['School', 'School']);
    const plan = await this.rpc.call(RpcPattern.GetPlan, {
      scope: 'school',
      ownerId: schoolId,
      boardId: membership.boardId,
    });
    if (!plan) {
      throw notFound('Plan', 'Plan');
    }
    return plan;
  }

  @Put('schools/:schoolId/plan')
  @ApiOkResponse({ type: PlanDto, description: 'The new version' })
  async saveSchoolPlan(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuid('schoolId')) schoolId: string,
    @Body() body: SavePlanRequestDto,
  ): Promise<CrisisPlanView> {
    const membership = requireRole(caller, schoolId, ['admin'], ['School', 'School']);
    await this.requireMembers(body.content, [schoolId]);
    return this.rpc.call(RpcPattern.SavePlan, {
      scope: 'school',
      ownerId: schoolId,
      boardId: membership.boardId,
      content: body.content,
      actorId: caller.personId,
      expectedVersion: body.expectedVersion ?? null,
    });
  }

  /**
   * Turns a proposed plan change from an incident's evaluation into a new version of the school plan (the
   * school's admin), and notes on the incident's timeline which version it became.
   */
  @Post('incidents/:id/findings/:seq/apply')
  @ApiCreatedResponse({ type: PlanDto, description: 'The new plan version' })
  async applyFinding(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid('id')) id: string,
    @Param('seq', new ParseIntPipe({ exceptionFactory: () => badSeq() })) seq: number,
    @Req() req: Request & { correlationId?: string },
  ): Promise<CrisisPlanView> {
    const incident = await this.incidents.load(caller, id, ['admin']);
    const { membership } = incident;
    const [finding] =
      seq >= 1
        ? await this.rpc.call(RpcPattern.ListTimeline, {
            incidentId: id,
            afterSeq: seq - 1,
            limit: 1,
            types: ['evaluation.finding'],
          })
        : [];
    const proposed = finding?.seq === seq ? (finding.data.proposedPlan as CrisisPlanContent | undefined) : undefined;
    if (!finding || finding.seq !== seq) {
      throw notFound('Finding', 'Bevinding');
    }
    if (!proposed) {
      throw new ApiError({
        statusCode: 409,
        code: 'NOT_A_PLAN_CHANGE',
        message: 'This finding proposes no plan change',
        messageNl: 'Deze bevinding stelt geen planwijziging voor',
      });
    }
    await this.requireMembers(proposed, [incident.schoolId]);
    const current = await this.rpc.call(RpcPattern.GetPlan, {
      scope: 'school',
      ownerId: incident.schoolId,
      boardId: membership.boardId,
    });
    const saved = await this.rpc.call(RpcPattern.SavePlan, {
      scope: 'school',
      ownerId: incident.schoolId,
      boardId: membership.boardId,
      content: proposed,
      actorId: caller.personId,
      expectedVersion: current?.version ?? null,
    });
    await this.rpc.call(RpcPattern.RecordFindingApplied, {
      incidentId: id,
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      drill: incident.drill,
      findingSeq: seq,
      planVersion: saved.version,
      actorId: caller.personId,
      correlationId: req.correlationId ?? id,
    });
    return saved;
  }

  @Get('boards/:boardId/plan')
  @ApiOkResponse({ type: PlanDto })
  async boardPlan(
    @CurrentCaller() caller: Caller,
    @Param('boardId', uuid('boardId')) boardId: string,
  ): Promise<CrisisPlanView> {
    await requireBoardManagement(this.accounts, caller, boardId);
    const plan = await this.rpc.call(RpcPattern.GetPlan, { scope: 'board', ownerId: boardId, boardId });
    if (!plan) {
      throw notFound('Plan', 'Plan');
    }
    return plan;
  }

  @Put('boards/:boardId/plan')
  @ApiOkResponse({ type: PlanDto, description: 'The new version' })
  async saveBoardPlan(
    @CurrentCaller() caller: Caller,
    @Param('boardId', uuid('boardId')) boardId: string,
    @Body() body: SavePlanRequestDto,
  ): Promise<CrisisPlanView> {
    const schools = await requireBoardManagement(this.accounts, caller, boardId);
    await this.requireMembers(body.content, schools);
    return this.rpc.call(RpcPattern.SavePlan, {
      scope: 'board',
      ownerId: boardId,
      boardId,
      content: body.content,
      actorId: caller.personId,
      expectedVersion: body.expectedVersion ?? null,
    });
  }

  /** Board management: management of every school of the board. Returns the board's schools. */
  /** How long the board keeps the personal texts of an ended incident (default five years). */
  @Get('boards/:boardId/retention')
  @ApiOkResponse({ type: RetentionDto })
  async retention(
    @CurrentCaller() caller: Caller,
    @Param('boardId', uuid('boardId')) boardId: string,
  ): Promise<RetentionDto> {
    await requireBoardManagement(this.accounts, caller, boardId);
    return this.rpc.call(RpcPattern.GetRetention, { boardId });
  }

  @Put('boards/:boardId/retention')
  @ApiOkResponse({ type: RetentionDto })
  async setRetention(
    @CurrentCaller() caller: Caller,
    @Param('boardId', uuid('boardId')) boardId: string,
    @Body() body: SetRetentionRequestDto,
  ): Promise<RetentionDto> {
    await requireBoardManagement(this.accounts, caller, boardId);
    return this.rpc.call(RpcPattern.SetRetention, {
      boardId,
      retentionDays: body.retentionDays,
      actorId: caller.personId,
    });
  }

  /**
   * Erases the personal texts of an ended incident once the board's retention period has passed (board
   * management). The structure (who, what, when) stays, the erasure is an entry, and the chain still verifies.
   */
  @Post('incidents/:id/erase-texts')
  @HttpCode(200)
  @ApiOkResponse({ type: ErasureDto })
  async eraseTexts(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid('id')) id: string,
    @Req() req: Request & { correlationId?: string },
  ): Promise<ErasureDto> {
    const incident = await this.rpc.call(RpcPattern.GetIncident, { incidentId: id });
    if (!incident || !caller.memberships.some((m) => m.schoolId === incident.schoolId)) {
      throw notFound('Incident', 'Incident');
    }
    await requireBoardManagement(this.accounts, caller, incident.boardId);
    // The timeline checks the retention period and writes the erasure entry; only then do the other apps erase
    // theirs. Each step is idempotent, so a call that failed half-way is simply made again.
    const timeline = await this.rpc.call(RpcPattern.EraseIncidentTexts, {
      incidentId: id,
      actorId: caller.personId,
      correlationId: req.correlationId ?? id,
    });
    const [activation, notifier] = await Promise.all([
      this.rpc.call(RpcPattern.EraseActivationTexts, { incidentId: id }),
      this.rpc.call(RpcPattern.EraseAnnouncementTexts, { incidentId: id }),
    ]);
    return { ...timeline, otherTexts: activation.erased + notifier.erased };
  }

  /** Everyone the plan names must belong to one of `schools`: a plan cannot pull in people of another school. */
  private async requireMembers(content: CrisisPlanContent, schools: string[]): Promise<void> {
    if (!Array.isArray(content?.roles)) {
      return; // the shape is activation's to refuse, with the field
    }
    const named = [
      ...new Set([
        ...content.roles.flatMap((r) => (Array.isArray(r.people) ? r.people : [])),
        ...(content.unavailable ?? []),
      ]),
    ];
    const members = await this.accounts.membersOf(
      schools,
      named.filter((p) => typeof p === 'string'),
    );
    const stranger = named.find((p) => !members.has(p));
    if (stranger !== undefined) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'content.roles',
        message: `content.roles: ${String(stranger)} is not a member of this school`,
        messageNl: `content.roles: ${String(stranger)} hoort niet bij deze school`,
      });
    }
  }
}
