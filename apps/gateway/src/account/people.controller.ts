import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RpcPattern } from '#lib/contracts';
import { AccountService, type Caller } from './account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { SessionService } from '../auth/session.service.js';
import { requireRole } from '../common/access.js';
import { ApiError, forbidden, notFound } from '../common/api-error.js';
import { uuidParam } from '../common/request-scope.js';
import { RpcClient } from '../common/rpc.client.js';
import { AccountEntity, MembershipEntity } from './account.entities.js';
import { parseStaffCsv, type StaffRow } from './staff-csv.js';

class ImportStaffRequestDto {
  @ApiProperty({
    description:
      'CSV with the columns email,name,role[,phone] (a header row is allowed); role: staff, crisis_team, management or admin',
    example: 'email,name,role,phone\nj.jansen@deregenboog.example,Jan Jansen,staff,0612345678',
  })
  @IsString()
  @Length(1, 500_000)
  csv!: string;
}

class ImportErrorDto {
  @ApiProperty() line!: number;
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
  @ApiProperty() messageNl!: string;
}

class ImportResultDto {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty({ type: [ImportErrorDto], description: 'Lines not imported, with why' }) errors!: ImportErrorDto[];
}

class SchoolPersonDto {
  @ApiProperty() personId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'crisis_team', 'staff', 'management'] }) role!: string;
  @ApiProperty({ description: 'Disabled by an admin: cannot log in' }) disabled!: boolean;
}

class RevokeResultDto {
  @ApiProperty() revokedSessions!: number;
  @ApiProperty({ description: 'Push subscriptions (devices) removed' }) removedDevices!: number;
}

