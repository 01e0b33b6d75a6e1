/**
 * Every wire name of Crisisklaar, declared once.
 *
 * WARNING: renaming a subject or a stream strands the messages already stored in JetStream and breaks every
 * durable consumer bound to it. Add a new `.v2` subject instead and keep the old one until it has drained.
 */

/** Durable events (facts). Stored in the JetStream stream {@link EVENT_STREAM}. */
export const EventSubject = {
  IncidentActivated: 'crisis.incident.activated.v1',
  IncidentPhaseChanged: 'crisis.incident.phase-changed.v1',
  IncidentClosed: 'crisis.incident.closed.v1',
  IncidentCancelled: 'crisis.incident.cancelled.v1',
  LegalStepRecorded: 'crisis.legal.step-recorded.v1',
  TaskAssigned: 'crisis.task.assigned.v1',
  TaskAcknowledged: 'crisis.task.acknowledged.v1',
  TaskCompleted: 'crisis.task.completed.v1',
  TaskDismissed: 'crisis.task.dismissed.v1',
  TaskReassigned: 'crisis.task.reassigned.v1',
  TaskOverdue: 'crisis.task.overdue.v1',
  NotificationSent: 'crisis.notification.sent.v1',
  NotificationFailed: 'crisis.notification.failed.v1',
  NotificationUnacknowledged: 'crisis.notification.unacknowledged.v1',
  NotificationDelivered: 'crisis.notification.delivered.v1',
  NotificationAcknowledged: 'crisis.notification.acknowledged.v1',
  NotificationEscalated: 'crisis.notification.escalated.v1',
  NotificationReplyReceived: 'crisis.notification.reply-received.v1',
  AnnouncementSent: 'crisis.announcement.sent.v1',
  AftercareDue: 'crisis.aftercare.due.v1',
  MessageDrafted: 'crisis.message.drafted.v1',
  MessageSubmitted: 'crisis.message.submitted.v1',
  MessageReturned: 'crisis.message.returned.v1',
  MessageApproved: 'crisis.message.approved.v1',
  MessageFamilyApproved: 'crisis.message.family-approved.v1',
  MessageReleased: 'crisis.message.released.v1',
  AgreementsUpdated: 'crisis.communication.agreements-updated.v1',
  FamilyContactLogged: 'crisis.communication.family-contact-logged.v1',
  SpokespersonSet: 'crisis.press.spokesperson-set.v1',
  PressEntryLogged: 'crisis.press.entry-logged.v1',
  PressEntryAnswered: 'crisis.press.entry-answered.v1',
  PartyContacted: 'crisis.party.contacted.v1',
} as const;
export type EventSubject = (typeof EventSubject)[keyof typeof EventSubject];

export const ALL_EVENT_SUBJECTS: readonly EventSubject[] = Object.values(EventSubject);

/** The event stream: every subject under `crisis.>`. */
export const EVENT_STREAM = { name: 'CRISIS', subjects: ['crisis.>'] } as const;

/**
 * Messages that could not be processed: one subject per consuming app and original subject,
 * `deadletter.<consumer>.<original subject>`, kept in their own stream so nothing is dropped silently.
 */
export const DEAD_LETTER_STREAM = { name: 'CRISIS_DEADLETTER', subjects: ['deadletter.>'] } as const;
export const deadLetterSubject = (consumer: string, subject: string): string => `deadletter.${consumer}.${subject}`;

/**
 * Request/reply commands and queries over core NATS (Nest `Transport.NATS`, queue group = the serving app).
 * They live outside `crisis.>` on purpose: a core request on a subject the event stream captures would be
 * answered by JetStream itself with a PubAck.
 */
