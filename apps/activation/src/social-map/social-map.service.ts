import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type PartyContactView,
  type RpcPattern,
  type RpcRequest,
  type RpcResponse,
  type SocialMapEntryView,
  type SocialMapPartyView,
  type SocialMapView,
} from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import type { Catalog, PartyDefinition } from '../catalog/catalog.types.js';
import { checkedTime } from '../communication/agreement.service.js';
import { IncidentScope } from '../communication/incident-scope.js';
import type { IncidentEntity } from '../incident/incident.entity.js';
import { TaskEntity } from '../incident/task.entity.js';
import { incidentMeta } from '../task/task-events.js';
import { PartyContactEntity, SocialMapEntryEntity } from './social-map.entities.js';

type SaveEntry = RpcRequest<typeof RpcPattern.SaveSocialMapEntry>;
type LogContact = RpcRequest<typeof RpcPattern.LogPartyContact>;

/** `tel:` link of a number as people write it ("0800-0113", "+31 20 311 3888"). */
export function telUri(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`;
}

function entryView(e: SocialMapEntryEntity): SocialMapEntryView {
  return {
    id: e.id,
    party: e.party,
    scope: e.incidentId ? 'incident' : e.schoolId ? 'school' : 'board',
    name: e.name,
    phone: e.phone,
    telUri: telUri(e.phone),
    phoneAlt: e.phoneAlt,
    email: e.email,
    note: e.note,
  };
}

/**
 * The sociale kaart: the outside parties of the catalog, each with when to call it, national numbers, the board's
 * defaults, the school's own additions and, per incident, the family's funeral contact. Calls made from a task or
 * the incident are logged with their outcome, and each is an event on the timeline.
 */
@Injectable()
export class SocialMapService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly relay: OutboxRelayService,
    private readonly scope: IncidentScope,
  ) {}

  /** The map of a school; for an incident, with its own entries and the parties of its type first. */
  async get(request: { schoolId: string; boardId: string; incidentId?: string }): Promise<SocialMapView> {
    const manager = this.dataSource.manager;
    let incident: IncidentEntity | null = null;
    if (request.incidentId) {
      incident = await this.scope.load(manager, request.incidentId, [request.schoolId]);
    }
    const parties = await this.parties(manager, request.schoolId, request.boardId, incident);
    return { schoolId: request.schoolId, incidentId: incident?.id ?? null, parties };
  }

  async getEntry(request: { entryId: string }): Promise<RpcResponse<typeof RpcPattern.GetSocialMapEntry>> {
    const found = await this.dataSource.manager.findOneBy(SocialMapEntryEntity, { id: request.entryId });
    return found
      ? { ...entryView(found), boardId: found.boardId, schoolId: found.schoolId, incidentId: found.incidentId }
      : null;
  }

  /** Creates or replaces an entry (the gateway has checked who may edit at that scope). */
  async save(request: SaveEntry): Promise<SocialMapEntryView> {
    const party = this.party(request.entry.party);
    if (party.perIncident && request.scope !== 'incident') {
      throw rpcError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'party',
        message: `party: "${party.id}" is recorded per incident`,
        messageNl: `party: "${party.id}" wordt per incident vastgelegd`,
      });
    }
    return this.dataSource.transaction(async (manager) => {
      const existing = await manager.findOneBy(SocialMapEntryEntity, { id: request.entryId });
      const owner = {
        boardId: request.boardId,
        schoolId: request.scope === 'board' ? null : (request.schoolId ?? null),
        incidentId: request.scope === 'incident' ? (request.incidentId ?? null) : null,
      };
      if (
        existing &&
        (existing.boardId !== owner.boardId ||
          existing.schoolId !== owner.schoolId ||
          existing.incidentId !== owner.incidentId)
      ) {
        throw rpcError({
          statusCode: 409,
          code: 'ID_IN_USE',
          field: 'entryId',
          message: 'entryId: belongs to another map',
          messageNl: 'entryId: hoort bij een andere kaart',
        });
      }
      const row: SocialMapEntryEntity = {
        id: request.entryId,
        ...owner,
        party: party.id,
        name: request.entry.name.trim(),
        phone: request.entry.phone.trim(),
        phoneAlt: request.entry.phoneAlt?.trim() || null,
        email: request.entry.email?.trim() || null,
        note: request.entry.note?.trim() || null,
        updatedBy: request.actorId,
        updatedAt: new Date(),
      };
      await manager.save(SocialMapEntryEntity, row);
      return entryView(row);
    });
  }

  async delete(request: { entryId: string }): Promise<{ deleted: boolean }> {
    const result = await this.dataSource.manager.delete(SocialMapEntryEntity, { id: request.entryId });
    return { deleted: (result.affected ?? 0) > 0 };
  }

  /**
   * "Called the police at 14:05, outcome ..." in one tap from a task (or from the incident). The assignee of the
   * task and the crisis team may log; the same contact id again changes nothing.
   */
  async logContact(request: LogContact): Promise<PartyContactView & { created: boolean }> {
    const party = this.party(request.party);
    const outcome = await this.dataSource.transaction(async (manager) => {
      let task: TaskEntity | null = null;
      let incidentId = request.incidentId;
      if (request.taskId) {
        task = await manager.findOneBy(TaskEntity, { id: request.taskId });
        if (!task) {
          throw notFound('Task', 'Taak');
        }
        incidentId = task.incidentId;
      }
      if (!incidentId) {
        throw rpcError({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          field: 'incidentId',
          message: 'incidentId: a contact belongs to an incident or a task',
          messageNl: 'incidentId: een contact hoort bij een incident of een taak',
        });
      }
      const incident = await this.scope.load(manager, incidentId, request.schoolIds, true);
      const existing = await manager.findOneBy(PartyContactEntity, { id: request.contactId });
      if (existing) {
        if (existing.incidentId !== incident.id) {
          throw rpcError({
            statusCode: 409,
            code: 'ID_IN_USE',
            field: 'contactId',
            message: 'contactId: already used for another incident',
            messageNl: 'contactId: al gebruikt voor een ander incident',
          });
        }
        return { row: existing, created: false };
      }
      const roles = await this.scope.rolesOf(manager, incident, request.actorId);
      if (roles.size === 0 && task?.assigneeId !== request.actorId) {
        throw rpcError({
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Calls are logged by the crisis team or the assignee of the task',
          messageNl: 'Gesprekken worden vastgelegd door het crisisteam of wie de taak heeft',
        });
      }
      if (request.entryId) {
        const entry = await manager.findOneBy(SocialMapEntryEntity, { id: request.entryId });
        const belongs =
          entry &&
          entry.party === party.id &&
          entry.boardId === incident.boardId &&
          (entry.schoolId === null || entry.schoolId === incident.schoolId) &&
          (entry.incidentId === null || entry.incidentId === incident.id);
        if (!belongs) {
          throw rpcError({
            statusCode: 400,
            code: 'VALIDATION_FAILED',
            field: 'entryId',
            message: 'entryId: not an entry of this party on the school’s sociale kaart',
            messageNl: 'entryId: geen vermelding van deze partij op de sociale kaart van de school',
          });
        }
      }
      const contactedAt = checkedTime(request.contactedAt, incident, 'contactedAt');
      const row: PartyContactEntity = {
        id: request.contactId,
        incidentId: incident.id,
        party: party.id,
        entryId: request.entryId ?? null,
        taskId: task?.id ?? null,
        contactedAt,
        outcome: request.outcome.trim(),
        loggedBy: request.actorId,
        createdAt: new Date(),
      };
      await manager.insert(PartyContactEntity, row);
      await addToOutbox(manager, [
        buildEvent(EventSubject.PartyContacted, incidentMeta(incident, request.actorId, request.correlationId, null), {
          contactId: row.id,
          party: party.id,
          ...(row.entryId ? { entryId: row.entryId } : {}),
          ...(row.taskId ? { taskId: row.taskId } : {}),
          contactedAt: contactedAt.toISOString(),
          note: row.outcome,
        }),
      ]);
      return { row, created: true };
    });
    this.relay.nudge();
    return { ...this.contactView(outcome.row), created: outcome.created };
  }

  async listContacts(request: { incidentId: string; schoolIds: string[] }): Promise<PartyContactView[]> {
    const manager = this.dataSource.manager;
    const incident = await this.scope.load(manager, request.incidentId, request.schoolIds);
    const rows = await manager.find(PartyContactEntity, {
      where: { incidentId: incident.id },
      order: { contactedAt: 'ASC', id: 'ASC' },
    });
    return rows.map((r) => this.contactView(r));
  }

  /** The parties a task names, with their numbers, and the calls logged from the task. */
  async forTask(request: {
    taskId: string;
    schoolIds: string[];
  }): Promise<RpcResponse<typeof RpcPattern.GetTaskParties>> {
    const manager = this.dataSource.manager;
    const task = await manager.findOneBy(TaskEntity, { id: request.taskId });
    if (!task) {
      throw notFound('Task', 'Taak');
    }
    const incident = await this.scope.load(manager, task.incidentId, request.schoolIds).catch(() => {
      throw notFound('Task', 'Taak');
    });
    const named = this.catalog.tasks.find((t) => t.id === task.templateId)?.parties ?? [];
    const all = await this.parties(manager, incident.schoolId, incident.boardId, incident);
    const contacts = await manager.find(PartyContactEntity, {
      where: { taskId: task.id },
      order: { contactedAt: 'ASC', id: 'ASC' },
    });
    return {
      taskId: task.id,
      incidentId: incident.id,
      parties: named.map((id) => all.find((p) => p.party === id)).filter((p): p is SocialMapPartyView => !!p),
      contacts: contacts.map((c) => this.contactView(c)),
    };
  }

  private async parties(
    manager: EntityManager,
    schoolId: string,
    boardId: string,
    incident: IncidentEntity | null,
  ): Promise<SocialMapPartyView[]> {
    const rows = await manager.find(SocialMapEntryEntity, {
      where: [
        { boardId, schoolId: IsNull(), incidentId: IsNull() },
        { boardId, schoolId, incidentId: IsNull() },
        ...(incident ? [{ boardId, schoolId, incidentId: incident.id }] : []),
      ],
      order: { updatedAt: 'ASC', id: 'ASC' },
    });
    const rank = { incident: 0, school: 1, board: 2, national: 3 } as const;
    const views = this.catalog.communication.parties.map((party) => ({
      party: party.id,
      name: party.name,
      whenToCall: party.whenToCall,
      sources: party.sources,
      relevant: incident ? party.calamityTypes.includes(incident.calamityType) : false,
      perIncident: party.perIncident,
      entries: [
        ...rows.filter((r) => r.party === party.id).map(entryView),
        ...party.national.map((n): SocialMapEntryView => ({
          id: null,
          party: party.id,
          scope: 'national',
          name: n.name,
          phone: n.phone,
          telUri: telUri(n.phone),
          phoneAlt: null,
          email: null,
          note: n.note ?? null,
        })),
      ].sort((a, b) => rank[a.scope] - rank[b.scope]),
    }));
    // Relevant parties first, the most specific to the type first (113 after a suicide before the GGD), then the
    // rest in the catalog's order.
    const specificity = (id: string) =>
      this.catalog.communication.parties.find((p) => p.id === id)?.calamityTypes.length ?? 0;
    return [
      ...views.filter((v) => v.relevant).sort((a, b) => specificity(a.party) - specificity(b.party)),
      ...views.filter((v) => !v.relevant),
    ];
  }

  private party(id: string): PartyDefinition {
    const party = this.catalog.communication.parties.find((p) => p.id === id);
    if (!party) {
      throw rpcError({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        field: 'party',
        message: `party: one of ${this.catalog.communication.parties.map((p) => p.id).join(', ')}`,
        messageNl: `party: een van ${this.catalog.communication.parties.map((p) => p.id).join(', ')}`,
      });
    }
    return party;
  }

  private contactView(row: PartyContactEntity): PartyContactView {
    const party = this.catalog.communication.parties.find((p) => p.id === row.party);
    return {
      id: row.id,
      incidentId: row.incidentId,
      party: row.party,
      partyName: party?.name ?? { nl: row.party, en: row.party },
      entryId: row.entryId,
      taskId: row.taskId,
      contactedAt: row.contactedAt.toISOString(),
      outcome: row.outcome,
      loggedBy: row.loggedBy,
    };
  }
}
