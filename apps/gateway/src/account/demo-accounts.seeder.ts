import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DEMO_BOARDS, DEMO_MEMBERSHIPS, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_SCHOOLS } from '#lib/demo';
import { hashPassword } from '../auth/password.js';
import { AccountEntity, BoardEntity, MembershipEntity, SchoolEntity } from './account.entities.js';

/** Seeds the demo boards, schools and accounts into an empty database (DESIGN.md §6; off with SEED_DEMO=false). */
@Injectable()
export class DemoAccountsSeeder {
  private readonly log = new Logger(DemoAccountsSeeder.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seedIfEmpty(): Promise<void> {
    if ((await this.dataSource.getRepository(BoardEntity).count()) > 0) {
      return;
    }
    const accounts = await Promise.all(
      DEMO_PEOPLE.map(async (p) => ({
        personId: p.id,
        email: p.email,
        name: p.name,
        passwordHash: await hashPassword(DEMO_PASSWORD),
      })),
    );
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(
        BoardEntity,
        DEMO_BOARDS.map(({ id, name }) => ({ id, name })),
      );
      await manager.insert(
        SchoolEntity,
        DEMO_SCHOOLS.map(({ id, boardId, name, sector }) => ({ id, boardId, name, sector })),
      );
      await manager.insert(AccountEntity, accounts);
      await manager.insert(MembershipEntity, [...DEMO_MEMBERSHIPS]);
    });
    this.log.log(
      `seeded ${DEMO_BOARDS.length} boards, ${DEMO_SCHOOLS.length} schools, ${accounts.length} demo accounts`,
    );
  }
}
