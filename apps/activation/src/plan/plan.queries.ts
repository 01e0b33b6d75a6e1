import type { EntityManager } from 'typeorm';
import { PlanSlotEntity } from './plan-slot.entity.js';

/** Leaders (the plan's leader and the leader's deputies) act on every task and on the incident itself. */
export function isLeader(manager: EntityManager, schoolId: string, personId: string): Promise<boolean> {
  return manager.getRepository(PlanSlotEntity).existsBy({ schoolId, role: 'leader', personId });
}
