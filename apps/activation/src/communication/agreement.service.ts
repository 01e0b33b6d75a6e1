import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { buildEvent, EventSubject, type AgreementsView, type RpcRequest, type RpcPattern } from '#lib/contracts';
import { addToOutbox, OutboxRelayService } from '#lib/messaging';
import { rpcError } from '#lib/platform';
import type { IncidentEntity } from '../incident/incident.entity.js';
import { incidentMeta } from '../task/task-events.js';
import { AgreementEntity, FamilyContactEntity } from './communication.entities.js';
import { IncidentScope } from './incident-scope.js';

type SaveAgreements = RpcRequest<typeof RpcPattern.SaveAgreements>;
type LogFamilyContact = RpcRequest<typeof RpcPattern.LogFamilyContact>;

/** The family's part: recorded by the leader and the family liaison. */
const FAMILY_FIELDS = [
  'mayShare',
  'photoConsent',
  'addressConsent',
  'funeral',
  'condolence',
  'classParticipation',
] as const;
/** After a threat, what police and board agreed: recorded by the leader and the board liaison. */
const AUTHORITY_FIELDS = ['policeAgreed', 'boardAgreed'] as const;
type AgreementField = (typeof FAMILY_FIELDS)[number] | (typeof AUTHORITY_FIELDS)[number];
const rolesFor = (field: AgreementField): readonly string[] =>
  (FAMILY_FIELDS as readonly string[]).includes(field) ? ['leader', 'family-liaison'] : ['leader', 'board-liaison'];

const LABELS: Record<string, string> = {
  mayShare: 'Wat gedeeld mag worden / What may be shared',
  photoConsent: 'Toestemming foto / Photo consent',
  addressConsent: 'Toestemming adres / Address consent',
  funeral: 'Uitvaart / Funeral',
  condolence: 'Condoleance / Condolences',
  classParticipation: 'Deelname klas / Class taking part',
  policeAgreed: 'Afgesproken met politie / Agreed with the police',
  boardAgreed: 'Afgesproken met bestuur / Agreed with the board',
};

export function emptyAgreements(incidentId: string): AgreementsView {
  return {
    incidentId,
    version: 0,
    mayShare: null,
    photoConsent: null,
    addressConsent: null,
    funeral: null,
    condolence: null,
    classParticipation: null,
    policeAgreed: null,
    boardAgreed: null,
    updatedAt: null,
    updatedBy: null,
    contacts: [],
  };
}

/** After a threat: both the police and the board have said what may be said. */
export function clearanceRecorded(agreements: AgreementsView): boolean {
  return Boolean(agreements.policeAgreed?.trim() && agreements.boardAgreed?.trim());
}

/**
 * The agreements that every draft and approval is shown beside: what the family agreed may be shared, consent for a
 * photo or the address, the funeral and condolences, the class taking part, the liaison's contact moments; and
 * after a threat what police and board agreed. Versioned, each change an event on the timeline.
 */