export const RpcPattern = {
  TriggerIncident: 'rpc.activation.incident.trigger.v1',
  GetIncident: 'rpc.activation.incident.get.v1',
  ListIncidents: 'rpc.activation.incident.list.v1',
  ChangeIncidentPhase: 'rpc.activation.incident.change-phase.v1',
  CloseIncident: 'rpc.activation.incident.close.v1',
  CancelIncident: 'rpc.activation.incident.cancel.v1',
  ListMyTasks: 'rpc.activation.task.list-mine.v1',
  GetLegalChain: 'rpc.activation.legal-chain.get.v1',
  RecordLegalStep: 'rpc.activation.legal-chain.record.v1',
  GetPlan: 'rpc.activation.plan.get.v1',
  SavePlan: 'rpc.activation.plan.save.v1',
  ListPlanPeople: 'rpc.activation.plan.people.v1',
  AcknowledgeTask: 'rpc.activation.task.acknowledge.v1',
  CompleteTask: 'rpc.activation.task.complete.v1',
  DismissTask: 'rpc.activation.task.dismiss.v1',
  ReassignTask: 'rpc.activation.task.reassign.v1',
  ListProtocols: 'rpc.activation.protocol.list.v1',
  ListTimeline: 'rpc.timeline.entry.list.v1',
  VerifyTimeline: 'rpc.timeline.chain.verify.v1',
  GetReport: 'rpc.timeline.report.get.v1',
  AddLogEntry: 'rpc.timeline.log.add.v1',
  AddFinding: 'rpc.timeline.finding.add.v1',
  RecordFindingApplied: 'rpc.timeline.finding.applied.v1',
  ListAftercare: 'rpc.timeline.aftercare.list.v1',
  GetRetention: 'rpc.timeline.retention.get.v1',
  SetRetention: 'rpc.timeline.retention.set.v1',
  EraseIncidentTexts: 'rpc.timeline.retention.erase.v1',
  GetAftercareItem: 'rpc.timeline.aftercare.get.v1',
  AddAftercareItem: 'rpc.timeline.aftercare.add.v1',
  ChangeAftercareItem: 'rpc.timeline.aftercare.change.v1',
  RegisterPushSubscription: 'rpc.notifier.push-subscription.register.v1',
  RemovePushSubscription: 'rpc.notifier.push-subscription.remove.v1',
  RemoveAllPushSubscriptions: 'rpc.notifier.push-subscription.remove-all.v1',
  RemoveSessionPushSubscriptions: 'rpc.notifier.push-subscription.remove-session.v1',
  SendLoginCode: 'rpc.notifier.login-code.send.v1',
  SetPhone: 'rpc.notifier.phone.set.v1',
  ListDeliveries: 'rpc.notifier.delivery.list.v1',
  TwilioStatusWebhook: 'rpc.notifier.twilio.status.v1',
  TwilioInboundWebhook: 'rpc.notifier.twilio.inbound.v1',
  CreateAnnouncement: 'rpc.notifier.announcement.create.v1',
  GetAnnouncement: 'rpc.notifier.announcement.get.v1',
  ListAnnouncements: 'rpc.notifier.announcement.list.v1',
  CreateMessage: 'rpc.activation.message.create.v1',
  ListMessages: 'rpc.activation.message.list.v1',
  GetMessage: 'rpc.activation.message.get.v1',
  ListMessageVersions: 'rpc.activation.message.versions.v1',
  ReviseMessage: 'rpc.activation.message.revise.v1',
  ActOnMessage: 'rpc.activation.message.act.v1',
  GetAgreements: 'rpc.activation.agreements.get.v1',
  SaveAgreements: 'rpc.activation.agreements.save.v1',
  LogFamilyContact: 'rpc.activation.agreements.family-contact.v1',
  GetPressDesk: 'rpc.activation.press.get.v1',
  SetSpokesperson: 'rpc.activation.press.spokesperson.v1',
  LogPressEntry: 'rpc.activation.press.log.v1',
  AnswerPressEntry: 'rpc.activation.press.answer.v1',
  GetSocialMap: 'rpc.activation.social-map.get.v1',
  GetSocialMapEntry: 'rpc.activation.social-map.entry.v1',
  SaveSocialMapEntry: 'rpc.activation.social-map.save.v1',
  DeleteSocialMapEntry: 'rpc.activation.social-map.delete.v1',
  LogPartyContact: 'rpc.activation.party-contact.log.v1',
  ListPartyContacts: 'rpc.activation.party-contact.list.v1',
  GetTaskParties: 'rpc.activation.party-contact.task.v1',
  EraseActivationTexts: 'rpc.activation.retention.erase.v1',
  EraseAnnouncementTexts: 'rpc.notifier.retention.erase.v1',
} as const;
export type RpcPattern = (typeof RpcPattern)[keyof typeof RpcPattern];

/** The queue group each serving app joins, so that several instances share the requests. */
export const RpcQueue = {
  Activation: 'activation',
  Notifier: 'notifier',
  Timeline: 'timeline',
} as const;
