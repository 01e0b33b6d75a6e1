import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import type { AppRole } from '#lib/demo';
import { AccountEntity, MembershipEntity, SchoolEntity } from './account.entities.js';

export interface Membership {
  schoolId: string;
  schoolName: string;
  boardId: string;
  role: AppRole;
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

  /** A person's name (for the spokesperson in the press instruction); null when there is no such account. */
  async nameOf(personId: string): Promise<string | null> {
    return (await this.dataSource.getRepository(AccountEntity).findOneBy({ personId }))?.name ?? null;
  }

  /** The person with every school they have a role at; null if the account is gone. */
  async caller(personId: string): Promise<Caller | null> {
    const account = await this.dataSource.getRepository(AccountEntity).findOneBy({ personId });
    if (!account) {
      return null;
    }
    const memberships = await this.dataSource.getRepository(MembershipEntity).findBy({ personId });
    const schools = await this.dataSource
      .getRepository(SchoolEntity)
      .findBy({ id: In(memberships.map((m) => m.schoolId)) });
    const byId = new Map(schools.map((s) => [s.id, s]));
    return {
      personId,
      name: account.name,
      memberships: memberships
        .filter((m) => byId.has(m.schoolId))
        .map((m) => ({
          schoolId: m.schoolId,
          schoolName: byId.get(m.schoolId)!.name,
          boardId: byId.get(m.schoolId)!.boardId,
          role: m.role,
        }))
        .sort((a, b) => a.schoolName.localeCompare(b.schoolName)),
    };
  }
}
