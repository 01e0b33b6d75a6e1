import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import {
  AFTERCARE_KINDS,
  AFTERCARE_REFERRALS,
  AFTERCARE_STATES,
  RpcPattern,
  type AftercareItemView,
} from '#lib/contracts';
import { AccountService, type Caller } from '../account/account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { INCIDENT_READ_ROLES } from '../common/access.js';
import { ApiError, forbidden, notFound } from '../common/api-error.js';
import { uuidParam } from '../common/request-scope.js';
import { IncidentAccess } from '../common/incident-access.js';
import { RpcClient } from '../common/rpc.client.js';

/** What a person may move an item to (it starts scheduled). */
const STATES = AFTERCARE_STATES.filter((s) => s !== 'scheduled');

class AddAftercareItemRequestDto {
  @ApiProperty({ enum: AFTERCARE_KINDS }) @IsIn(AFTERCARE_KINDS) kind!: (typeof AFTERCARE_KINDS)[number];

  @ApiProperty({ maxLength: 200, example: 'Gesprek met de klas van Sanne' })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'klas 7B',
    description: 'Who is checked on, by a reference the school understands. Never in a push or SMS.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  subject?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A member of the school; default: the care coordinator' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiProperty({ example: '2026-12-07T08:00:00Z' }) @IsISO8601({ strict: true }) dueAt!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the phone: the same id again is the same item' })
  @IsOptional()
  @IsUUID()
  itemId?: string;
}

class ChangeAftercareItemRequestDto {
  @ApiPropertyOptional({ enum: STATES, description: 'scheduled → checked → fine, or → referred → closed' })
  @IsOptional()
  @IsIn(STATES)
  state?: (typeof STATES)[number];

  @ApiPropertyOptional({
    enum: AFTERCARE_REFERRALS,
    description: 'With state "referred": to the GP, GGD, Slachtofferhulp…',
  })
  @IsOptional()
  @IsIn(AFTERCARE_REFERRALS)
  referredTo?: (typeof AFTERCARE_REFERRALS)[number];

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() ownerId?: string;

  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @Length(0, 2000) note?: string;
}

class AftercareItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() drill!: boolean;
  @ApiProperty() key!: string;
  @ApiProperty({ enum: AFTERCARE_KINDS }) kind!: string;
  @ApiProperty({ type: 'object', properties: { nl: { type: 'string' }, en: { type: 'string' } } })
  title!: { nl: string; en: string };
  @ApiProperty({ nullable: true, type: String }) subject!: string | null;
  @ApiProperty({ nullable: true, type: String }) ownerId!: string | null;
  @ApiProperty() dueAt!: string;
  @ApiProperty({ enum: AFTERCARE_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: String, enum: AFTERCARE_REFERRALS }) referredTo!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ nullable: true, type: String }) notifiedAt!: string | null;
  @ApiProperty() updatedAt!: string;
}

const ITEM: [string, string] = ['Aftercare item', 'Nazorgpunt'];

/**
 * Aftercare (nazorg) of an incident: the schedule made at the trigger and the items the team adds, each with
 * an owner, a due date and a state. The crisis team and management see and keep them; an owner sees and keeps
 * their own item (the link in their notification opens it).
 */
@ApiTags('aftercare')
@ApiBearerAuth()
@Controller('api')
export class AftercareController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly accounts: AccountService,
    private readonly incidents: IncidentAccess,
  ) {}

  @Get('incidents/:id/aftercare')
  @ApiOkResponse({ type: [AftercareItemDto] })
  async list(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<AftercareItemView[]> {
    await this.incidents.load(caller, id);
    return this.rpc.call(RpcPattern.ListAftercare, { incidentId: id });
  }

  @Post('incidents/:id/aftercare')
  @ApiCreatedResponse({ type: AftercareItemDto })
  async add(
    @CurrentCaller() caller: Caller,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: AddAftercareItemRequestDto,
    @Req() req: Request & { correlationId?: string },
  ): Promise<AftercareItemView> {
    const incident = await this.incidents.load(caller, id);
    if (body.ownerId) {
      await this.requireMember(incident.schoolId, body.ownerId);
    }
    return this.rpc.call(RpcPattern.AddAftercareItem, {
      itemId: body.itemId ?? randomUUID(),
      incidentId: id,
      kind: body.kind,
      title: { nl: body.title.trim(), en: body.title.trim() },
      ...(body.subject ? { subject: body.subject.trim() } : {}),
      ...(body.ownerId ? { ownerId: body.ownerId } : {}),
      dueAt: new Date(body.dueAt).toISOString(),
      actorId: caller.personId,
      correlationId: req.correlationId ?? id,
    });
  }

  @Get('aftercare/:itemId')
  @ApiOkResponse({ type: AftercareItemDto })
  get(
    @CurrentCaller() caller: Caller,
    @Param('itemId', uuidParam('itemId')) itemId: string,
  ): Promise<AftercareItemView> {
    return this.item(caller, itemId);
  }

  @Post('aftercare/:itemId')
  @ApiOkResponse({ type: AftercareItemDto })
  async change(
    @CurrentCaller() caller: Caller,
    @Param('itemId', uuidParam('itemId')) itemId: string,
    @Body() body: ChangeAftercareItemRequestDto,
    @Req() req: Request & { correlationId?: string },
    @Res({ passthrough: true }) res: Response,
  ): Promise<AftercareItemView> {
    const item = await this.item(caller, itemId);
    if (body.ownerId) {
      await this.requireMember(item.schoolId, body.ownerId);
    }
    res.status(200);
    return this.rpc.call(RpcPattern.ChangeAftercareItem, {
      itemId,
      actorId: caller.personId,
      ...(body.state ? { state: body.state } : {}),
      ...(body.referredTo ? { referredTo: body.referredTo } : {}),
      ...(body.ownerId ? { ownerId: body.ownerId } : {}),
      ...(body.note !== undefined ? { note: body.note } : {}),
      correlationId: req.correlationId ?? itemId,
    });
  }

  /** The item, for the crisis team and management of its school, or for its owner. */
  private async item(caller: Caller, itemId: string): Promise<AftercareItemView> {
    const item = await this.rpc.call(RpcPattern.GetAftercareItem, { itemId });
    const membership = item && caller.memberships.find((m) => m.schoolId === item.schoolId);
    if (!item || !membership) {
      throw notFound(...ITEM);
    }
    if (item.ownerId !== caller.personId && !INCIDENT_READ_ROLES.includes(membership.role)) {
      throw forbidden();
    }
    return item;
  }

  private async requireMember(schoolId: string, personId: string): Promise<void> {
    if (!(await this.accounts.membersOf([schoolId], [personId])).has(personId)) {
      throw new ApiError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'ownerId',
        message: 'ownerId: not a member of this school',
        messageNl: 'ownerId: hoort niet bij deze school',
      });
    }
  }
}
