import { Injectable } from '@nestjs/common';
import { RpcPattern, type IncidentView } from '#lib/contracts';
import type { AppRole } from '#lib/demo';
import type { Caller, Membership } from '../account/account.service.js';
import { INCIDENT_READ_ROLES, requireRole } from './access.js';
import { notFound } from './api-error.js';
import { RpcClient } from './rpc.client.js';

/** Loading an incident for a caller: the one place its tenant and role are checked. */
@Injectable()
export class IncidentAccess {
  constructor(private readonly rpc: RpcClient) {}

  /**
   * The incident, for a caller with one of `roles` at its school: 404 when it does not exist or belongs to
   * another school (its existence is not revealed), 403 for a member without the role.
   */
  async load(
    caller: Caller,
    incidentId: string,
    roles: readonly AppRole[] = INCIDENT_READ_ROLES,
  ): Promise<IncidentView & { membership: Membership }> {
    const incident = await this.rpc.call(RpcPattern.GetIncident, { incidentId });
    if (!incident) {
      throw notFound('Incident', 'Incident');
    }
    const membership = requireRole(caller, incident.schoolId, roles, ['Incident', 'Incident']);
    return { ...incident, membership };
  }
}

/**
 * The incident's tasks whose assignees are still to be told of them now (assigned, told at the trigger or
 * earlier, not yet notified): a message to all staff sends its SMS after theirs.
 */
export function assignmentsBeingTold(incident: IncidentView, now = new Date()): string[] {
  return incident.tasks
    .filter((t) => t.assigneeId !== null && t.status === 'pending' && Date.parse(t.announceAt) <= now.getTime())
    .map((t) => t.id);
}
