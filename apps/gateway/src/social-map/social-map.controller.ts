import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsEmail, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  COMMUNICATION_LIMITS,
  MAX_SOCIAL_MAP_TEXT,
  SOCIAL_MAP_PHONE,
  RpcPattern,
  type PartyContactView,
  type RpcResponse,
  type SocialMapEntryView,
  type SocialMapView,
} from '#lib/contracts';
import { AccountService, type Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { INCIDENT_READ_ROLES, requireBoardManagement, requireRole, TRIGGER_ROLES } from '../common/access.js';
import { forbidden, notFound } from '../common/api-error.js';
import { IncidentAccess } from '../common/incident-access.js';
import { actorScope, uuidParam } from '../common/request-scope.js';
import { RpcClient } from '../common/rpc.client.js';

const PHONE_MESSAGE = { message: 'must be a phone number (digits, spaces, dashes, optionally a leading +)' };
const ALL_ROLES = ['admin', 'crisis_team', 'staff', 'management'] as const;

class SocialMapEntryRequestDto {
  @ApiProperty({
    example: 'police-school-contact',
    description: 'A party of the catalog (GET …/social-map lists them)',
  })
  @IsString()
  @Length(1, 64)
  party!: string;

  @ApiProperty({ maxLength: MAX_SOCIAL_MAP_TEXT, example: 'Wijkagent J. de Groot' })
  @IsString()
  @Length(1, MAX_SOCIAL_MAP_TEXT)
  @Matches(/\S/, { message: 'must not be blank' })
  name!: string;

  @ApiProperty({ example: '+31 20 123 4567' })
  @IsString()
  @Matches(SOCIAL_MAP_PHONE, PHONE_MESSAGE)
  phone!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(SOCIAL_MAP_PHONE, PHONE_MESSAGE)
  phoneAlt?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(MAX_SOCIAL_MAP_TEXT)
  email?: string;

  @ApiPropertyOptional({ maxLength: MAX_SOCIAL_MAP_TEXT, description: 'When and how to reach them' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SOCIAL_MAP_TEXT)
  note?: string;
}

class PartyContactRequestDto {
  @ApiProperty({ example: 'police-school-contact' })
  @IsString()
  @Length(1, 64)
  party!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The entry of the sociale kaart that was called' })
  @IsOptional()
  @IsUUID()
  entryId?: string;

  @ApiProperty({ maxLength: COMMUNICATION_LIMITS.note, example: 'Overlijden bevestigd door de wijkagent.' })
  @IsString()
  @Length(1, COMMUNICATION_LIMITS.note)
  @Matches(/\S/, { message: 'must not be blank' })
  outcome!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the call was (default now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  contactedAt?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same call' })
  @IsOptional()
  @IsUUID()
  contactId?: string;
}

class SocialMapDto {
  @ApiProperty() schoolId!: string;
  @ApiProperty({ nullable: true, type: String }) incidentId!: string | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Per party: name, when to call, relevant, entries (national, board, school, incident) with telUri',
  })
  parties!: object[];
}

class SocialMapEntryDto {
  @ApiProperty({ nullable: true, type: String }) id!: string | null;
  @ApiProperty() party!: string;
  @ApiProperty({ enum: ['national', 'board', 'school', 'incident'] }) scope!: string;
  @ApiProperty() name!: string;
  @ApiProperty() phone!: string;
  @ApiProperty({ example: 'tel:+31201234567' }) telUri!: string;
  @ApiProperty({ nullable: true, type: String }) phoneAlt!: string | null;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
}

class PartyContactDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() party!: string;
  @ApiProperty({ description: '{nl, en}' }) partyName!: object;
  @ApiProperty({ nullable: true, type: String }) entryId!: string | null;
  @ApiProperty({ nullable: true, type: String }) taskId!: string | null;
  @ApiProperty() contactedAt!: string;
  @ApiProperty() outcome!: string;
  @ApiProperty() loggedBy!: string;
}

class TaskPartiesDto {
  @ApiProperty() taskId!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) parties!: object[];
  @ApiProperty({ type: [PartyContactDto] }) contacts!: PartyContactDto[];
}

