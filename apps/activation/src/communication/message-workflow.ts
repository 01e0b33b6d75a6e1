import type { LocalizedText, MessageAction, MessageAudience, MessageRules, MessageState } from '#lib/contracts';
import type { ReleaseKind } from '../catalog/catalog.types.js';

/** Who writes: the communication role and the leader (and their deputies in the plan). */
export const EDITOR_ROLES = ['leader', 'communication'] as const;
/** Who approves and sends back: the leader only. */
export const APPROVER_ROLES = ['leader'] as const;
/** Who records that the family agreed: the leader and the family liaison. */
export const FAMILY_ROLES = ['leader', 'family-liaison'] as const;

export const STATE_LABELS: Record<MessageState, LocalizedText> = {
  draft: { nl: 'Concept', en: 'Draft' },
  in_review: { nl: 'Ter beoordeling bij de leider', en: 'With the leader for review' },
  awaiting_family: { nl: 'Wacht op instemming van de familie', en: 'Awaiting the family’s agreement' },
  approved: { nl: 'Goedgekeurd', en: 'Approved' },
  released: { nl: 'Verstuurd', en: 'Released' },
};

export interface Refusal {
  statusCode: number;
  code: string;
  message: string;
  messageNl: string;
  field?: string;
}

/** What the workflow needs to know of a message. */
export interface WorkflowMessage {
  audience: MessageAudience;
  state: MessageState;
  version: number;
  releaseKind: ReleaseKind;
  familyApprovalRequired: boolean;
  familyApprovedVersion: number | null;
  unfilled: string[];
  includesPhoto: boolean;
  includesAddress: boolean;
}

/** What the workflow needs to know around it: who acts, the type's rules, what was agreed. */
export interface WorkflowContext {
  actorRoles: ReadonlySet<string>;
  rules: MessageRules;
  clearanceRecorded: boolean;
  photoConsent: boolean | null;
  addressConsent: boolean | null;
}

export interface ActionInput {
  checklist?: string[];
  reason?: string;
  channel?: string;
}

const refuse = (statusCode: number, code: string, message: string, messageNl: string, field?: string): Refusal => ({
  statusCode,
  code,
  message,
  messageNl,
  ...(field ? { field } : {}),
});

const hasAny = (roles: ReadonlySet<string>, wanted: readonly string[]) => wanted.some((r) => roles.has(r));

export function releasersOf(audience: MessageAudience): readonly string[] {
  return audience === 'press-statement' ? [...EDITOR_ROLES, 'spokesperson'] : EDITOR_ROLES;
}

export function mayEdit(roles: ReadonlySet<string>): Refusal | null {
  return hasAny(roles, EDITOR_ROLES)
    ? null
    : refuse(
        403,
        'FORBIDDEN',
        'Only the communication role and the leader write messages',
        'Alleen de communicatierol en de leider schrijven berichten',
      );
}

/** Why a version cannot be approved as it stands (its text, the consents, the type's clearance). */
function contentRefusal(message: WorkflowMessage, context: WorkflowContext): Refusal | null {
  if (message.unfilled.length > 0) {
    const places = message.unfilled.map((p) => `{{${p}}}`).join(', ');
    return refuse(
      409,
      'UNFILLED_PLACES',
      `The text still has places to fill: ${places}`,
      `De tekst heeft nog open plekken: ${places}`,
      'body',
    );
  }
  if (message.includesPhoto && context.photoConsent !== true) {
    return refuse(
      409,
      'PHOTO_CONSENT_MISSING',
      'The message has a photo, but the family agreements record no consent for one',
      'Het bericht bevat een foto, maar in de afspraken met de familie staat geen toestemming daarvoor',
    );
  }
  if (message.includesAddress && context.addressConsent !== true) {
    return refuse(
      409,
      'ADDRESS_CONSENT_MISSING',
      'The message has an address, but the family agreements record no consent for it',
      'Het bericht bevat een adres, maar in de afspraken met de familie staat geen toestemming daarvoor',
    );
  }
  if (context.rules.clearanceRequired && !context.clearanceRecorded) {
    return refuse(
      409,
      'CLEARANCE_MISSING',
      'After a threat, record first what the police and the board agreed may be said',
      'Leg na een dreiging eerst vast wat politie en bestuur hebben afgesproken dat gezegd mag worden',
    );
  }
  return null;
}

/**
 * The next state of a message after an action, or why not. Pure: the service loads the message, asks, and
 * writes the answer with its event in one transaction.
 */
