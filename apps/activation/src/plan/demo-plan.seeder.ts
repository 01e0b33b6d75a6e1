import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DEMO_PLAN, DEMO_SCHOOLS } from '#lib/demo';
import type { PlanContent } from './plan-content.js';
import { PlanVersionEntity } from './plan-version.entity.js';

/** Seeds version 1 of each demo school's crisis plan into an empty database (DESIGN.md §6; off with SEED_DEMO=false). */
@Injectable()
export class DemoPlanSeeder {
  private readonly log = new Logger(DemoPlanSeeder.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seedIfEmpty(): Promise<void> {
    const repo = this.dataSource.getRepository(PlanVersionEntity);
    if ((await repo.count()) > 0) {
      return;
    }
    const now = new Date();
    const reviewDue = new Date(now.getTime() + 365 * 24 * 3_600_000).toISOString().slice(0, 10);
    const rows = DEMO_SCHOOLS.map((school) => {
      const slots = DEMO_PLAN.filter((s) => s.schoolId === school.id);
      const roles = [...new Set(slots.map((s) => s.role))].map((role) => ({
        role,
        people: slots
          .filter((s) => s.role === role)
          .sort((a, b) => a.rank - b.rank)
          .map((s) => s.personId),
      }));
      const content: PlanContent = { roles, unavailable: [], taskOverrides: [], extraTasks: [], reviewDue };
      return {
        id: randomUUID(),
        scope: 'school' as const,
        ownerId: school.id,
        boardId: school.boardId,
        version: 1,
        content,
        createdBy: 'seed',
        createdAt: now,
      };
    });
    await repo.insert(rows);
    this.log.log(`seeded the crisis plans of ${rows.length} demo schools`);
  }
}
