import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  buildEvent,
  EventSubject,
  type AgreementsView,
  type EventEnvelope,
  type MessageVersionView,
  type MessageView,
  type RpcPattern,
  type RpcRequest,
} from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { notFound, rpcError } from '#lib/platform';
import { CATALOG } from '../activation.settings.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { IncidentEntity } from '../incident/incident.entity.js';
import { incidentMeta } from '../task/task-events.js';
import { AgreementService, checkedTime, clearanceRecorded } from './agreement.service.js';
import { MessageEntity, MessageVersionEntity } from './communication.entities.js';
import { IncidentScope } from './incident-scope.js';
import {
  audienceOf,
  draftMessage,
  familyApprovalReasons,
  fillTemplate,
  rulesFor,
  templateFor,
  unfilledPlaces,
} from './message-template.js';
import { blockers, decide, mayEdit, STATE_LABELS, type WorkflowMessage } from './message-workflow.js';

type CreateMessage = RpcRequest<typeof RpcPattern.CreateMessage>;
type ReviseMessage = RpcRequest<typeof RpcPattern.ReviseMessage>;
type ActOnMessage = RpcRequest<typeof RpcPattern.ActOnMessage>;
type MessageScope = { messageId: string; schoolIds: string[] };

const fullText = (m: { title: string; body: string }) => `${m.title}\n\n${m.body}`;

/**
 * The core message and the messages per audience derived from it: drafted from the catalog's templates, versioned,
 * approved by the leader, agreed by the family where the protocol asks, released. Every step is an event, so the
 * timeline shows what was said, to whom, when, and who approved it.
 */
@Injectable()
export class MessageService {
  private readonly log = new Logger(MessageService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly relay: OutboxRelayService,
    private readonly scope: IncidentScope,
    private readonly agreements: AgreementService,
  ) {}

