import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DEMO_PLAN } from '#lib/demo';
import { PlanSlotEntity } from './plan-slot.entity.js';

/** Seeds the demo schools' crisis plans into an empty plan table (DESIGN.md §6; off with SEED_DEMO=false). */
@Injectable()
export class DemoPlanSeeder {
  private readonly log = new Logger(DemoPlanSeeder.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async seedIfEmpty(): Promise<void> {
    const repo = this.dataSource.getRepository(PlanSlotEntity);
    if ((await repo.count()) > 0) {
      return;
    }
    await repo
      .createQueryBuilder()
      .insert()
      .values([...DEMO_PLAN])
      .orIgnore()
      .execute();
    this.log.log(`seeded ${DEMO_PLAN.length} demo crisis-plan slots`);
  }
}
