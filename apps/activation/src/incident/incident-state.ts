import type { IncidentStatus } from './incident.entity.js';

/** A phase the leader moves the incident to: the protocol's phases 1–5, then the evaluation. */
export type PhaseTarget = 1 | 2 | 3 | 4 | 5 | 'evaluation';

export type IncidentStep =
  { kind: 'phase'; to: PhaseTarget } | { kind: 'close'; reason?: string } | { kind: 'cancel'; reason: string };

export type IncidentStepResult =
  | { ok: true; status: IncidentStatus; phase: number; changed: boolean; early?: boolean }
  | { ok: false; code: 'FORBIDDEN' | 'INVALID_TRANSITION' | 'REASON_REQUIRED'; message: string; messageNl: string };

/** The status that goes with a protocol phase: the first day is `active`, until the funeral `stabilising`, then aftercare. */
export function statusOfPhase(phase: number): IncidentStatus {
  return phase <= 2 ? 'active' : phase === 3 ? 'stabilising' : 'aftercare';
}

const ENDED: readonly IncidentStatus[] = ['closed', 'cancelled'];

/**
 * The incident lifecycle, the leader's alone: phases only move forward (1 → 5, then evaluation); an incident
 * closes after its evaluation, or earlier with a reason; a false alarm is cancelled with a reason. An ended
 * incident does not move again. Repeating the current step changes nothing.
 */
export function step(
  incident: { status: IncidentStatus; phase: number },
  action: IncidentStep,
  actor: { isLeader: boolean },
): IncidentStepResult {
  if (!actor.isLeader) {
    return refuse('FORBIDDEN', 'Only a leader may change the incident', 'Alleen een leider mag het incident wijzigen');
  }
  if (ENDED.includes(incident.status)) {
    return refuse(
      'INVALID_TRANSITION',
      `The incident is already ${incident.status}`,
      `Het incident is al ${incident.status === 'closed' ? 'afgesloten' : 'geannuleerd'}`,
    );
  }
  switch (action.kind) {
    case 'phase': {
      if (action.to === 'evaluation') {
        return incident.status === 'evaluation'
          ? { ok: true, status: 'evaluation', phase: incident.phase, changed: false }
          : { ok: true, status: 'evaluation', phase: incident.phase, changed: true };
      }
      if (incident.status === 'evaluation' || action.to < incident.phase) {
        return refuse(
          'INVALID_TRANSITION',
          `Phases only move forward (now ${incident.status === 'evaluation' ? 'evaluation' : incident.phase})`,
          `Fasen gaan alleen vooruit (nu ${incident.status === 'evaluation' ? 'evaluatie' : incident.phase})`,
        );
      }
      return { ok: true, status: statusOfPhase(action.to), phase: action.to, changed: action.to !== incident.phase };
    }
    case 'close': {
      const early = incident.status !== 'evaluation';
      if (early && !action.reason?.trim()) {
        return refuse(
          'REASON_REQUIRED',
          'Closing before the evaluation needs a reason',
          'Afsluiten vóór de evaluatie kan alleen met een reden',
        );
      }
      return { ok: true, status: 'closed', phase: incident.phase, changed: true, early };
    }
    case 'cancel':
      if (!action.reason.trim()) {
        return refuse('REASON_REQUIRED', 'Cancelling needs a reason', 'Annuleren kan alleen met een reden');
      }
      return { ok: true, status: 'cancelled', phase: incident.phase, changed: true };
  }
}

function refuse(
  code: 'FORBIDDEN' | 'INVALID_TRANSITION' | 'REASON_REQUIRED',
  message: string,
  messageNl: string,
): IncidentStepResult {
  return { ok: false, code, message, messageNl };
}
