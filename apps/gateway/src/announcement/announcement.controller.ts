import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  ANNOUNCEMENT_AUDIENCES,
  RpcPattern,
  type AnnouncementAudience,
  type AnnouncementView,
  type IncidentView,
} from '#lib/contracts';
import { AccountService, type Caller } from '../account/account.service.js';
import { SendBudget } from '../auth/send-budget.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { INCIDENT_READ_ROLES, TRIGGER_ROLES } from '../common/access.js';
import { ApiError, forbidden, notFound } from '../common/api-error.js';
import { uuidParam } from '../common/request-scope.js';
import { assignmentsBeingTold, IncidentAccess } from '../common/incident-access.js';
import { RpcClient } from '../common/rpc.client.js';

class CreateAnnouncementRequestDto {
  @ApiProperty({ enum: ANNOUNCEMENT_AUDIENCES, description: 'all-staff, crisis-team, or one role (with `role`)' })
  @IsIn(ANNOUNCEMENT_AUDIENCES)
  audience!: AnnouncementAudience;

  @ApiPropertyOptional({ example: 'care-coordinator', description: 'The crisis role, for audience "role"' })
  @ValidateIf((o: CreateAnnouncementRequestDto) => o.audience === 'role')
  @IsString()
  @Length(1, 64)
  role?: string;

  @ApiProperty({ maxLength: 2000, example: 'Personeelsvergadering morgen om 08:00 in de aula.' })
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: 'text must not be blank' })
  text!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same message' })
  @IsOptional()
  @IsUUID()
  announcementId?: string;
}

class AnnouncementDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty({ enum: ANNOUNCEMENT_AUDIENCES }) audience!: string;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty({ description: 'Read in the app only: push and SMS carry a link' }) text!: string;
  @ApiProperty() authorId!: string;
  @ApiProperty() drill!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ description: 'How many people it went to' }) recipients!: number;
}

const ANNOUNCEMENT: [string, string] = ['Announcement', 'Bericht'];

/**
 * Messages of the crisis team to all staff, the crisis team or one role ("staff meeting at 08:00"). Push and
 * SMS carry only a link; the text is read here, by members of the school.
 */
@ApiTags('announcements')
@ApiBearerAuth()
@Controller('api')
export class AnnouncementController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly accounts: AccountService,
    private readonly incidents: IncidentAccess,
    private readonly budget: SendBudget,
  ) {}

  @Post('incidents/:id/announcements')
  @ApiCreatedResponse({ type: AnnouncementDto, description: 'Sent to the audience' })
  @ApiOkResponse({ type: AnnouncementDto, description: 'This announcementId was used before: the same message' })
  async create(
    @CurrentCaller() caller: Caller,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CreateAnnouncementRequestDto,
    @Req() req: Request & { correlationId?: string },
    @Res({ passthrough: true }) res: Response,
  ): Promise<AnnouncementView> {
    const incident = await this.incidents.load(caller, id, TRIGGER_ROLES);
    if (incident.status === 'closed' || incident.status === 'cancelled') {
      throw new ApiError({
        statusCode: 409,
        code: 'INCIDENT_CLOSED',
        message: 'The incident is closed',
        messageNl: 'Het incident is afgesloten',
      });
    }
    await this.budget.charge(caller.personId);
    const recipients = (await this.audience(incident, body)).filter((p) => p !== caller.personId);
    const { created, ...view } = await this.rpc.call(RpcPattern.CreateAnnouncement, {
      announcementId: body.announcementId ?? randomUUID(),
      incidentId: incident.id,
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      drill: incident.drill,
      authorId: caller.personId,
      audience: body.audience,
      ...(body.audience === 'role' && body.role ? { role: body.role } : {}),
      text: body.text.trim(),
      recipientIds: recipients,
      correlationId: req.correlationId ?? randomUUID(),
      ...(body.audience === 'all-staff' ? { waitForTaskIds: assignmentsBeingTold(incident) } : {}),
    });
    res.status(created ? 201 : 200);
    return view;
  }

  @Get('incidents/:id/announcements')
  @ApiOkResponse({ type: [AnnouncementDto] })
  async list(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<AnnouncementView[]> {
    await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.ListAnnouncements, { incidentId: id });
  }

  /**
   * One message (the link in the push or SMS opens this): one to all staff for anyone of its school; one to the
   * crisis team or a role for the crisis team, management and admins, and for the people the plan names for it.
   */
  @Get('announcements/:id')
  @ApiOkResponse({ type: AnnouncementDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<AnnouncementView> {
    const found = await this.rpc.call(RpcPattern.GetAnnouncement, { announcementId: id });
    const membership = found && caller.memberships.find((m) => m.schoolId === found.schoolId);
    if (!found || !membership) {
      throw notFound(...ANNOUNCEMENT);
    }
    if (found.audience !== 'all-staff' && !INCIDENT_READ_ROLES.includes(membership.role)) {
      const { personIds } = await this.rpc.call(RpcPattern.ListPlanPeople, {
        schoolId: found.schoolId,
        boardId: membership.boardId,
        ...(found.audience === 'role' && found.role ? { role: found.role } : {}),
      });
      if (!personIds.includes(caller.personId)) {
        throw forbidden();
      }
    }
    return found;
  }

  private async audience(incident: IncidentView, body: CreateAnnouncementRequestDto): Promise<string[]> {
    if (body.audience === 'all-staff') {
      return this.accounts.peopleOfSchool(incident.schoolId);
    }
    const { personIds } = await this.rpc.call(RpcPattern.ListPlanPeople, {
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      ...(body.audience === 'role' ? { role: body.role } : {}),
    });
    if (body.audience === 'role') {
      if (personIds.length === 0) {
        throw new ApiError({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          field: 'role',
          message: 'role: nobody fills this role in the crisis plan',
          messageNl: 'role: niemand vervult deze rol in het crisisplan',
        });
      }
      return personIds;
    }
    const team = await this.accounts.peopleOfSchool(incident.schoolId, ['crisis_team']);
    return [...new Set([...personIds, ...team])];
  }
}
