import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RpcPattern } from '#lib/contracts';
import type { Caller } from './account.service.js';
import { CurrentCaller } from '../auth/auth.guard.js';
import { SessionService } from '../auth/session.service.js';
import { requireRole } from '../common/access.js';
import { forbidden, notFound } from '../common/api-error.js';
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
}

class RevokeResultDto {
  @ApiProperty() revokedSessions!: number;
  @ApiProperty({ description: 'Push subscriptions (devices) removed' }) removedDevices!: number;
}

/**
 * People of a school: the admin imports staff from CSV, and ends every session of a person whose phone is lost
 * (its devices stop receiving pushes too).
 */
@ApiTags('people')
@ApiBearerAuth()
@Controller('api')
export class PeopleController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
      .select(['m.person_id AS "personId"', 'a.name AS "name"', 'm.role AS "role"'])
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

  private async personFor(email: string): Promise<string | null> {
    return (await this.dataSource.getRepository(AccountEntity).findOneBy({ email }))?.personId ?? null;
  }
}
