import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { buildEvent, EventSubject, type IncidentCommand, type LegalChainView } from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError } from '#lib/platform';
import { IncidentEntity } from '../incident/incident.entity.js';
import { rolesIn } from '../plan/plan.queries.js';
import { PlanService } from '../plan/plan.service.js';
import { incidentMeta } from '../task/task-events.js';
import { checkStep, LEGAL_CHAIN_CALAMITY, nextSteps, type LegalStep } from './legal-chain.js';
import { LegalStepEntity } from './legal-step.entity.js';

/** The roles that carry the chain for the board: the leader and the board liaison (and their deputies). */
const CHAIN_ROLES = ['leader', 'board-liaison'];

@Injectable()
export class LegalChainService {
  private readonly log = new Logger(LegalChainService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelayService,
    private readonly plans: PlanService,
  ) {}

  /** The chain, for the people who carry it only: it is about a suspected offence and names people. */
  async get(command: IncidentCommand): Promise<LegalChainView> {
    return this.dataSource.transaction(async (manager) => {
      const incident = await this.incident(manager, command, false);
      await this.requireChainRole(manager, incident, command.actorId);
      return this.view(incident, manager);
    });
  }

  /**
   * Records a step, in the law's order only, once, with the time it happened (which may be before the time it
   * is recorded, never in the future) and a note. The step is an event, so the timeline keeps it.
   */
  async record(
    command: IncidentCommand,
    input: { step: LegalStep; occurredAt?: Date; note: string; reasonableSuspicion?: boolean },
  ): Promise<LegalChainView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.incident(manager, command, true);
      await this.requireChainRole(manager, incident, command.actorId);
      const recorded = await manager.getRepository(LegalStepEntity).findBy({ incidentId: incident.id });
      const refusal = checkStep(
        recorded.map((r) => ({
          step: r.step,
          ...(r.reasonableSuspicion === null ? {} : { reasonableSuspicion: r.reasonableSuspicion }),
        })),
        input.step,
        input.reasonableSuspicion,
      );
      if (refusal) {
        throw rpcError({
          statusCode: refusal.code === 'OUT_OF_ORDER' || refusal.code === 'ALREADY_RECORDED' ? 409 : 400,
          code: refusal.code,
          ...(refusal.code === 'DECISION_REQUIRED' || refusal.code === 'NOT_A_DECISION'
            ? { field: 'reasonableSuspicion' }
            : {}),
          message: refusal.message,
          messageNl: refusal.messageNl,
        });
      }
      const now = new Date();
      const occurredAt = input.occurredAt ?? now;
      if (
        occurredAt.getTime() > now.getTime() + 60_000 ||
        occurredAt.getTime() < incident.createdAt.getTime() - 7 * 24 * 3_600_000
      ) {
        throw rpcError({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          field: 'occurredAt',
          message: 'occurredAt: not in the future, and not long before the signal',
          messageNl: 'occurredAt: niet in de toekomst, en niet lang vóór het signaal',
        });
      }
      const row = manager.create(LegalStepEntity, {
        incidentId: incident.id,
        step: input.step,
        occurredAt,
        recordedAt: now,
        recordedBy: command.actorId,
        note: input.note,
        reasonableSuspicion: input.reasonableSuspicion ?? null,
      });
      await manager.insert(LegalStepEntity, row);
      await addToOutbox(manager, [
        buildEvent(
          EventSubject.LegalStepRecorded,
          incidentMeta(incident, command.actorId, command.correlationId, null),
          {
            step: input.step,
            stepOccurredAt: occurredAt.toISOString(),
            note: input.note,
            ...(input.reasonableSuspicion === undefined ? {} : { reasonableSuspicion: input.reasonableSuspicion }),
          },
        ),
      ]);
      return this.view(incident, manager);
    });
    this.relay.nudge();
    this.log.log(`incident ${command.incidentId}: legal step ${input.step} recorded`);
    return view;
  }

  private async requireChainRole(manager: EntityManager, incident: IncidentEntity, actorId: string): Promise<void> {
    const { plan } = await this.plans.forSchool(incident.schoolId, incident.boardId, manager);
    const roles = rolesIn(plan, actorId);
    if (!CHAIN_ROLES.some((role) => roles.has(role))) {
      throw rpcError({
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'Only the leader or the board liaison keeps the legal chain',
        messageNl: 'Alleen de leider of het contact met het bestuur houdt de wettelijke keten bij',
      });
    }
  }

  private async incident(manager: EntityManager, command: IncidentCommand, lock: boolean): Promise<IncidentEntity> {
    const query = manager
      .getRepository(IncidentEntity)
      .createQueryBuilder('i')
      .where('i.id = :id', { id: command.incidentId });
    const incident = await (lock ? query.setLock('pessimistic_write') : query).getOne();
    if (!incident || !command.schoolIds.includes(incident.schoolId)) {
      throw notFound('Incident', 'Incident');
    }
    if (incident.calamityType !== LEGAL_CHAIN_CALAMITY) {
      throw rpcError({
        statusCode: 409,
        code: 'NO_LEGAL_CHAIN',
        message: 'This incident has no legal chain (only a suspected sexual offence by staff has)',
        messageNl: 'Dit incident heeft geen wettelijke keten (alleen een vermoeden van een zedendelict door personeel)',
      });
    }
    return incident;
  }

  private async view(incident: IncidentEntity, manager: EntityManager): Promise<LegalChainView> {
    const steps = await manager
      .getRepository(LegalStepEntity)
      .find({ where: { incidentId: incident.id }, order: { recordedAt: 'ASC' } });
    const next = nextSteps(
      steps.map((s) => ({
        step: s.step,
        ...(s.reasonableSuspicion === null ? {} : { reasonableSuspicion: s.reasonableSuspicion }),
      })),
    );
    return {
      incidentId: incident.id,
      signalReceivedAt: incident.createdAt.toISOString(),
      steps: steps.map((s) => ({
        step: s.step,
        occurredAt: s.occurredAt.toISOString(),
        recordedAt: s.recordedAt.toISOString(),
        recordedBy: s.recordedBy,
        note: s.note,
        reasonableSuspicion: s.reasonableSuspicion,
      })),
      next,
      complete: next.length === 0,
    };
  }
}
