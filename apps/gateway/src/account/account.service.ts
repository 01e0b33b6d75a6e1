import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import type { AppRole } from '#lib/demo';
import { prepared } from '#lib/platform';
import { SessionEntity } from '../auth/session.entities.js';
import { AccountAuditEntity, AccountEntity, MembershipEntity, SchoolEntity } from './account.entities.js';

export interface Membership {
  schoolId: string;
  schoolName: string;
  boardId: string;
  role: AppRole;
}

/** Whether an account is disabled, since when and by whom. */
export interface AccountState {
  personId: string;
  disabled: boolean;
  disabledAt: string | null;
  disabledBy: string | null;
}

export interface Caller {
  personId: string;
  name: string;
  memberships: Membership[];
}

@Injectable()
export class AccountService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findByEmail(email: string): Promise<AccountEntity | null> {
    return this.dataSource.getRepository(AccountEntity).findOneBy({ email: email.trim().toLowerCase() });
  }

  async schoolsOfBoard(boardId: string): Promise<string[]> {
    return (await this.dataSource.getRepository(SchoolEntity).findBy({ boardId })).map((s) => s.id);
  }

  /** Which of `personIds` have a role at one of `schoolIds`. */
  async membersOf(schoolIds: string[], personIds: string[]): Promise<Set<string>> {
    const valid = personIds.filter((p) => /^[0-9a-f-]{36}$/i.test(p));
    if (valid.length === 0 || schoolIds.length === 0) {
      return new Set();
    }
    const rows = await this.dataSource
      .getRepository(MembershipEntity)
      .findBy({ schoolId: In(schoolIds), personId: In(valid) });
    return new Set(rows.map((r) => r.personId));
  }

  /** Everyone with a role at the school (or one of `roles`): the audience of an all-staff message. */
  async peopleOfSchool(schoolId: string, roles?: readonly AppRole[]): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(MembershipEntity)
      .findBy({ schoolId, ...(roles ? { role: In([...roles]) } : {}) });
    return rows.map((r) => r.personId);
  }

  async isDisabled(personId: string): Promise<boolean> {
    return !!(await this.dataSource.getRepository(AccountEntity).findOneBy({ personId }))?.disabledAt;
  }

  /**
   * Disables (or enables) an account and records who did it, when, from which school and why. Disabling a disabled
   * account keeps the first time and admin; either way only a change is recorded.
   */
  async setDisabled(
    personId: string,
    disabled: boolean,
    by: { actorId: string; schoolId: string; reason?: string | null },
  ): Promise<AccountState> {
    return this.dataSource.transaction(async (manager) => {
      const account = await manager
        .getRepository(AccountEntity)
        .createQueryBuilder('a')
        .where('a.person_id = :personId', { personId })
        .setLock('pessimistic_write')
        .getOneOrFail();
      if (!!account.disabledAt !== disabled) {
        const at = new Date();
        await manager.update(
          AccountEntity,
          { personId },
          disabled
            ? { disabledAt: at, disabledBy: by.actorId, disabledReason: by.reason ?? null }
            : { disabledAt: null, disabledBy: null, disabledReason: null },
        );
        await manager.insert(AccountAuditEntity, {
          id: randomUUID(),
          personId,
          action: disabled ? 'disabled' : 'enabled',
          actorId: by.actorId,
          schoolId: by.schoolId,
          at,
          reason: by.reason ?? null,
        });
        account.disabledAt = disabled ? at : null;
        account.disabledBy = disabled ? by.actorId : null;
      }
      return {
        personId,
        disabled,
        disabledAt: account.disabledAt?.toISOString() ?? null,
        disabledBy: account.disabledBy,
      };
    });
  }

  /** A person's name (for the spokesperson in the press instruction); null when there is no such account. */
  async nameOf(personId: string): Promise<string | null> {
    return (await this.dataSource.getRepository(AccountEntity).findOneBy({ personId }))?.name ?? null;
  }

  /** The person with every school they have a role at; null if the account is gone or disabled. */
  caller(personId: string): Promise<Caller | null> {
    return this.findCaller(personId, null);
  }

  /**
   * The caller of an API request: as {@link caller}, and only while the access token's session is active (not
   * revoked by a logout or a lost phone, not expired) and is theirs. Every request pays for this, so it is one
   * statement instead of four.
   */
  callerOfSession(personId: string, sessionId: string): Promise<Caller | null> {
    return this.findCaller(personId, sessionId);
  }

  private async findCaller(personId: string, sessionId: string | null): Promise<Caller | null> {
    const t = (entity: typeof AccountEntity | typeof MembershipEntity | typeof SchoolEntity | typeof SessionEntity) => {
      const { schema, tableName } = this.dataSource.getMetadata(entity);
      return schema ? `"${schema}"."${tableName}"` : `"${tableName}"`;
    };
    const session = sessionId
      ? `JOIN ${t(SessionEntity)} x ON x."id" = $2 AND x."person_id" = a."person_id"
         AND x."revoked_at" IS NULL AND x."expires_at" > now()`
      : '';
    const rows = await this.dataSource.query<
      {
        name: string;
        schoolId: string | null;
        role: AppRole | null;
        schoolName: string | null;
        boardId: string | null;
      }[]
    >(
      prepared(`SELECT a."name", s."id" AS "schoolId", m."role", s."name" AS "schoolName", s."board_id" AS "boardId"
       FROM ${t(AccountEntity)} a
       ${session}
       LEFT JOIN ${t(MembershipEntity)} m ON m."person_id" = a."person_id"
       LEFT JOIN ${t(SchoolEntity)} s ON s."id" = m."school_id"
       WHERE a."person_id" = $1 AND a."disabled_at" IS NULL`),
      sessionId ? [personId, sessionId] : [personId],
    );
    if (rows.length === 0) {
      return null;
    }
    return {
      personId,
      name: rows[0]!.name,
      memberships: rows
        .filter((r) => r.schoolId !== null)
        .map((r) => ({ schoolId: r.schoolId!, schoolName: r.schoolName!, boardId: r.boardId!, role: r.role! }))
        .sort((a, b) => a.schoolName.localeCompare(b.schoolName)),
    };
  }
}