export function decide(
  action: MessageAction,
  message: WorkflowMessage,
  context: WorkflowContext,
  input: ActionInput = {},
): { next: MessageState } | { refusal: Refusal } {
  const roles = context.actorRoles;
  const notNow = (nl: string) =>
    refuse(
      409,
      'INVALID_STATE',
      `Not possible while the message is "${STATE_LABELS[message.state].en}"`,
      `Niet mogelijk zolang het bericht "${STATE_LABELS[message.state].nl}" is${nl}`,
    );
  switch (action) {
    case 'submit': {
      const forbidden = mayEdit(roles);
      if (forbidden) {
        return { refusal: forbidden };
      }
      if (message.state !== 'draft') {
        return { refusal: notNow('') };
      }
      const content = message.unfilled.length > 0 ? contentRefusal(message, context) : null;
      return content ? { refusal: content } : { next: 'in_review' };
    }
    case 'return': {
      if (!hasAny(roles, APPROVER_ROLES)) {
        return {
          refusal: refuse(
            403,
            'FORBIDDEN',
            'Only the leader sends a message back',
            'Alleen de leider stuurt een bericht terug',
          ),
        };
      }
      if (!['in_review', 'awaiting_family', 'approved'].includes(message.state)) {
        return { refusal: notNow('') };
      }
      if (!input.reason?.trim()) {
        return { refusal: refuse(400, 'VALIDATION_FAILED', 'reason: say why', 'reason: zeg waarom', 'reason') };
      }
      return { next: 'draft' };
    }
    case 'approve': {
      if (!hasAny(roles, APPROVER_ROLES)) {
        return {
          refusal: refuse(
            403,
            'FORBIDDEN',
            'Only the leader approves messages',
            'Alleen de leider keurt berichten goed',
          ),
        };
      }
      if (message.state !== 'draft' && message.state !== 'in_review') {
        return { refusal: notNow('') };
      }
      const content = contentRefusal(message, context);
      if (content) {
        return { refusal: content };
      }
      const missing = context.rules.checklist.filter((c) => !(input.checklist ?? []).includes(c.id));
      if (missing.length > 0) {
        const ids = missing.map((m) => m.id).join(', ');
        return {
          refusal: refuse(
            400,
            'CHECKLIST_INCOMPLETE',
            `checklist: confirm every check before approving (missing: ${ids})`,
            `checklist: bevestig elke controle vóór goedkeuring (ontbreekt: ${ids})`,
            'checklist',
          ),
        };
      }
      const familyPending = message.familyApprovalRequired && message.familyApprovedVersion !== message.version;
      return { next: familyPending ? 'awaiting_family' : 'approved' };
    }
    case 'family-approve': {
      if (!hasAny(roles, FAMILY_ROLES)) {
        return {
          refusal: refuse(
            403,
            'FORBIDDEN',
            "Only the leader or the family liaison records the family's agreement",
            'Alleen de leider of de contactpersoon van de familie legt de instemming van de familie vast',
          ),
        };
      }
      if (!message.familyApprovalRequired) {
        return {
          refusal: refuse(
            409,
            'FAMILY_APPROVAL_NOT_NEEDED',
            'This message does not need the family’s agreement',
            'Dit bericht heeft geen instemming van de familie nodig',
          ),
        };
      }
      if (!['draft', 'in_review', 'awaiting_family'].includes(message.state)) {
        return { refusal: notNow('') };
      }
      if (message.familyApprovedVersion === message.version) {
        return {
          refusal: refuse(
            409,
            'ALREADY_RECORDED',
            'The family already agreed to this version',
            'De familie heeft al ingestemd met deze versie',
          ),
        };
      }
      return { next: message.state === 'awaiting_family' ? 'approved' : message.state };
    }
    case 'release': {
      if (!hasAny(roles, releasersOf(message.audience))) {
        return {
          refusal: refuse(
            403,
            'FORBIDDEN',
            'Only the communication role and the leader release messages',
            'Alleen de communicatierol en de leider geven berichten vrij',
          ),
        };
      }
      if (message.releaseKind === 'none') {
        return {
          refusal: refuse(
            409,
            'NOT_RELEASABLE',
            'The core message is not sent itself: derive the messages per audience from it',
            'De kernboodschap gaat zelf niet uit: leid er de berichten per doelgroep van af',
          ),
        };
      }
      if (
        message.state === 'awaiting_family' ||
        (message.familyApprovalRequired && message.familyApprovedVersion !== message.version)
      ) {
        return {
          refusal: refuse(
            409,
            'FAMILY_APPROVAL_REQUIRED',
            'The family has not agreed to this version yet: it cannot be released',
            'De familie heeft nog niet ingestemd met deze versie: hij kan niet worden vrijgegeven',
          ),
        };
      }
      if (message.state !== 'approved') {
        return {
          refusal: refuse(
            409,
            message.state === 'released' ? 'ALREADY_RELEASED' : 'NOT_APPROVED',
            message.state === 'released'
              ? 'This version was released already'
              : 'The leader has not approved this version: it cannot be released',
            message.state === 'released'
              ? 'Deze versie is al vrijgegeven'
              : 'De leider heeft deze versie niet goedgekeurd: hij kan niet worden vrijgegeven',
          ),
        };
      }
      if (message.releaseKind === 'export' && !input.channel) {
        return {
          refusal: refuse(
            400,
            'VALIDATION_FAILED',
            'channel: say through which channel it went out',
            'channel: zeg via welk kanaal het is verstuurd',
            'channel',
          ),
        };
      }
      return { next: 'released' };
    }
  }
}

/** What stands between the message and its next step, for the screen ("waiting for the family", ...). */
export function blockers(message: WorkflowMessage, context: Omit<WorkflowContext, 'actorRoles'>): Refusal[] {
  const found: Refusal[] = [];
  if (message.state === 'draft' || message.state === 'in_review') {
    const content = contentRefusal(message, { ...context, actorRoles: new Set() });
    if (content) {
      found.push(content);
    }
  }
  if (
    message.familyApprovalRequired &&
    message.familyApprovedVersion !== message.version &&
    message.state !== 'released'
  ) {
    found.push(
      refuse(
        409,
        'FAMILY_APPROVAL_REQUIRED',
        'The family must agree to this version before it goes out',
        'De familie moet met deze versie instemmen voordat hij uitgaat',
      ),
    );
  }
  return found;
}