type Req_ = Request & { correlationId?: string };
const uuid = uuidParam('id');

/**
 * The sociale kaart: who to call outside the school, with numbers and when to call them. Board management keeps
 * the board's defaults, a school's admin its local additions, the crisis team an incident's own (the family's
 * funeral contact). Every member of a school reads it. Calls are logged in one tap from a task or the incident.
 */
@ApiTags('social-map')
@ApiBearerAuth()
@Controller('api')
export class SocialMapController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly accounts: AccountService,
    private readonly incidents: IncidentAccess,
  ) {}

  @Get('schools/:schoolId/social-map')
  @ApiOkResponse({ type: SocialMapDto })
  school(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
  ): Promise<SocialMapView> {
    const membership = requireRole(caller, schoolId, ALL_ROLES, ['School', 'School']);
    return this.rpc.call(RpcPattern.GetSocialMap, { schoolId, boardId: membership.boardId });
  }

  @Post('schools/:schoolId/social-map')
  @ApiCreatedResponse({ type: SocialMapEntryDto, description: 'A local addition of the school (its admin)' })
  addToSchool(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
    @Body() body: SocialMapEntryRequestDto,
  ): Promise<SocialMapEntryView> {
    const membership = requireRole(caller, schoolId, ['admin'], ['School', 'School']);
    return this.rpc.call(RpcPattern.SaveSocialMapEntry, {
      entryId: randomUUID(),
      scope: 'school',
      boardId: membership.boardId,
      schoolId,
      entry: { ...body },
      actorId: caller.personId,
    });
  }

  @Post('boards/:boardId/social-map')
  @ApiCreatedResponse({ type: SocialMapEntryDto, description: 'A default for every school of the board' })
  async addToBoard(
    @CurrentCaller() caller: Caller,
    @Param('boardId', uuidParam('boardId')) boardId: string,
    @Body() body: SocialMapEntryRequestDto,
  ): Promise<SocialMapEntryView> {
    await requireBoardManagement(this.accounts, caller, boardId);
    return this.rpc.call(RpcPattern.SaveSocialMapEntry, {
      entryId: randomUUID(),
      scope: 'board',
      boardId,
      entry: { ...body },
      actorId: caller.personId,
    });
  }

  @Put('social-map/:id')
  @ApiOkResponse({ type: SocialMapEntryDto })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: SocialMapEntryRequestDto,
  ): Promise<SocialMapEntryView> {
    const entry = await this.editable(caller, id);
    return this.rpc.call(RpcPattern.SaveSocialMapEntry, {
      entryId: id,
      scope: entry.incidentId ? 'incident' : entry.schoolId ? 'school' : 'board',
      boardId: entry.boardId,
      ...(entry.schoolId ? { schoolId: entry.schoolId } : {}),
      ...(entry.incidentId ? { incidentId: entry.incidentId } : {}),
      entry: { ...body },
      actorId: caller.personId,
    });
  }

  @Delete('social-map/:id')
  @HttpCode(204)
  async remove(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<void> {
    await this.editable(caller, id);
    await this.rpc.call(RpcPattern.DeleteSocialMapEntry, { entryId: id, actorId: caller.personId });
  }

  /** The map for an incident: the parties of its calamity type first, with its own entries. */
  @Get('incidents/:id/social-map')
  @ApiOkResponse({ type: SocialMapDto })
  async incident(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<SocialMapView> {
    const incident = await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.GetSocialMap, {
      schoolId: incident.schoolId,
      boardId: incident.boardId,
      incidentId: id,
    });
  }

  /** An entry of this incident only, such as the family's funeral contact (crisis team). */
  @Post('incidents/:id/social-map')
  @ApiCreatedResponse({ type: SocialMapEntryDto })
  async addToIncident(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: SocialMapEntryRequestDto,
  ): Promise<SocialMapEntryView> {
    const incident = await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.rpc.call(RpcPattern.SaveSocialMapEntry, {
      entryId: randomUUID(),
      scope: 'incident',
      boardId: incident.boardId,
      schoolId: incident.schoolId,
      incidentId: id,
      entry: { ...body },
      actorId: caller.personId,
    });
  }

  @Get('incidents/:id/contacts')
  @ApiOkResponse({ type: [PartyContactDto] })
  async contacts(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<PartyContactView[]> {
    await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.ListPartyContacts, { incidentId: id, ...actorScope(caller, req, id) });
  }

  @Post('incidents/:id/contacts')
  @ApiCreatedResponse({ type: PartyContactDto, description: 'Logged, and on the timeline' })
  @ApiOkResponse({ type: PartyContactDto, description: 'This contactId was logged before' })
  async logForIncident(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: PartyContactRequestDto,
    @Req() req: Req_,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PartyContactView> {
    await this.incidents.load(caller, id, TRIGGER_ROLES);
    return this.log(caller, req, res, { incidentId: id }, body);
  }

  /**
   * The parties a task names ("call the police"), with their numbers, and the calls logged from it: for the task's
   * assignee and for whoever may read the incident (the calls and the incident's own entries are not for staff).
   */
  @Get('tasks/:id/parties')
  @ApiOkResponse({ type: TaskPartiesDto })
  async taskParties(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Req() req: Req_,
  ): Promise<RpcResponse<typeof RpcPattern.GetTaskParties>> {
    const parties = await this.rpc.call(RpcPattern.GetTaskParties, { taskId: id, ...actorScope(caller, req, id) });
    const incident = await this.rpc.call(RpcPattern.GetIncident, { incidentId: parties.incidentId });
    const membership = incident && caller.memberships.find((m) => m.schoolId === incident.schoolId);
    if (!incident || !membership) {
      throw notFound('Task', 'Taak');
    }
    const assignee = incident.tasks.find((t) => t.id === id)?.assigneeId;
    if (assignee !== caller.personId && !INCIDENT_READ_ROLES.includes(membership.role)) {
      throw forbidden();
    }
    return parties;
  }

  /** "Called X at 14:05, outcome …" in one tap from the task (its assignee or the crisis team). */
  @Post('tasks/:id/contacts')
  @ApiCreatedResponse({ type: PartyContactDto, description: 'Logged, and on the timeline' })
  @ApiOkResponse({ type: PartyContactDto, description: 'This contactId was logged before' })
  logForTask(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: PartyContactRequestDto,
    @Req() req: Req_,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PartyContactView> {
    return this.log(caller, req, res, { taskId: id }, body);
  }

  private async log(
    caller: Caller,
    req: Req_,
    res: Response,
    target: { incidentId: string } | { taskId: string },
    body: PartyContactRequestDto,
  ): Promise<PartyContactView> {
    const { created, ...view } = await this.rpc.call(RpcPattern.LogPartyContact, {
      ...target,
      ...actorScope(caller, req, Object.values(target)[0]!),
      contactId: body.contactId ?? randomUUID(),
      party: body.party,
      ...(body.entryId ? { entryId: body.entryId } : {}),
      ...(body.contactedAt ? { contactedAt: body.contactedAt } : {}),
      outcome: body.outcome,
    });
    res.status(created ? 201 : 200);
    return view;
  }

  /** Who may change an entry: board management (board), the school's admin (school), the crisis team (incident). */
  private async editable(
    caller: Caller,
    id: string,
  ): Promise<NonNullable<RpcResponse<typeof RpcPattern.GetSocialMapEntry>>> {
    const entry = await this.rpc.call(RpcPattern.GetSocialMapEntry, { entryId: id });
    if (!entry || !caller.memberships.some((m) => m.boardId === entry.boardId)) {
      throw notFound('Entry', 'Vermelding');
    }
    if (entry.incidentId || entry.schoolId) {
      if (!caller.memberships.some((m) => m.schoolId === entry.schoolId)) {
        throw notFound('Entry', 'Vermelding');
      }
      requireRole(caller, entry.schoolId!, entry.incidentId ? TRIGGER_ROLES : ['admin'], ['Entry', 'Vermelding']);
      return entry;
    }
    try {
      await requireBoardManagement(this.accounts, caller, entry.boardId);
    } catch {
      throw forbidden();
    }
    return entry;
  }
}
