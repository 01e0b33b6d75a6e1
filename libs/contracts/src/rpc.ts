import type { AnnouncementAudience, LocalizedText, NotificationChannel } from './payloads.js';
import type { CommunicationRpcContract } from './communication.js';
import { type RpcPattern } from './subjects.js';

/**
 * The error body every request/reply handler answers with when it refuses. `code` is stable and is what the
 * gateway and its clients branch on (`instanceof` does not survive a trip between processes).
 */
export interface RpcErrorBody {
  statusCode: number;
  code: string;
  message: string;
  /** The same message in Dutch, for a person. */
  messageNl?: string;
  /** The request field the error is about, when there is one. */
  field?: string;
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  const v = value as Partial<RpcErrorBody> | null;
  return typeof v === 'object' && v !== null && typeof v.statusCode === 'number' && typeof v.code === 'string';
}

export interface TaskView {
  id: string;
  incidentId: string;
  templateId: string;
  role: string;
  /** Null when the school's plan has nobody for the role. */
  assigneeId: string | null;
  status: string;
  title: LocalizedText;
  instruction: LocalizedText;
  dueAt: string;
  phase: number;
  priority: 'critical' | 'high' | 'normal';
  ackRequired: boolean;
  /** Set once the due time passed while the task was open. */
  overdueAt: string | null;
  acknowledgedAt: string | null;
  completedAt: string | null;
  /** The completion note, or the reason it does not apply. */
  note: string | null;
  /** When the assignee is told: at the trigger, or a lead time before a task due days later. */
  announceAt: string;
}

/** A task as its assignee sees it in "my tasks": with its incident's school and drill flag. */
export interface MyTaskView extends TaskView {
  schoolId: string;
  drill: boolean;
}

/** Who acts on a task, and the schools the caller belongs to (a task of another school is "not found"). */
export interface TaskCommand {
  taskId: string;
  actorId: string;
  schoolIds: string[];
  correlationId: string;
}

export interface IncidentView {
  id: string;
  boardId: string;
  schoolId: string;
  status: string;
  /** The protocol phase (1–5) the leader last moved the incident to. */
  phase: number;
  calamityType: string;
  summary: string;
  drill: boolean;
  createdAt: string;
  /** When it was closed or cancelled, and why (a false alarm, an early close). */
  endedAt: string | null;
  endReason: string | null;
  /** The crisis-plan versions (school, board) the incident started with. */
  planVersions: { school: number | null; board: number | null };
  /** Roles nobody available filled at the trigger: their tasks have no assignee until a leader hands them on. */
  unstaffedRoles: string[];
  createdBy: string;
  catalogVersion: string;
  tasks: TaskView[];
}

export interface TriggerIncidentRequest {
  calamityType: string;
  boardId: string;
  schoolId: string;
  summary: string;
  drill: boolean;
  /** Chosen by the client; the same key at the same school always yields the same incident. */
  idempotencyKey: string;
  actorId: string;
  correlationId: string;
}

export interface TriggerIncidentResponse {
  /** False when the idempotency key was seen before and the existing incident is returned. */
  created: boolean;
  incident: IncidentView;
}

export interface ProtocolView {
  id: string;
  name: string;
  nameEn: string;
  description: string;
  descriptionEn: string;
  taskCount: number;
  catalogVersion: string;
}

export interface TimelineEntryView {
  seq: number;
  id: string;
  eventId: string;
  incidentId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actor: string;
  drill: boolean;
  data: Record<string, unknown>;
  /** The personal texts of this entry were erased after the retention period (the chain still verifies). */
  erased?: boolean;
  prevHash: string;
  hash: string;
}

/** The highest seq a timeline entry can have (PostgreSQL's integer); paging past it is a bad request. */
export const MAX_SEQ = 2_147_483_647;

export interface TimelineVerification {
  valid: boolean;
  entries: number;
  firstBrokenSeq: number | null;
}

export interface BrowserPushSubscription {
  endpoint: string;
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
}

