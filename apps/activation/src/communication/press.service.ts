import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { buildEvent, EventSubject, type PressDeskView, type RpcPattern, type RpcRequest } from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { IncidentEntity } from '../incident/incident.entity.js';
import { incidentMeta } from '../task/task-events.js';
import { checkedTime } from './agreement.service.js';
import { PressDeskEntity, PressEntryEntity } from './communication.entities.js';
import { assigneeFor } from '../plan/effective-plan.js';
import { rolesIn } from '../plan/plan.queries.js';
import { IncidentScope } from './incident-scope.js';

type SetSpokesperson = RpcRequest<typeof RpcPattern.SetSpokesperson>;
type LogPressEntry = RpcRequest<typeof RpcPattern.LogPressEntry>;
type AnswerPressEntry = RpcRequest<typeof RpcPattern.AnswerPressEntry>;

/** Who may log press questions: the spokesperson, the leader and the communication role. */
const PRESS_ROLES = ['spokesperson', 'leader', 'communication'];

/**
 * The press desk of an incident: one spokesperson (the plan's, or whom the leader names), a log of every press
 * question and what was answered, and the ready staff instruction to refer all press to the spokesperson.
 */
@Injectable()
export class PressService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly relay: OutboxRelayService,
    private readonly scope: IncidentScope,
  ) {}

  async get(request: { incidentId: string; schoolIds: string[] }): Promise<PressDeskView> {
    const manager = this.dataSource.manager;
    const incident = await this.scope.load(manager, request.incidentId, request.schoolIds);
    return this.view(manager, incident);
  }

  /** The leader names the spokesperson of this incident (a person of the school, checked by the gateway). */
  async setSpokesperson(request: SetSpokesperson): Promise<PressDeskView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, request.incidentId, request.schoolIds, true);
      const roles = await this.scope.rolesOf(manager, incident, request.actorId);
      if (!roles.has('leader')) {
        throw rpcError({
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Only the leader names the spokesperson',
          messageNl: 'Alleen de leider wijst de woordvoerder aan',
        });
      }
      const current = await manager.findOneBy(PressDeskEntity, { incidentId: incident.id });
      if (current?.spokespersonId !== request.personId) {
        await manager.upsert(
          PressDeskEntity,
          { incidentId: incident.id, spokespersonId: request.personId, setBy: request.actorId, setAt: new Date() },
          ['incidentId'],
        );
        await addToOutbox(manager, [
          buildEvent(
            EventSubject.SpokespersonSet,
            incidentMeta(incident, request.actorId, request.correlationId, null),
            {
              personId: request.personId,
            },
          ),
        ]);
      }
      return this.view(manager, incident);
    });
    this.relay.nudge();
    return view;
  }

  /** A press question and the answer given; the same entry id again changes nothing. */
  async log(request: LogPressEntry): Promise<PressDeskView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, request.incidentId, request.schoolIds, true);
      const existing = await manager.findOneBy(PressEntryEntity, { id: request.entryId });
      if (existing) {
        if (existing.incidentId !== incident.id) {
          throw rpcError({
            statusCode: 409,
            code: 'ID_IN_USE',
            field: 'entryId',
            message: 'entryId: already used for another incident',
            messageNl: 'entryId: al gebruikt voor een ander incident',
          });
        }
        return this.view(manager, incident);
      }
      await this.requirePressRole(manager, incident, request.actorId);
      const askedAt = checkedTime(request.askedAt, incident, 'askedAt');
      const now = new Date();
      const answer = request.answer?.trim() || null;
      await manager.insert(PressEntryEntity, {
        id: request.entryId,
        incidentId: incident.id,
        askedAt,
        askedBy: request.askedBy.trim(),
        question: request.question.trim(),
        answer,
        answeredAt: answer ? now : null,
        loggedBy: request.actorId,
        createdAt: now,
      });
      await addToOutbox(manager, [
        buildEvent(
          EventSubject.PressEntryLogged,
          incidentMeta(incident, request.actorId, request.correlationId, null),
          {
            entryId: request.entryId,
            subject: request.askedBy.trim(),
            text: request.question.trim(),
            ...(answer ? { detail: answer } : {}),
            askedAt: askedAt.toISOString(),
          },
        ),
      ]);
      return this.view(manager, incident);
    });
    this.relay.nudge();
    return view;
  }

  /** The answer to a question logged before (the spokesperson often answers later); once. */
  async answer(request: AnswerPressEntry): Promise<PressDeskView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, request.incidentId, request.schoolIds, true);
      const entry = await manager.findOneBy(PressEntryEntity, { id: request.entryId, incidentId: incident.id });
      if (!entry) {
        throw notFound('Press question', 'Persvraag');
      }
      await this.requirePressRole(manager, incident, request.actorId);
      if (entry.answer) {
        if (entry.answer === request.answer.trim()) {
          return this.view(manager, incident);
        }
        throw rpcError({
          statusCode: 409,
          code: 'ALREADY_ANSWERED',
          message: 'This question was answered already; log a new entry for a later answer',
          messageNl: 'Deze vraag is al beantwoord; leg een nieuwe regel vast voor een later antwoord',
        });
      }
      await manager.update(
        PressEntryEntity,
        { id: entry.id },
        { answer: request.answer.trim(), answeredAt: new Date() },
      );
      await addToOutbox(manager, [
        buildEvent(
          EventSubject.PressEntryAnswered,
          incidentMeta(incident, request.actorId, request.correlationId, null),
          { entryId: entry.id, detail: request.answer.trim() },
        ),
      ]);
      return this.view(manager, incident);
    });
    this.relay.nudge();
    return view;
  }

  private async requirePressRole(manager: EntityManager, incident: IncidentEntity, actorId: string): Promise<void> {
    const [plan, desk] = await Promise.all([
      this.scope.plan(manager, incident),
      manager.findOneBy(PressDeskEntity, { incidentId: incident.id }),
    ]);
    const spokesperson = desk?.spokespersonId ?? assigneeFor(plan, 'spokesperson');
    const roles = rolesIn(plan, actorId);
    if (!PRESS_ROLES.some((r) => roles.has(r)) && spokesperson !== actorId) {
      throw rpcError({
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'Press questions are logged by the spokesperson, the leader or the communication role',
        messageNl: 'Persvragen worden vastgelegd door de woordvoerder, de leider of de communicatierol',
      });
    }
  }

  private async view(manager: EntityManager, incident: IncidentEntity): Promise<PressDeskView> {
    const [desk, entries] = await Promise.all([
      manager.findOneBy(PressDeskEntity, { incidentId: incident.id }),
      manager.find(PressEntryEntity, { where: { incidentId: incident.id }, order: { askedAt: 'ASC', id: 'ASC' } }),
    ]);
    return {
      incidentId: incident.id,
      spokespersonId: desk?.spokespersonId ?? (await this.scope.firstOf(manager, incident, 'spokesperson')),
      spokespersonSetBy: desk?.setBy ?? null,
      instruction: this.catalog.communication.pressInstruction,
      entries: entries.map((e) => ({
        id: e.id,
        askedAt: e.askedAt.toISOString(),
        askedBy: e.askedBy,
        question: e.question,
        answer: e.answer,
        answeredAt: e.answeredAt?.toISOString() ?? null,
        loggedBy: e.loggedBy,
      })),
    };
  }
}