class DisableRequestDto {
  @ApiPropertyOptional({ example: 'Uit dienst per 1 december', description: 'Why (kept with who and when)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

class AccountStateDto {
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The admin who disabled it' })
  disabledBy!: string | null;
}

class DisableResultDto extends AccountStateDto {
  @ApiProperty() revokedSessions!: number;
  @ApiProperty({ description: 'Push subscriptions (devices) removed' }) removedDevices!: number;
}

/**
 * People of a school: the admin imports staff from CSV, ends every session of a person whose phone is lost (its
 * devices stop receiving pushes too), and disables an account (and enables it again).
 */
@ApiTags('people')
@ApiBearerAuth()
@Controller('api')
export class PeopleController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountService,
    private readonly sessions: SessionService,
    private readonly rpc: RpcClient,
  ) {}

  /** The people of a school with their role, by name (the crisis plan names them; no contact data here). */
  @Get('schools/:schoolId/people')
  @ApiOkResponse({ type: [SchoolPersonDto] })
  async people(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
  ): Promise<SchoolPersonDto[]> {
    requireRole(caller, schoolId, ['admin', 'crisis_team', 'management'], ['School', 'School']);
    const rows = await this.dataSource
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoin(AccountEntity, 'a', 'a.person_id = m.person_id')
      .select([
        'm.person_id AS "personId"',
        'a.name AS "name"',
        'm.role AS "role"',
        'a.disabled_at IS NOT NULL AS "disabled"',
      ])
      .where('m.school_id = :schoolId', { schoolId })
      .orderBy('a.name', 'ASC')
      .getRawMany<SchoolPersonDto>();
    return rows;
  }

  /** A lost phone: every session of the person ends at once, and its push subscriptions are removed. */
  @Post('people/:personId/revoke-sessions')
  @HttpCode(200)
  @ApiOkResponse({ type: RevokeResultDto })
  async revoke(
    @CurrentCaller() caller: Caller,
    @Param('personId', uuidParam('personId')) personId: string,
  ): Promise<RevokeResultDto> {
    if (personId !== caller.personId) {
      const theirs = await this.dataSource.getRepository(MembershipEntity).findBy({ personId });
      const shared = theirs.filter((m) => caller.memberships.some((c) => c.schoolId === m.schoolId));
      if (shared.length === 0) {
        throw notFound('Person', 'Persoon');
      }
      if (!shared.some((m) => caller.memberships.some((c) => c.schoolId === m.schoolId && c.role === 'admin'))) {
        throw forbidden();
      }
    }
    const revokedSessions = await this.sessions.revokeAll(personId, `revoked by ${caller.personId}`);
    const { removed } = await this.rpc.call(RpcPattern.RemoveAllPushSubscriptions, { personId });
    return { revokedSessions, removedDevices: removed };
  }

  /**
   * Disables an account: every session ends at once (its access and refresh tokens with it), every push device is
   * removed, and logging in is refused with ACCOUNT_DISABLED (only after the right password) until it is enabled
   * again. For the admin of the school, when the person works at no school they are not the admin of. Who, when
   * and why are recorded. Tasks the crisis plan gives the person are not moved here: the plan names deputies.
   */
  @Post('schools/:schoolId/people/:personId/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: DisableResultDto })
  @ApiForbiddenResponse({ description: 'Not the admin of every school the person works at' })
  @ApiNotFoundResponse({ description: 'No such person at this school' })
  @ApiConflictResponse({ description: 'OWN_ACCOUNT: an admin does not disable their own account' })
  async disable(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
    @Param('personId', uuidParam('personId')) personId: string,
    @Body() body: DisableRequestDto,
  ): Promise<DisableResultDto> {
    await this.requireAdminOver(caller, schoolId, personId);
    // First the account (no new login or token from here on), then what was already open.
    const state = await this.accounts.setDisabled(personId, true, {
      actorId: caller.personId,
      schoolId,
      reason: body.reason?.trim() || null,
    });
    const revokedSessions = await this.sessions.revokeAll(personId, `disabled by ${caller.personId}`);
    // Safe to repeat: a notifier that did not answer makes this a 503, and the admin disables again.
    const { removed } = await this.rpc.call(RpcPattern.RemoveAllPushSubscriptions, { personId });
    return { ...state, revokedSessions, removedDevices: removed };
  }

  /** Enables a disabled account again: the person may log in (and register their devices) again. */
  @Post('schools/:schoolId/people/:personId/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: AccountStateDto })
  @ApiForbiddenResponse({ description: 'Not the admin of every school the person works at' })
  @ApiNotFoundResponse({ description: 'No such person at this school' })
  async enable(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
    @Param('personId', uuidParam('personId')) personId: string,
  ): Promise<AccountStateDto> {
    await this.requireAdminOver(caller, schoolId, personId);
    return this.accounts.setDisabled(personId, false, { actorId: caller.personId, schoolId });
  }

  /**
   * Imports staff: each valid line becomes an account (without a password until one is set) and a role at this
   * school, with the phone number for SMS when given. Lines with a problem are reported, not imported.
   */
  @Post('schools/:schoolId/people/import')
  @HttpCode(200)
  @ApiOkResponse({ type: ImportResultDto })
  async import(
    @CurrentCaller() caller: Caller,
    @Param('schoolId', uuidParam('schoolId')) schoolId: string,
    @Body() body: ImportStaffRequestDto,
  ): Promise<ImportResultDto> {
    requireRole(caller, schoolId, ['admin'], ['School', 'School']);
    const { rows, errors } = parseStaffCsv(body.csv);
    let created = 0;
    let updated = 0;
    const imported: StaffRow[] = [];
    for (const row of rows) {
      if (row.phone) {
        // The notifier holds phone numbers and normalises them; refuse the line if it cannot.
        const personId = (await this.personFor(row.email)) ?? randomUUID();
        try {
          await this.rpc.call(RpcPattern.SetPhone, { personId, phone: row.phone });
        } catch (error) {
          const body = (error as { getResponse?: () => { message?: string; messageNl?: string } }).getResponse?.();
          errors.push({
            line: row.line,
            field: 'phone',
            message: body?.message ?? 'phone: not a usable number',
            messageNl: body?.messageNl ?? 'phone: geen bruikbaar nummer',
          });
          continue;
        }
        row.personId = personId;
      }
      imported.push(row);
    }
    await this.dataSource.transaction(async (manager) => {
      for (const row of imported) {
        const existing = await manager.findOneBy(AccountEntity, { email: row.email });
        const personId = existing?.personId ?? row.personId ?? randomUUID();
        if (existing) {
          await manager.update(AccountEntity, { personId }, { name: row.name });
          updated += 1;
        } else {
          await manager.insert(AccountEntity, { personId, email: row.email, name: row.name, passwordHash: null });
          created += 1;
        }
        await manager.upsert(MembershipEntity, { personId, schoolId, role: row.role }, ['personId', 'schoolId']);
      }
    });
    return { created, updated, errors: errors.sort((a, b) => a.line - b.line) };
  }

  /**
   * The caller is the admin of `schoolId`, the person has a role there, and every other school of the person has
   * the caller as admin too (an account is one login for all of them). Another school's person is "not found".
   */
  private async requireAdminOver(caller: Caller, schoolId: string, personId: string): Promise<void> {
    requireRole(caller, schoolId, ['admin'], ['School', 'School']);
    const theirs = await this.dataSource.getRepository(MembershipEntity).findBy({ personId });
    if (!theirs.some((m) => m.schoolId === schoolId)) {
      throw notFound('Person', 'Persoon');
    }
    if (personId === caller.personId) {
      throw new ApiError({
        statusCode: 409,
        code: 'OWN_ACCOUNT',
        message: 'You cannot disable or enable your own account: ask another admin',
        messageNl: 'Je kunt je eigen account niet uitschakelen of inschakelen: vraag een andere beheerder',
      });
    }
    const elsewhere = theirs.some(
      (m) => !caller.memberships.some((c) => c.schoolId === m.schoolId && c.role === 'admin'),
    );
    if (elsewhere) {
      throw new ApiError({
        statusCode: 403,
        code: 'OTHER_SCHOOLS',
        message: 'This person also works at a school you are not the admin of: ask its admin or the board',
        messageNl:
          'Deze persoon werkt ook op een school waar je geen beheerder bent: vraag die beheerder of het bestuur',
      });
    }
  }

  private async personFor(email: string): Promise<string | null> {
    return (await this.dataSource.getRepository(AccountEntity).findOneBy({ email }))?.personId ?? null;
  }
}