/** A leader's step on an incident; the caller's schools scope it (another school's incident is "not found"). */
export interface IncidentCommand {
  incidentId: string;
  actorId: string;
  schoolIds: string[];
  correlationId: string;
}

/** A crisis plan's content: who fills each role (primary first), who is unavailable, task changes, review date. */
export interface CrisisPlanContent {
  roles: { role: string; people: string[] }[];
  unavailable: string[];
  taskOverrides: { templateId: string; disabled?: boolean; deadline?: string }[];
  extraTasks: {
    id: string;
    calamityTypes: string[];
    phase: number;
    role: string;
    deadline: string;
    priority: 'critical' | 'high' | 'normal';
    ackRequired: boolean;
    title: LocalizedText;
    instruction: LocalizedText;
  }[];
  reviewDue: string;
  note?: string;
}

export interface CrisisPlanView {
  scope: 'school' | 'board';
  ownerId: string;
  boardId: string;
  version: number;
  content: CrisisPlanContent;
  createdAt: string;
  createdBy: string;
  unstaffedRoles: string[];
}

export interface LegalStepView {
  step: string;
  occurredAt: string;
  recordedAt: string;
  recordedBy: string;
  note: string;
  reasonableSuspicion: boolean | null;
}

/** The legal chain of an incident: the signal (the trigger), the steps recorded, what may come next. */
export interface LegalChainView {
  incidentId: string;
  signalReceivedAt: string;
  steps: LegalStepView[];
  next: string[];
  complete: boolean;
}

/** One notification of an incident on the delivery board. */
export interface DeliveryView {
  notificationId: string;
  taskId: string | null;
  personId: string;
  channel: NotificationChannel;
  attempt: number;
  /** queued, sent, delivered, acknowledged, failed, expired, unreachable */
  status: string;
  reason: string | null;
  queuedAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  updatedAt: string;
  /** What the notification is about: a task, or an announcement of the crisis team. */
  announcementId: string | null;
  aftercareItemId: string | null;
  /** twilio, push-service or local-outbox (no SMS provider configured: kept here, NOT sent). */
  provider: string | null;
  /** A short state text for people, Dutch first (e.g. the local outbox's "niet verstuurd"). */
  label: { nl: string; en: string };
}

/** A protocol milestone and when it was reached (seconds since the trigger). */
export interface ReportMilestone {
  key:
    | 'team-convened'
    | 'core-message-approved'
    | 'family-contacted'
    | 'staff-informed'
    | 'pupils-informed'
    | 'parents-informed'
    | 'board-informed';
  label: LocalizedText;
  /** Whether the incident's plan had a task for it (a fire has no family to call). */
  inPlan: boolean;
  at: string | null;
  afterSeconds: number | null;
}

/** One task: the plan (due) against what happened. */
export interface ReportTask {
  taskId: string;
  templateId: string;
  role: string;
  title: LocalizedText;
  priority: 'critical' | 'high' | 'normal';
  phase: number;
  assigneeId: string | null;
  assignedAt: string;
  dueAt: string;
  acknowledgedAt: string | null;
  completedAt: string | null;
  dismissedAt: string | null;
  outcome: 'done' | 'not-applicable' | 'open';
  /** From the assignment to the acknowledgement. */
  ackSeconds: number | null;
  /** Done (or, while open, the end of the incident or now) minus due: positive is late. */
  lateSeconds: number | null;
  overdue: boolean;
  handovers: number;
}

export interface ReportRole {
  role: string;
  tasks: number;
  acknowledged: number;
  done: number;
  medianAckSeconds: number | null;
  slowestAckSeconds: number | null;
  handovers: number;
}