  /** A first draft from the templates; idempotent by message id. A derived message needs an approved core message. */
  async create(command: CreateMessage): Promise<MessageView & { created: boolean }> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, command.incidentId, command.schoolIds, true);
      const existing = await manager.findOneBy(MessageEntity, { id: command.messageId });
      if (existing) {
        if (existing.incidentId !== incident.id || existing.audience !== command.audience) {
          throw rpcError({
            statusCode: 409,
            code: 'ID_IN_USE',
            field: 'messageId',
            message: 'messageId: already used for another message',
            messageNl: 'messageId: al gebruikt voor een ander bericht',
          });
        }
        return { message: existing, incident, created: false };
      }
      const forbidden = mayEdit(await this.scope.rolesOf(manager, incident, command.actorId));
      if (forbidden) {
        throw rpcError(forbidden);
      }
      const core = await manager.findOneBy(MessageEntity, { incidentId: incident.id, audience: 'core' });
      let facts = command.facts ?? {};
      let coreVersion: MessageVersionEntity | null = null;
      if (command.audience === 'core') {
        if (core) {
          throw rpcError({
            statusCode: 409,
            code: 'CORE_MESSAGE_EXISTS',
            field: 'audience',
            message: `audience: this incident has a core message already (${core.id}); revise that one`,
            messageNl: `audience: dit incident heeft al een kernboodschap (${core.id}); pas die aan`,
          });
        }
      } else {
        coreVersion = core?.approvedVersion
          ? await manager.findOneBy(MessageVersionEntity, { messageId: core.id, version: core.approvedVersion })
          : null;
        if (!coreVersion) {
          throw rpcError({
            statusCode: 409,
            code: 'CORE_MESSAGE_NOT_APPROVED',
            field: 'audience',
            message: 'audience: every message starts from the approved core message; have the leader approve it first',
            messageNl:
              'audience: elk bericht begint bij de goedgekeurde kernboodschap; laat de leider die eerst goedkeuren',
          });
        }
        facts = coreVersion.facts ?? {};
      }
      const draft = draftMessage({
        catalog: this.catalog.communication,
        audience: command.audience,
        calamityType: incident.calamityType,
        language: command.language,
        facts,
        schoolName: command.schoolName,
        ...(coreVersion ? { core: { body: coreVersion.body } } : {}),
      });
      const now = new Date();
      const message = manager.create(MessageEntity, {
        id: command.messageId,
        incidentId: incident.id,
        schoolId: incident.schoolId,
        audience: command.audience,
        language: command.language,
        state: 'draft',
        version: 1,
        title: draft.title,
        body: draft.body,
        facts: command.audience === 'core' ? facts : null,
        includesPhoto: false,
        includesAddress: false,
        basedOnCoreVersion: coreVersion?.version ?? null,
        approvedVersion: null,
        approvedBy: null,
        approvedAt: null,
        approvedChecklist: [],
        familyApprovedVersion: null,
        familyApprovedBy: null,
        familyApprovedAt: null,
        familyApprovalNote: null,
        releasedVersion: null,
        releasedAt: null,
        releasedBy: null,
        releaseVia: null,
        releaseChannel: null,
        releaseNote: null,
        releaseRecipients: null,
        createdAt: now,
        createdBy: command.actorId,
        updatedAt: now,
      });
      await manager.insert(MessageEntity, message);
      await this.saveVersion(manager, incident, message, command.actorId, command.correlationId);
      return { message, incident, created: true };
    });
    this.relay.nudge();
    if (outcome.created) {
      this.log.log(`incident ${outcome.incident.id}: ${outcome.message.audience} message drafted`);
    }
    return {
      ...(await this.viewOf(this.dataSource.manager, outcome.message, outcome.incident)),
      created: outcome.created,
    };
  }

  /**
   * A new version. Any approval of an earlier version no longer counts: the message is a draft again. For the core
   * message new facts without a new body fill the template again.
   */
  async revise(command: ReviseMessage): Promise<MessageView> {
    const result = await this.dataSource.transaction(async (manager) => {
      const { message, incident } = await this.lockMessage(manager, command, true);
      const forbidden = mayEdit(await this.scope.rolesOf(manager, incident, command.actorId));
      if (forbidden) {
        throw rpcError(forbidden);
      }
      this.checkVersion(message, command.expectedVersion, 'expectedVersion');
      if (command.facts && message.audience !== 'core') {
        throw rpcError({
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          field: 'facts',
          message: 'facts: only the core message has facts; a derived message takes them from it',
          messageNl: 'facts: alleen de kernboodschap heeft feiten; een afgeleid bericht neemt ze daarvan over',
        });
      }
      const facts = command.facts ? { ...(message.facts ?? {}), ...command.facts } : message.facts;
      const title = command.title ?? message.title;
      const body =
        command.facts && command.body === undefined
          ? fillTemplate(
              templateFor(this.catalog.communication, 'core', incident.calamityType).body[message.language],
              {
                ...facts,
              },
            )
          : (command.body ?? message.body);
      const changed =
        body !== message.body ||
        title !== message.title ||
        JSON.stringify(facts) !== JSON.stringify(message.facts) ||
        (command.includesPhoto ?? message.includesPhoto) !== message.includesPhoto ||
        (command.includesAddress ?? message.includesAddress) !== message.includesAddress;
      if (!changed) {
        return { message, incident };
      }
      Object.assign(message, {
        title,
        body,
        facts,
        includesPhoto: command.includesPhoto ?? message.includesPhoto,
        includesAddress: command.includesAddress ?? message.includesAddress,
        version: message.version + 1,
        state: 'draft',
        updatedAt: new Date(),
      });
      await manager.save(MessageEntity, message);
      await this.saveVersion(manager, incident, message, command.actorId, command.correlationId);
      return { message, incident };
    });
    this.relay.nudge();
    return this.viewOf(this.dataSource.manager, result.message, result.incident);
  }

  /** submit, return, approve, family-approve, release: decided by the workflow, written with its event. */
  async act(command: ActOnMessage): Promise<MessageView> {
    const result = await this.dataSource.transaction(async (manager) => {
      const { message, incident } = await this.lockMessage(manager, command, true);
      this.checkVersion(message, command.version, 'version');
      const roles = await this.scope.rolesOf(manager, incident, command.actorId);
      const agreements = await this.agreements.view(manager, incident.id);
      const rules = rulesFor(this.catalog.communication, incident.calamityType);
      const decision = decide(
        command.action,
        this.workflowMessage(message, incident, rules),
        {
          actorRoles: roles,
          rules,
          clearanceRecorded: clearanceRecorded(agreements),
          photoConsent: agreements.photoConsent,
          addressConsent: agreements.addressConsent,
        },
        {
          ...(command.checklist ? { checklist: command.checklist } : {}),
          ...(command.reason ? { reason: command.reason } : {}),
          ...(command.channel ? { channel: command.channel } : {}),
        },
      );
      if ('refusal' in decision) {
        throw rpcError(decision.refusal);
      }
      const now = new Date();
      const meta = incidentMeta(incident, command.actorId, command.correlationId, null);
      const base = { messageId: message.id, audience: message.audience, version: message.version };
      const events: EventEnvelope[] = [];
      switch (command.action) {
        case 'submit':
          events.push(buildEvent(EventSubject.MessageSubmitted, meta, base));
          break;
        case 'return':
          events.push(buildEvent(EventSubject.MessageReturned, meta, { ...base, reason: command.reason!.trim() }));
          break;
        case 'approve': {
          const checklist = rules.checklist.map((c) => c.id);
          Object.assign(message, {
            approvedVersion: message.version,
            approvedBy: command.actorId,
            approvedAt: now,
            approvedChecklist: checklist,
          });
          events.push(
            buildEvent(EventSubject.MessageApproved, meta, {
              ...base,
              text: fullText(message),
              awaitingFamily: decision.next === 'awaiting_family',
              checklist,
            }),
          );
          break;
        }
        case 'family-approve':
          Object.assign(message, {
            familyApprovedVersion: message.version,
            familyApprovedBy: command.actorId,
            familyApprovedAt: now,
            familyApprovalNote: command.note?.trim() || null,
          });
          events.push(
            buildEvent(EventSubject.MessageFamilyApproved, meta, {
              ...base,
              ...(command.note?.trim() ? { note: command.note.trim() } : {}),
            }),
          );
          break;
        case 'release': {
          const via = audienceOf(this.catalog.communication, message.audience).release === 'app' ? 'app' : 'export';
          const recipientIds = via === 'app' ? [...new Set(command.recipientIds ?? [])] : [];
          const sentAt = via === 'export' ? checkedTime(command.sentAt, incident, 'sentAt') : now;
          Object.assign(message, {
            releasedVersion: message.version,
            releasedAt: sentAt,
            releasedBy: command.actorId,
            releaseVia: via,
            releaseChannel: via === 'export' ? command.channel! : null,
            releaseNote: command.note?.trim() || null,
            releaseRecipients: recipientIds.length,
          });
          events.push(
            buildEvent(EventSubject.MessageReleased, meta, {
              ...base,
              releaseId: randomUUID(),
              via,
              ...(via === 'export' ? { channel: command.channel! } : {}),
              sentAt: sentAt.toISOString(),
              text: fullText(message),
              recipientIds,
              ...(command.note?.trim() ? { note: command.note.trim() } : {}),
            }),
          );
          break;
        }
      }
      message.state = decision.next;
      message.updatedAt = now;
      await manager.save(MessageEntity, message);
      await addToOutbox(manager, events);
      return { message, incident };
    });
    this.relay.nudge();
    this.log.log(`message ${result.message.id}: ${command.action} → ${result.message.state}`);
    return this.viewOf(this.dataSource.manager, result.message, result.incident);
  }

  async get(request: MessageScope): Promise<MessageView> {
    const { message, incident } = await this.lockMessage(this.dataSource.manager, request, false);
    return this.viewOf(this.dataSource.manager, message, incident);
  }

  async list(request: { incidentId: string; schoolIds: string[] }): Promise<MessageView[]> {
    const manager = this.dataSource.manager;
    const incident = await this.scope.load(manager, request.incidentId, request.schoolIds);
    const messages = await manager.find(MessageEntity, {
      where: { incidentId: incident.id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const agreements = await this.agreements.view(manager, incident.id);
    const core = messages.find((m) => m.audience === 'core') ?? null;
    return messages.map((m) => this.toView(m, incident, agreements, core));
  }

  async versions(request: MessageScope): Promise<MessageVersionView[]> {
    const { message } = await this.lockMessage(this.dataSource.manager, request, false);
    const rows = await this.dataSource.manager.find(MessageVersionEntity, {
      where: { messageId: message.id },
      order: { version: 'ASC' },
    });
    return rows.map((v) => ({
      version: v.version,
      title: v.title,
      body: v.body,
      facts: v.facts,
      authorId: v.authorId,
      createdAt: v.createdAt.toISOString(),
    }));
  }

  private async saveVersion(
    manager: EntityManager,
    incident: IncidentEntity,
    message: MessageEntity,
    authorId: string,
    correlationId: string,
  ): Promise<void> {
    await manager.insert(MessageVersionEntity, {
      messageId: message.id,
      version: message.version,
      title: message.title,
      body: message.body,
      facts: message.facts,
      authorId,
      createdAt: message.updatedAt,
    });
    await addToOutbox(manager, [
      buildEvent(EventSubject.MessageDrafted, incidentMeta(incident, authorId, correlationId, null), {
        messageId: message.id,
        audience: message.audience,
        version: message.version,
        text: fullText(message),
        ...(message.basedOnCoreVersion ? { basedOnCoreVersion: message.basedOnCoreVersion } : {}),
      }),
    ]);
  }

  private async lockMessage(
    manager: EntityManager,
    request: MessageScope,
    write: boolean,
  ): Promise<{ message: MessageEntity; incident: IncidentEntity }> {
    const query = manager
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.id = :id', { id: request.messageId });
    const message = await (write ? query.setLock('pessimistic_write') : query).getOne();
    if (!message || !request.schoolIds.includes(message.schoolId)) {
      throw notFound('Message', 'Bericht');
    }
    const incident = await this.scope.load(manager, message.incidentId, request.schoolIds, write);
    return { message, incident };
  }

  private checkVersion(message: MessageEntity, version: number, field: string): void {
    if (message.version !== version) {
      throw rpcError({
        statusCode: 409,
        code: 'STALE_VERSION',
        field,
        message: `${field}: the message is at version ${message.version} now; reload and look again`,
        messageNl: `${field}: het bericht is nu bij versie ${message.version}; laad opnieuw en kijk nog eens`,
      });
    }
  }

  private workflowMessage(
    message: MessageEntity,
    incident: IncidentEntity,
    rules = rulesFor(this.catalog.communication, incident.calamityType),
  ): WorkflowMessage {
    return {
      audience: message.audience,
      state: message.state,
      version: message.version,
      releaseKind: audienceOf(this.catalog.communication, message.audience).release,
      familyApprovalRequired: familyApprovalReasons(message.audience, rules, message).length > 0,
      familyApprovedVersion: message.familyApprovedVersion,
      unfilled: unfilledPlaces(message.title, message.body),
      includesPhoto: message.includesPhoto,
      includesAddress: message.includesAddress,
    };
  }

  private async viewOf(manager: EntityManager, message: MessageEntity, incident: IncidentEntity): Promise<MessageView> {
    const [agreements, core] = await Promise.all([
      this.agreements.view(manager, incident.id),
      message.audience === 'core'
        ? Promise.resolve(message)
        : manager.findOneBy(MessageEntity, { incidentId: incident.id, audience: 'core' }),
    ]);
    return this.toView(message, incident, agreements, core);
  }

  private toView(
    message: MessageEntity,
    incident: IncidentEntity,
    agreements: AgreementsView,
    core: MessageEntity | null,
  ): MessageView {
    const audience = audienceOf(this.catalog.communication, message.audience);
    const allRules = rulesFor(this.catalog.communication, incident.calamityType);
    const { familyApproval: _familyApproval, ...rules } = allRules;
    const reasons = familyApprovalReasons(message.audience, allRules, message);
    const workflow = this.workflowMessage(message, incident, allRules);
    return {
      id: message.id,
      incidentId: message.incidentId,
      schoolId: message.schoolId,
      audience: message.audience,
      audienceName: audience.name,
      releaseKind: audience.release,
      language: message.language,
      state: message.state,
      stateLabel: STATE_LABELS[message.state],
      version: message.version,
      title: message.title,
      body: message.body,
      facts: message.facts,
      unfilled: workflow.unfilled,
      includesPhoto: message.includesPhoto,
      includesAddress: message.includesAddress,
      basedOnCoreVersion: message.basedOnCoreVersion,
      coreVersionNow: core?.approvedVersion ?? null,
      familyApproval: {
        required: reasons.length > 0,
        reasons,
        approvedVersion: message.familyApprovedVersion,
        approvedBy: message.familyApprovedBy,
        approvedAt: message.familyApprovedAt?.toISOString() ?? null,
        note: message.familyApprovalNote,
      },
      approval:
        message.approvedVersion && message.approvedBy && message.approvedAt
          ? {
              version: message.approvedVersion,
              by: message.approvedBy,
              at: message.approvedAt.toISOString(),
              checklist: message.approvedChecklist,
            }
          : null,
      release:
        message.releasedVersion && message.releasedAt && message.releasedBy && message.releaseVia
          ? {
              version: message.releasedVersion,
              at: message.releasedAt.toISOString(),
              by: message.releasedBy,
              via: message.releaseVia,
              channel: message.releaseChannel,
              note: message.releaseNote,
              recipients: message.releaseRecipients ?? 0,
            }
          : null,
      blockedBy: blockers(workflow, {
        rules,
        clearanceRecorded: clearanceRecorded(agreements),
        photoConsent: agreements.photoConsent,
        addressConsent: agreements.addressConsent,
      }).map(({ code, message: en, messageNl }) => ({ code, message: en, messageNl })),
      rules,
      agreements,
      createdAt: message.createdAt.toISOString(),
      createdBy: message.createdBy,
      updatedAt: message.updatedAt.toISOString(),
    };
  }
}
