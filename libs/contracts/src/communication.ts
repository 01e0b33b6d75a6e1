// Crisis communication (the core message, messages per audience with their approvals, family agreements, the
// press) and the sociale kaart (who to call outside the school): the payloads of their events and the shapes of
// their request/reply calls. Texts on events use the keys the timeline treats as personal (`text`, `note`,
// `subject`, `detail`, `reason`), so retention can erase them.
import 'reflect-metadata';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  Min,
} from 'class-validator';
import type { LocalizedText } from './payloads.js';
import type { RpcPattern } from './subjects.js';

/** The core message (kernboodschap) and the messages derived from it, one kind per audience. */
export const MESSAGE_AUDIENCES = [
  'core',
  'staff-briefing',
  'teacher-talking-points',
  'parent-letter',
  'press-statement',
  'board-and-council',
] as const;
export type MessageAudience = (typeof MESSAGE_AUDIENCES)[number];

/** draft → in_review (the leader) → awaiting_family (when the family must agree) → approved → released. */
export const MESSAGE_STATES = ['draft', 'in_review', 'awaiting_family', 'approved', 'released'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export const MESSAGE_ACTIONS = ['submit', 'return', 'approve', 'family-approve', 'release'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

/** Where a message that Crisisklaar does not send itself went out (the school's own parent channel, ...). */
export const RELEASE_CHANNELS = [
  'parent-portal',
  'email',
  'letter',
  'website',
  'social-media',
  'press',
  'meeting',
  'other',
] as const;
export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];

export const MESSAGE_LANGUAGES = ['nl', 'en'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

/** The places of the core message: checked facts only, and "who" only as far as agreed with the family. */
export const CORE_FACT_KEYS = ['what', 'where', 'when', 'who', 'actions', 'contact', 'help'] as const;
export type CoreFactKey = (typeof CORE_FACT_KEYS)[number];
export type CoreFacts = Partial<Record<CoreFactKey, string>>;

// ---------------------------------------------------------------------------------------------------------------
// Events

/** `crisis.message.drafted.v1`: a version of a message was written (the first draft, or a revision). */
export class MessageDraftedPayload {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
  /** Title and body of the version. */
  @IsString() @Length(1, 20000) text!: string;
  @IsOptional() @IsInt() @Min(1) basedOnCoreVersion?: number;
}

/** `crisis.message.submitted.v1`: the writer put a version before the leader. */
export class MessageSubmittedPayload {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
}

/** `crisis.message.returned.v1`: the leader sent a version back to draft, with why. */
export class MessageReturnedPayload {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
  @IsString() @Length(1, 2000) reason!: string;
}

/** `crisis.message.approved.v1`: the leader approved a version; its text is kept on the timeline. */
export class MessageApprovedPayload {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
  @IsString() @Length(1, 20000) text!: string;
  /** True when the family must still agree before it may go out. */
  @IsBoolean() awaitingFamily!: boolean;
  /** The type-specific checks the leader confirmed (e.g. after a suicide: no method, no speculation). */
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) checklist!: string[];
}

/** `crisis.message.family-approved.v1`: the family agreed to a version (recorded by the leader or liaison). */
export class MessageFamilyApprovedPayload {
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/**
 * `crisis.message.released.v1`: an approved version went out: in the app to staff (the notifier then sends each
 * recipient a link-only notification), or through a channel of the school's own (recorded, not sent by us).
 */
export class MessageReleasedPayload {
  @IsUUID() releaseId!: string;
  @IsUUID() messageId!: string;
  @IsIn(MESSAGE_AUDIENCES) audience!: MessageAudience;
  @IsInt() @Min(1) version!: number;
  @IsIn(['app', 'export']) via!: 'app' | 'export';
  @IsOptional() @IsIn(RELEASE_CHANNELS) channel?: ReleaseChannel;
  @IsISO8601({ strict: true }) sentAt!: string;
  @IsString() @Length(1, 20000) text!: string;
  /** Who gets it in the app (ids only). */
  @IsArray() @ArrayMaxSize(20000) @IsUUID('all', { each: true }) recipientIds!: string[];
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

/** `crisis.communication.agreements-updated.v1`: what the family (or, after a threat, police and board) agreed. */
export class AgreementsUpdatedPayload {
  @IsInt() @Min(1) version!: number;
  /** Every agreement, written out (it names people: a personal text). */
  @IsString() @Length(1, 20000) text!: string;
  @IsOptional() @IsBoolean() photoConsent?: boolean;
  @IsOptional() @IsBoolean() addressConsent?: boolean;
}

/** `crisis.communication.family-contact-logged.v1`: a contact moment of the family liaison with the family. */
export class FamilyContactLoggedPayload {
  @IsUUID() contactId!: string;
  @IsISO8601({ strict: true }) contactAt!: string;
  @IsString() @Length(1, 4000) note!: string;
}

/** `crisis.press.spokesperson-set.v1`: who speaks to the press for this incident. */
export class SpokespersonSetPayload {
  @IsUUID() personId!: string;
}

/** `crisis.press.entry-logged.v1`: a press question and what was answered. */
export class PressEntryLoggedPayload {
  @IsUUID() entryId!: string;
  /** Who asked (outlet and journalist). */
  @IsString() @Length(1, 300) subject!: string;
  /** The question. */
  @IsString() @Length(1, 4000) text!: string;
  /** The answer given, if any yet. */
  @IsOptional() @IsString() @MaxLength(4000) detail?: string;
  @IsISO8601({ strict: true }) askedAt!: string;
}

/** `crisis.press.entry-answered.v1`: the answer given to a press question logged before. */
export class PressEntryAnsweredPayload {
  @IsUUID() entryId!: string;
  /** The answer. */
  @IsString() @Length(1, 4000) detail!: string;
}

/** `crisis.party.contacted.v1`: the team called an outside party ("called the police at 14:05, outcome ..."). */
export class PartyContactedPayload {
  @IsUUID() contactId!: string;
  @IsString() @Length(1, 64) party!: string;
  @IsOptional() @IsUUID() entryId?: string;
  @IsOptional() @IsUUID() taskId?: string;
  @IsISO8601({ strict: true }) contactedAt!: string;
  /** The outcome. */
  @IsString() @Length(1, 4000) note!: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Views

export interface FamilyContactView {
  id: string;
  contactAt: string;
  by: string;
  note: string;
}

/** The agreements shown beside every draft and at every approval. */
export interface AgreementsView {
  incidentId: string;
  /** 0 until something was recorded. */
  version: number;
  mayShare: string | null;
  photoConsent: boolean | null;
  addressConsent: boolean | null;
  funeral: string | null;
  condolence: string | null;
  classParticipation: string | null;
  /** After a threat: what the police and the board agreed may be said. */
  policeAgreed: string | null;
  boardAgreed: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  contacts: FamilyContactView[];
}

export interface MessageRules {
  /** Checks the leader confirms before approving (after a suicide). */
  checklist: { id: string; text: LocalizedText }[];
  /** After a threat: police and board must have agreed what may be said. */
  clearanceRequired: boolean;
  guidance: LocalizedText[];
}

export interface MessageVersionView {
  version: number;
  title: string;
  body: string;
  facts: CoreFacts | null;
  authorId: string;
  createdAt: string;
}

export interface MessageView {
  id: string;
  incidentId: string;
  schoolId: string;
  audience: MessageAudience;
  audienceName: LocalizedText;
  /** app: released in Crisisklaar to staff; export: the school sends it itself; none: the core message. */
  releaseKind: 'app' | 'export' | 'none';
  language: MessageLanguage;
  state: MessageState;
  stateLabel: LocalizedText;
  version: number;
  title: string;
  body: string;
  facts: CoreFacts | null;
  /** Places of the template still to fill, e.g. `when`: such a version cannot be approved. */
  unfilled: string[];
  includesPhoto: boolean;
  includesAddress: boolean;
  basedOnCoreVersion: number | null;
  /** The approved core message now; when it differs from basedOnCoreVersion the core changed since. */
  coreVersionNow: number | null;
  familyApproval: {
    required: boolean;
    reasons: string[];
    approvedVersion: number | null;
    approvedBy: string | null;
    approvedAt: string | null;
    note: string | null;
  };
  approval: { version: number; by: string; at: string; checklist: string[] } | null;
  release: {
    version: number;
    at: string;
    by: string;
    via: 'app' | 'export';
    channel: string | null;
    note: string | null;
    recipients: number;
  } | null;
  /** Why the next step is not possible yet, if it is not (Dutch and English). */
  blockedBy: { code: string; message: string; messageNl: string }[];
  rules: MessageRules;
  agreements: AgreementsView;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface PressEntryView {
  id: string;
  askedAt: string;
  askedBy: string;
  question: string;
  answer: string | null;
  answeredAt: string | null;
  loggedBy: string;
}

export interface PressDeskView {
  incidentId: string;
  spokespersonId: string | null;
  /** Set for this incident by the leader; otherwise the plan's first available spokesperson. */
  spokespersonSetBy: string | null;
  instruction: LocalizedText;
  entries: PressEntryView[];
}

export interface SocialMapEntryView {
  id: string | null;
  party: string;
  scope: 'national' | 'board' | 'school' | 'incident';
  name: string;
  phone: string;
  /** `tel:` link for one tap. */
  telUri: string;
  phoneAlt: string | null;
  email: string | null;
  note: string | null;
}

export interface SocialMapPartyView {
  party: string;
  name: LocalizedText;
  whenToCall: LocalizedText;
  sources: string[];
  /** Especially relevant to the incident's calamity type (listed first). */
  relevant: boolean;
  perIncident: boolean;
  entries: SocialMapEntryView[];
}

export interface SocialMapView {
  schoolId: string;
  incidentId: string | null;
  parties: SocialMapPartyView[];
}

export interface PartyContactView {
  id: string;
  incidentId: string;
  party: string;
  partyName: LocalizedText;
  entryId: string | null;
  taskId: string | null;
  contactedAt: string;
  outcome: string;
  loggedBy: string;
}

/** Who acts on a message, within which schools. */
export interface MessageCommand {
  messageId: string;
  actorId: string;
  schoolIds: string[];
  correlationId: string;
}

interface Scoped {
  actorId: string;
  schoolIds: string[];
  correlationId: string;
}

export interface SocialMapEntryInput {
  party: string;
  name: string;
  phone: string;
  phoneAlt?: string;
  email?: string;
  note?: string;
}

/** The request/reply calls of communication and the sociale kaart (activation). */
export interface CommunicationRpcContract {
  [RpcPattern.CreateMessage]: {
    request: Scoped & {
      incidentId: string;
      messageId: string;
      audience: MessageAudience;
      language: MessageLanguage;
      schoolName: string;
      facts?: CoreFacts;
    };
    response: MessageView & { created: boolean };
  };
  [RpcPattern.ListMessages]: { request: Scoped & { incidentId: string }; response: MessageView[] };
  [RpcPattern.GetMessage]: { request: MessageCommand; response: MessageView };
  [RpcPattern.ListMessageVersions]: { request: MessageCommand; response: MessageVersionView[] };
  [RpcPattern.ReviseMessage]: {
    request: MessageCommand & {
      expectedVersion: number;
      title?: string;
      body?: string;
      facts?: CoreFacts;
      includesPhoto?: boolean;
      includesAddress?: boolean;
    };
    response: MessageView;
  };
  [RpcPattern.ActOnMessage]: {
    request: MessageCommand & {
      action: MessageAction;
      /** The version acted on: a newer version meanwhile answers 409. */
      version: number;
      reason?: string;
      checklist?: string[];
      note?: string;
      channel?: ReleaseChannel;
      sentAt?: string;
      recipientIds?: string[];
    };
    response: MessageView;
  };
  [RpcPattern.GetAgreements]: { request: Scoped & { incidentId: string }; response: AgreementsView };
  [RpcPattern.SaveAgreements]: {
    request: Scoped & {
      incidentId: string;
      expectedVersion: number;
      mayShare?: string | null;
      photoConsent?: boolean | null;
      addressConsent?: boolean | null;
      funeral?: string | null;
      condolence?: string | null;
      classParticipation?: string | null;
      policeAgreed?: string | null;
      boardAgreed?: string | null;
    };
    response: AgreementsView;
  };
  [RpcPattern.LogFamilyContact]: {
    request: Scoped & { incidentId: string; contactId: string; contactAt: string; note: string };
    response: AgreementsView;
  };
  [RpcPattern.GetPressDesk]: { request: Scoped & { incidentId: string }; response: PressDeskView };
  [RpcPattern.SetSpokesperson]: {
    request: Scoped & { incidentId: string; personId: string };
    response: PressDeskView;
  };
  [RpcPattern.LogPressEntry]: {
    request: Scoped & {
      incidentId: string;
      entryId: string;
      askedAt: string;
      askedBy: string;
      question: string;
      answer?: string;
    };
    response: PressDeskView;
  };
  [RpcPattern.AnswerPressEntry]: {
    request: Scoped & { incidentId: string; entryId: string; answer: string };
    response: PressDeskView;
  };
  [RpcPattern.GetSocialMap]: {
    request: { schoolId: string; boardId: string; incidentId?: string };
    response: SocialMapView;
  };
  [RpcPattern.SaveSocialMapEntry]: {
    request: {
      entryId: string;
      scope: 'board' | 'school' | 'incident';
      boardId: string;
      schoolId?: string;
      incidentId?: string;
      entry: SocialMapEntryInput;
      actorId: string;
    };
    response: SocialMapEntryView;
  };
  [RpcPattern.GetSocialMapEntry]: {
    request: { entryId: string };
    response: (SocialMapEntryView & { boardId: string; schoolId: string | null; incidentId: string | null }) | null;
  };
  [RpcPattern.DeleteSocialMapEntry]: { request: { entryId: string; actorId: string }; response: { deleted: boolean } };
  [RpcPattern.LogPartyContact]: {
    request: Scoped & {
      contactId: string;
      incidentId?: string;
      taskId?: string;
      party: string;
      entryId?: string;
      contactedAt?: string;
      outcome: string;
    };
    response: PartyContactView & { created: boolean };
  };
  [RpcPattern.ListPartyContacts]: { request: Scoped & { incidentId: string }; response: PartyContactView[] };
  /** The parties a task names, with their numbers, and the calls already logged from it. */
  [RpcPattern.GetTaskParties]: {
    request: Scoped & { taskId: string };
    response: { taskId: string; incidentId: string; parties: SocialMapPartyView[]; contacts: PartyContactView[] };
  };
}

/** Bounds shared by the gateway DTOs and activation's own checks. */
export const COMMUNICATION_LIMITS = {
  title: 200,
  body: 12000,
  fact: 1000,
  agreement: 4000,
  note: 4000,
} as const;

export const MAX_SOCIAL_MAP_TEXT = 300;

/** A phone number of the sociale kaart as people write it: digits, spaces and dashes, optionally a leading +. */
export const SOCIAL_MAP_PHONE = /^\+?[0-9][0-9 -]{1,30}$/;