export const FINDING_KINDS = ['went-well', 'improve', 'plan-change'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** What the team wrote in the evaluation: what went well, what to improve, a proposed plan change. */
export interface ReportFinding {
  seq: number;
  kind: FindingKind;
  text: string;
  authorId: string;
  at: string;
  proposesPlanChange: boolean;
  /** The school plan version the proposal became, once applied. */
  appliedVersion: number | null;
}

/** One aftercare item (nazorg) with its owner, due date and state. */
export interface AftercareItemView {
  id: string;
  incidentId: string;
  schoolId: string;
  drill: boolean;
  key: string;
  kind: string;
  title: LocalizedText;
  /** The care reference the school understands ("klas 7B", a pupil number); never in push or SMS. */
  subject: string | null;
  ownerId: string | null;
  dueAt: string;
  /** scheduled → checked → fine, or → referred → closed. */
  state: string;
  referredTo: string | null;
  note: string | null;
  notifiedAt: string | null;
  updatedAt: string;
}

/** The evaluation report of an incident, computed from its timeline. */
export interface EvaluationReport {
  incidentId: string;
  drill: boolean;
  calamityType: string | null;
  triggeredAt: string | null;
  endedAt: string | null;
  endedAs: 'closed' | 'cancelled' | null;
  generatedAt: string;
  milestones: ReportMilestone[];
  tasks: ReportTask[];
  roles: ReportRole[];
  overdue: string[];
  deliveries: {
    /** People who were sent anything. */
    people: number;
    /** People reached on at least one channel (a push service or Twilio took it). */
    reached: number;
    /** People no channel reached. */
    unreachable: number;
    pushSent: number;
    pushFailed: number;
    smsSent: number;
    smsDelivered: number;
    smsFailed: number;
    /** SMS kept in the local outbox because no provider was configured. */
    smsNotSent: number;
    escalations: number;
    /** Tasks handed to a deputy because nobody picked them up. */
    handovers: number;
  };
  log: { entries: number; corrections: number };
  findings: ReportFinding[];
  /** What was said, to whom, when, and who approved it. */
  communication: {
    messages: ReportMessage[];
    pressEntries: number;
    /** Calls to outside parties, per party id. */
    partyContacts: Record<string, number>;
  };
}

/** One message of the incident in the evaluation: its drafts, approvals and release. */
export interface ReportMessage {
  messageId: string;
  audience: string;
  versions: number;
  firstDraftAt: string;
  /** The last approval, by whom, of which version. */
  approvedAt: string | null;
  approvedBy: string | null;
  approvedVersion: number | null;
  familyApprovedAt: string | null;
  releasedAt: string | null;
  releasedVia: string | null;
  /** The channel of a message the school sent itself, or `app` with the number of recipients. */
  channel: string | null;
  recipients: number | null;
  /** Seconds from the trigger to the release (or to the approval of the core message). */
  afterSeconds: number | null;
}

/** An incident in a school's list: enough to find it and open its report. */
export interface IncidentSummary {
  id: string;
  calamityType: string;
  status: string;
  drill: boolean;
  createdAt: string;
  endedAt: string | null;
}

/** A message of the crisis team to an audience; the text is read in the app only. */
export interface AnnouncementView {
  id: string;
  incidentId: string;
  schoolId: string;
  audience: AnnouncementAudience;
  role: string | null;
  text: string;
  authorId: string;
  drill: boolean;
  createdAt: string;
  recipients: number;
}

/** A Twilio webhook as the gateway received it: checked by the notifier, which holds the auth token. */
export interface TwilioWebhookRequest {
  /** Path and query as requested, e.g. `/webhooks/twilio/status`; the signed URL is PUBLIC_BASE_URL + this. */
  path: string;
  params: Record<string, string>;
  signature: string;
}

/** The answer to send back to Twilio (TwiML for an inbound message). */
export interface TwilioWebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

/** The typed pattern → request/response map of every request/reply call. */
export interface RpcContract extends CommunicationRpcContract {
  [RpcPattern.TriggerIncident]: { request: TriggerIncidentRequest; response: TriggerIncidentResponse };
  [RpcPattern.ListIncidents]: { request: { schoolId: string }; response: IncidentSummary[] };
  [RpcPattern.GetIncident]: { request: { incidentId: string }; response: IncidentView | null };
  [RpcPattern.ListProtocols]: { request: { schoolId: string }; response: ProtocolView[] };
  [RpcPattern.ChangeIncidentPhase]: {
    request: IncidentCommand & { phase: 1 | 2 | 3 | 4 | 5 | 'evaluation' };
    response: IncidentView;
  };
  [RpcPattern.CloseIncident]: { request: IncidentCommand & { reason?: string }; response: IncidentView };
  [RpcPattern.CancelIncident]: { request: IncidentCommand & { reason: string }; response: IncidentView };
  [RpcPattern.GetLegalChain]: { request: IncidentCommand; response: LegalChainView };
  [RpcPattern.RecordLegalStep]: {
    request: IncidentCommand & { step: string; occurredAt?: string; note: string; reasonableSuspicion?: boolean };
    response: LegalChainView;
  };
  [RpcPattern.GetPlan]: {
    request: { scope: 'school' | 'board'; ownerId: string; boardId: string };
    response: CrisisPlanView | null;
  };
  [RpcPattern.SavePlan]: {
    request: {
      scope: 'school' | 'board';
      ownerId: string;
      boardId: string;
      content: CrisisPlanContent;
      actorId: string;
      /** The version the editor started from (null for the first); another version meanwhile answers 409. */
      expectedVersion: number | null;
    };
    response: CrisisPlanView;
  };
  /** The people of a school's effective crisis plan (one role, or every role), primary first, each once. */
  [RpcPattern.ListPlanPeople]: {
    request: { schoolId: string; boardId: string; role?: string };
    response: { personIds: string[] };
  };
  [RpcPattern.ListMyTasks]: { request: { personId: string; schoolIds: string[] }; response: MyTaskView[] };
  [RpcPattern.AcknowledgeTask]: { request: TaskCommand; response: TaskView };
  [RpcPattern.CompleteTask]: { request: TaskCommand & { note?: string }; response: TaskView };
  [RpcPattern.DismissTask]: { request: TaskCommand & { reason: string }; response: TaskView };
  [RpcPattern.ReassignTask]: { request: TaskCommand & { assigneeId: string }; response: TaskView };
  [RpcPattern.ListTimeline]: {
    request: {
      incidentId: string;
      afterSeq?: number;
      limit?: number;
      types?: string[];
      manualOnly?: boolean;
      role?: string;
      personId?: string;
      phase?: number;
    };
    response: TimelineEntryView[];
  };
  [RpcPattern.AddLogEntry]: {
    request: {
      incidentId: string;
      schoolId: string;
      boardId: string;
      drill: boolean;
      entryId: string;
      authorId: string;
      text: string;
      category: 'decision' | 'contact' | 'action' | 'observation';
      occurredAt: string;
      corrects?: number;
      correlationId: string;
    };
    response: TimelineEntryView;
  };
  [RpcPattern.GetReport]: { request: { incidentId: string }; response: EvaluationReport };
  [RpcPattern.AddFinding]: {
    request: {
      incidentId: string;
      schoolId: string;
      boardId: string;
      drill: boolean;
      findingId: string;
      authorId: string;
      kind: FindingKind;
      text: string;
      proposedPlan?: CrisisPlanContent;
      correlationId: string;
    };
    response: TimelineEntryView;
  };
  [RpcPattern.RecordFindingApplied]: {
    request: {
      incidentId: string;
      schoolId: string;
      boardId: string;
      drill: boolean;
      findingSeq: number;
      planVersion: number;
      actorId: string;
      correlationId: string;
    };
    response: TimelineEntryView;
  };
  [RpcPattern.GetRetention]: {
    request: { boardId: string };
    response: { boardId: string; retentionDays: number; isDefault: boolean };
  };
  [RpcPattern.SetRetention]: {
    request: { boardId: string; retentionDays: number; actorId: string };
    response: { boardId: string; retentionDays: number; isDefault: boolean };
  };
  [RpcPattern.EraseIncidentTexts]: {
    request: { incidentId: string; actorId: string; correlationId: string };
    response: { erased: number; entrySeq: number | null };
  };
  /**
   * After the timeline erased an incident's texts (its retention passed), the other apps erase theirs: the summary,
   * task notes, messages and their versions, agreements, press log, calls and the legal chain's notes (activation),
   * the announcements (notifier). Structure, times and people stay; texts become "[gewist / erased]". Idempotent.
   */
  [RpcPattern.EraseActivationTexts]: { request: { incidentId: string }; response: { erased: number } };
  [RpcPattern.EraseAnnouncementTexts]: { request: { incidentId: string }; response: { erased: number } };
  [RpcPattern.ListAftercare]: { request: { incidentId: string }; response: AftercareItemView[] };
  [RpcPattern.GetAftercareItem]: { request: { itemId: string }; response: AftercareItemView | null };
  [RpcPattern.AddAftercareItem]: {
    request: {
      itemId: string;
      incidentId: string;
      kind: string;
      title: LocalizedText;
      subject?: string;
      ownerId?: string;
      dueAt: string;
      actorId: string;
      correlationId: string;
    };
    response: AftercareItemView;
  };
  [RpcPattern.ChangeAftercareItem]: {
    request: {
      itemId: string;
      actorId: string;
      state?: string;
      referredTo?: string;
      ownerId?: string;
      note?: string;
      correlationId: string;
    };
    response: AftercareItemView;
  };
  [RpcPattern.VerifyTimeline]: { request: { incidentId: string }; response: TimelineVerification };
  [RpcPattern.RegisterPushSubscription]: {
    /** `sessionId`: the login (device) it was registered from, so that logging out there removes it. */
    request: { personId: string; subscription: BrowserPushSubscription; userAgent?: string; sessionId?: string };
    response: { id: string; created: boolean };
  };
  [RpcPattern.SetPhone]: {
    request: { personId: string; phone: string; channelOrder?: NotificationChannel[] };
    response: { phone: string; channelOrder: NotificationChannel[] };
  };
  [RpcPattern.ListDeliveries]: { request: { incidentId: string }; response: DeliveryView[] };
  [RpcPattern.TwilioStatusWebhook]: { request: TwilioWebhookRequest; response: TwilioWebhookResponse };
  [RpcPattern.TwilioInboundWebhook]: { request: TwilioWebhookRequest; response: TwilioWebhookResponse };
  [RpcPattern.CreateAnnouncement]: {
    request: {
      announcementId: string;
      incidentId: string;
      schoolId: string;
      boardId: string;
      drill: boolean;
      authorId: string;
      audience: AnnouncementAudience;
      role?: string;
      text: string;
      recipientIds: string[];
      correlationId: string;
      /**
       * Tasks of the incident whose assignees are told before this message's SMS go out (the trigger's
       * assignments, still 'pending'): the SMS wait until those tasks' notifications are queued (for 10 s at
       * most), so that the rate-limited SMS line has the crisis team's SMS before it takes any of these.
       */
      waitForTaskIds?: string[];
    };
    response: AnnouncementView & { created: boolean };
  };
  [RpcPattern.GetAnnouncement]: { request: { announcementId: string }; response: AnnouncementView | null };
  [RpcPattern.ListAnnouncements]: { request: { incidentId: string }; response: AnnouncementView[] };
  /** A lost phone: every device of the person stops receiving pushes. */
  [RpcPattern.RemoveAllPushSubscriptions]: { request: { personId: string }; response: { removed: number } };
  /** A logout: the devices registered from that session (of that person) stop receiving pushes. */
  [RpcPattern.RemoveSessionPushSubscriptions]: {
    request: { personId: string; sessionId: string };
    response: { removed: number };
  };
  /**
   * The one-time login code of a second factor, sent at once by SMS (not queued behind notifications). `sent` is
   * false when the person has no phone number or the provider refused; `kept-locally` without an SMS provider.
   */
  [RpcPattern.SendLoginCode]: {
    request: { personId: string; code: string; validMinutes: number };
    response: { outcome: 'sent' | 'kept-locally' | 'no-phone' | 'failed'; phoneHint: string | null };
  };
  [RpcPattern.RemovePushSubscription]: {
    request: { personId: string; endpoint: string };
    response: { removed: boolean };
  };
}

export type RpcRequest<P extends RpcPattern> = RpcContract[P]['request'];
export type RpcResponse<P extends RpcPattern> = RpcContract[P]['response'];
export type { NotificationChannel };
