import {
  AftercareDuePayload,
  AnnouncementSentPayload,
  IncidentActivatedPayload,
  IncidentCancelledPayload,
  IncidentClosedPayload,
  IncidentPhaseChangedPayload,
  LegalStepRecordedPayload,
  NotificationAcknowledgedPayload,
  NotificationDeliveredPayload,
  NotificationEscalatedPayload,
  NotificationFailedPayload,
  NotificationReplyReceivedPayload,
  NotificationSentPayload,
  NotificationUnacknowledgedPayload,
  TaskAcknowledgedPayload,
  TaskAssignedPayload,
  TaskCompletedPayload,
  TaskDismissedPayload,
  TaskOverduePayload,
  TaskReassignedPayload,
} from './payloads.js';
import {
  AgreementsUpdatedPayload,
  FamilyContactLoggedPayload,
  MessageApprovedPayload,
  MessageDraftedPayload,
  MessageFamilyApprovedPayload,
  MessageReleasedPayload,
  MessageReturnedPayload,
  MessageSubmittedPayload,
  PartyContactedPayload,
  PressEntryAnsweredPayload,
  PressEntryLoggedPayload,
  SpokespersonSetPayload,
} from './communication.js';
import { EventSubject } from './subjects.js';

/** The typed subject → payload map: publishing a subject with another subject's payload does not compile. */
export interface EventPayloads {
  [EventSubject.IncidentActivated]: IncidentActivatedPayload;
  [EventSubject.IncidentPhaseChanged]: IncidentPhaseChangedPayload;
  [EventSubject.IncidentClosed]: IncidentClosedPayload;
  [EventSubject.IncidentCancelled]: IncidentCancelledPayload;
  [EventSubject.LegalStepRecorded]: LegalStepRecordedPayload;
  [EventSubject.TaskAssigned]: TaskAssignedPayload;
  [EventSubject.TaskAcknowledged]: TaskAcknowledgedPayload;
  [EventSubject.TaskCompleted]: TaskCompletedPayload;
  [EventSubject.TaskDismissed]: TaskDismissedPayload;
  [EventSubject.TaskReassigned]: TaskReassignedPayload;
  [EventSubject.TaskOverdue]: TaskOverduePayload;
  [EventSubject.NotificationSent]: NotificationSentPayload;
  [EventSubject.NotificationFailed]: NotificationFailedPayload;
  [EventSubject.NotificationUnacknowledged]: NotificationUnacknowledgedPayload;
  [EventSubject.NotificationDelivered]: NotificationDeliveredPayload;
  [EventSubject.NotificationAcknowledged]: NotificationAcknowledgedPayload;
  [EventSubject.NotificationEscalated]: NotificationEscalatedPayload;
  [EventSubject.NotificationReplyReceived]: NotificationReplyReceivedPayload;
  [EventSubject.AnnouncementSent]: AnnouncementSentPayload;
  [EventSubject.AftercareDue]: AftercareDuePayload;
  [EventSubject.MessageDrafted]: MessageDraftedPayload;
  [EventSubject.MessageSubmitted]: MessageSubmittedPayload;
  [EventSubject.MessageReturned]: MessageReturnedPayload;
  [EventSubject.MessageApproved]: MessageApprovedPayload;
  [EventSubject.MessageFamilyApproved]: MessageFamilyApprovedPayload;
  [EventSubject.MessageReleased]: MessageReleasedPayload;
  [EventSubject.AgreementsUpdated]: AgreementsUpdatedPayload;
  [EventSubject.FamilyContactLogged]: FamilyContactLoggedPayload;
  [EventSubject.SpokespersonSet]: SpokespersonSetPayload;
  [EventSubject.PressEntryLogged]: PressEntryLoggedPayload;
  [EventSubject.PressEntryAnswered]: PressEntryAnsweredPayload;
  [EventSubject.PartyContacted]: PartyContactedPayload;
}

type PayloadClass<S extends EventSubject> = new () => EventPayloads[S];

/** The validation class of each subject's payload, used when a message is consumed. */
export const EVENT_PAYLOAD_SCHEMAS: { readonly [S in EventSubject]: PayloadClass<S> } = {
  [EventSubject.IncidentActivated]: IncidentActivatedPayload,
  [EventSubject.IncidentPhaseChanged]: IncidentPhaseChangedPayload,
  [EventSubject.IncidentClosed]: IncidentClosedPayload,
  [EventSubject.IncidentCancelled]: IncidentCancelledPayload,
  [EventSubject.LegalStepRecorded]: LegalStepRecordedPayload,
  [EventSubject.TaskAssigned]: TaskAssignedPayload,
  [EventSubject.TaskAcknowledged]: TaskAcknowledgedPayload,
  [EventSubject.TaskCompleted]: TaskCompletedPayload,
  [EventSubject.TaskDismissed]: TaskDismissedPayload,
  [EventSubject.TaskReassigned]: TaskReassignedPayload,
  [EventSubject.TaskOverdue]: TaskOverduePayload,
  [EventSubject.NotificationSent]: NotificationSentPayload,
  [EventSubject.NotificationFailed]: NotificationFailedPayload,
  [EventSubject.NotificationUnacknowledged]: NotificationUnacknowledgedPayload,
  [EventSubject.NotificationDelivered]: NotificationDeliveredPayload,
  [EventSubject.NotificationAcknowledged]: NotificationAcknowledgedPayload,
  [EventSubject.NotificationEscalated]: NotificationEscalatedPayload,
  [EventSubject.NotificationReplyReceived]: NotificationReplyReceivedPayload,
  [EventSubject.AnnouncementSent]: AnnouncementSentPayload,
  [EventSubject.AftercareDue]: AftercareDuePayload,
  [EventSubject.MessageDrafted]: MessageDraftedPayload,
  [EventSubject.MessageSubmitted]: MessageSubmittedPayload,
  [EventSubject.MessageReturned]: MessageReturnedPayload,
  [EventSubject.MessageApproved]: MessageApprovedPayload,
  [EventSubject.MessageFamilyApproved]: MessageFamilyApprovedPayload,
  [EventSubject.MessageReleased]: MessageReleasedPayload,
  [EventSubject.AgreementsUpdated]: AgreementsUpdatedPayload,
  [EventSubject.FamilyContactLogged]: FamilyContactLoggedPayload,
  [EventSubject.SpokespersonSet]: SpokespersonSetPayload,
  [EventSubject.PressEntryLogged]: PressEntryLoggedPayload,
  [EventSubject.PressEntryAnswered]: PressEntryAnsweredPayload,
  [EventSubject.PartyContacted]: PartyContactedPayload,
};

export function isEventSubject(value: string): value is EventSubject {
  return Object.prototype.hasOwnProperty.call(EVENT_PAYLOAD_SCHEMAS, value);
}

/** `crisis.task.assigned.v1` → 1. */
export function schemaVersionOf(subject: EventSubject): number {
  const match = /\.v(\d+)$/.exec(subject);
  if (!match) {
    throw new Error(`subject ${subject} has no version suffix`);
  }
  return Number(match[1]);
}
