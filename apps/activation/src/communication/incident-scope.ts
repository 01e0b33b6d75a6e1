import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { notFound, rpcError } from '#lib/platform';
import { assigneeFor, type EffectivePlan } from '../plan/effective-plan.js';
import { IncidentEntity } from '../incident/incident.entity.js';
import { rolesIn } from '../plan/plan.queries.js';
import { PlanService } from '../plan/plan.service.js';

const ENDED = ['closed', 'cancelled'];

/** An incident as seen by one actor: in the actor's schools only, with the actor's roles in the school's plan. */
@Injectable()
export class IncidentScope {
  constructor(private readonly plans: PlanService) {}

  /**
   * The incident, when it belongs to one of `schoolIds` (else "not found": its existence is not revealed).
   * `write` locks it (the communication of one incident is decided in turn) and refuses an ended incident.
   */
  async load(
    manager: EntityManager,
    incidentId: string,
    schoolIds: readonly string[],
    write = false,
  ): Promise<IncidentEntity> {
    const query = manager.getRepository(IncidentEntity).createQueryBuilder('i').where('i.id = :id', { id: incidentId });
    const incident = await (write ? query.setLock('pessimistic_write') : query).getOne();
    if (!incident || !schoolIds.includes(incident.schoolId)) {
      throw notFound('Incident', 'Incident');
    }
    if (write && ENDED.includes(incident.status)) {
      throw rpcError({
        statusCode: 409,
        code: 'INCIDENT_CLOSED',
        message: 'The incident is closed',
        messageNl: 'Het incident is afgesloten',
      });
    }
    return incident;
  }

  async plan(manager: EntityManager, incident: IncidentEntity): Promise<EffectivePlan> {
    return (await this.plans.forSchool(incident.schoolId, incident.boardId, manager)).plan;
  }

  /** The roles the actor fills in the school's plan, deputies included. */
  async rolesOf(manager: EntityManager, incident: IncidentEntity, actorId: string): Promise<Set<string>> {
    return rolesIn(await this.plan(manager, incident), actorId);
  }

  /** The first available person of a role, as at a trigger. */
  async firstOf(manager: EntityManager, incident: IncidentEntity, role: string): Promise<string | null> {
    return assigneeFor(await this.plan(manager, incident), role);
  }
}