@Injectable()
export class AgreementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relay: OutboxRelayService,
    private readonly scope: IncidentScope,
  ) {}

  async get(request: { incidentId: string; schoolIds: string[] }): Promise<AgreementsView> {
    const incident = await this.scope.load(this.dataSource.manager, request.incidentId, request.schoolIds);
    return this.view(this.dataSource.manager, incident.id);
  }

  async view(manager: EntityManager, incidentId: string): Promise<AgreementsView> {
    const [row, contacts] = await Promise.all([
      manager.findOneBy(AgreementEntity, { incidentId }),
      manager.find(FamilyContactEntity, { where: { incidentId }, order: { contactAt: 'ASC', id: 'ASC' } }),
    ]);
    const base = emptyAgreements(incidentId);
    return {
      ...base,
      ...(row
        ? {
            version: row.version,
            mayShare: row.mayShare,
            photoConsent: row.photoConsent,
            addressConsent: row.addressConsent,
            funeral: row.funeral,
            condolence: row.condolence,
            classParticipation: row.classParticipation,
            policeAgreed: row.policeAgreed,
            boardAgreed: row.boardAgreed,
            updatedAt: row.updatedAt.toISOString(),
            updatedBy: row.updatedBy,
          }
        : {}),
      contacts: contacts.map((c) => ({ id: c.id, contactAt: c.contactAt.toISOString(), by: c.loggedBy, note: c.note })),
    };
  }

  /** Saves the fields given (null clears one); another version meanwhile answers 409. */
  async save(request: SaveAgreements): Promise<AgreementsView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, request.incidentId, request.schoolIds, true);
      const roles = await this.scope.rolesOf(manager, incident, request.actorId);
      const current = await this.view(manager, incident.id);
      if (current.version !== request.expectedVersion) {
        throw rpcError({
          statusCode: 409,
          code: 'STALE_VERSION',
          field: 'expectedVersion',
          message: `expectedVersion: the agreements are at version ${current.version} now; reload and try again`,
          messageNl: `expectedVersion: de afspraken zijn nu bij versie ${current.version}; laad opnieuw en probeer het nog eens`,
        });
      }
      const next: AgreementsView = { ...current };
      let changed = false;
      for (const field of [...FAMILY_FIELDS, ...AUTHORITY_FIELDS]) {
        const value = request[field];
        if (value === undefined || value === current[field]) {
          continue;
        }
        if (!rolesFor(field).some((r) => roles.has(r))) {
          throw rpcError({
            statusCode: 403,
            code: 'FORBIDDEN',
            field,
            message: `${field}: recorded by the ${rolesFor(field).join(' or the ')} only`,
            messageNl: `${field}: alleen vast te leggen door de ${rolesFor(field).join(' of de ')}`,
          });
        }
        Object.assign(next, { [field]: typeof value === 'string' ? value.trim() || null : value });
        changed = true;
      }
      if (!changed) {
        return current;
      }
      next.version = current.version + 1;
      await manager.upsert(
        AgreementEntity,
        {
          incidentId: incident.id,
          version: next.version,
          mayShare: next.mayShare,
          photoConsent: next.photoConsent,
          addressConsent: next.addressConsent,
          funeral: next.funeral,
          condolence: next.condolence,
          classParticipation: next.classParticipation,
          policeAgreed: next.policeAgreed,
          boardAgreed: next.boardAgreed,
          updatedBy: request.actorId,
          updatedAt: new Date(),
        },
        ['incidentId'],
      );
      await addToOutbox(manager, [
        buildEvent(
          EventSubject.AgreementsUpdated,
          incidentMeta(incident, request.actorId, request.correlationId, null),
          {
            version: next.version,
            text: describe(next),
            ...(next.photoConsent === null ? {} : { photoConsent: next.photoConsent }),
            ...(next.addressConsent === null ? {} : { addressConsent: next.addressConsent }),
          },
        ),
      ]);
      return this.view(manager, incident.id);
    });
    this.relay.nudge();
    return view;
  }

  /** A contact moment of the family liaison; the same contact id again changes nothing. */
  async logFamilyContact(request: LogFamilyContact): Promise<AgreementsView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const incident = await this.scope.load(manager, request.incidentId, request.schoolIds, true);
      const existing = await manager.findOneBy(FamilyContactEntity, { id: request.contactId });
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
        return this.view(manager, incident.id);
      }
      const roles = await this.scope.rolesOf(manager, incident, request.actorId);
      if (!roles.has('leader') && !roles.has('family-liaison')) {
        throw rpcError({
          statusCode: 403,
          code: 'FORBIDDEN',
          message: 'Contact with the family is logged by the family liaison or the leader',
          messageNl: 'Contact met de familie wordt vastgelegd door de contactpersoon van de familie of de leider',
        });
      }
      const contactAt = checkedTime(request.contactAt, incident, 'contactAt');
      await manager.insert(FamilyContactEntity, {
        id: request.contactId,
        incidentId: incident.id,
        contactAt,
        loggedBy: request.actorId,
        note: request.note.trim(),
        createdAt: new Date(),
      });
      await addToOutbox(manager, [
        buildEvent(
          EventSubject.FamilyContactLogged,
          incidentMeta(incident, request.actorId, request.correlationId, null),
          { contactId: request.contactId, contactAt: contactAt.toISOString(), note: request.note.trim() },
        ),
      ]);
      return this.view(manager, incident.id);
    });
    this.relay.nudge();
    return view;
  }
}

function describe(a: AgreementsView): string {
  const lines: string[] = [];
  for (const [key, label] of Object.entries(LABELS)) {
    const value = a[key as keyof AgreementsView];
    if (typeof value === 'boolean') {
      lines.push(`${label}: ${value ? 'ja / yes' : 'nee / no'}`);
    } else if (typeof value === 'string') {
      lines.push(`${label}: ${value}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : '(leeg / empty)';
}

/** A time something happened: not in the future, not long before the incident. */
export function checkedTime(value: string | undefined, incident: IncidentEntity, field: string): Date {
  const now = new Date();
  const at = value ? new Date(value) : now;
  if (at.getTime() > now.getTime() + 60_000 || at.getTime() < incident.createdAt.getTime() - 7 * 24 * 3_600_000) {
    throw rpcError({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      field,
      message: `${field}: not in the future, and not long before the incident`,
      messageNl: `${field}: niet in de toekomst, en niet lang vóór het incident`,
    });
  }
  return at;
}
