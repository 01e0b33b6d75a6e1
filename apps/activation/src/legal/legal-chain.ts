/**
 * The statutory chain after a signal of a sexual offence by a staff member against a minor pupil
 * (meld-, overleg- en aangifteplicht; shared/domain/protocol.md §6, S18–S23): the signal goes to the board at once;
 * the board consults the confidential inspector without delay; it decides whether there is a reasonable
 * suspicion; if so it informs the accused and the parents and then files a police report (objections do not
 * lift that duty); if not, it documents the decision. The order is the law's: a step is refused until the one
 * before it is recorded.
 */
export const LEGAL_STEPS = [
  'reported-to-board',
  'inspector-consulted',
  'suspicion-decided',
  'accused-and-parents-informed',
  'police-report-filed',
  'decision-documented',
] as const;
export type LegalStep = (typeof LEGAL_STEPS)[number];

/** The calamity type the chain belongs to. */
export const LEGAL_CHAIN_CALAMITY = 'sexual-misconduct-by-staff';

export interface RecordedStep {
  step: LegalStep;
  /** Only for `suspicion-decided`. */
  reasonableSuspicion?: boolean;
}

/** The steps that may be recorded now, given those recorded so far. Empty when the chain is complete. */
export function nextSteps(recorded: readonly RecordedStep[]): LegalStep[] {
  const has = (step: LegalStep) => recorded.some((r) => r.step === step);
  if (!has('reported-to-board')) {
    return ['reported-to-board'];
  }
  if (!has('inspector-consulted')) {
    return ['inspector-consulted'];
  }
  const decision = recorded.find((r) => r.step === 'suspicion-decided');
  if (!decision) {
    return ['suspicion-decided'];
  }
  if (decision.reasonableSuspicion) {
    if (!has('accused-and-parents-informed')) {
      return ['accused-and-parents-informed'];
    }
    return has('police-report-filed') ? [] : ['police-report-filed'];
  }
  return has('decision-documented') ? [] : ['decision-documented'];
}

export type LegalStepRefusal = {
  code: 'OUT_OF_ORDER' | 'ALREADY_RECORDED' | 'DECISION_REQUIRED' | 'NOT_A_DECISION';
  message: string;
  messageNl: string;
};

/** Whether `step` may be recorded now; the refusal says which step comes first. */
export function checkStep(
  recorded: readonly RecordedStep[],
  step: LegalStep,
  reasonableSuspicion: boolean | undefined,
): LegalStepRefusal | null {
  if (recorded.some((r) => r.step === step)) {
    return { code: 'ALREADY_RECORDED', message: `${step} is already recorded`, messageNl: `${step} is al vastgelegd` };
  }
  const allowed = nextSteps(recorded);
  if (!allowed.includes(step)) {
    const first = allowed[0];
    return {
      code: 'OUT_OF_ORDER',
      message: first ? `Record ${first} first` : 'The chain is complete',
      messageNl: first ? `Leg eerst ${first} vast` : 'De keten is afgerond',
    };
  }
  if (step === 'suspicion-decided' && reasonableSuspicion === undefined) {
    return {
      code: 'DECISION_REQUIRED',
      message: 'reasonableSuspicion: say whether there is a reasonable suspicion',
      messageNl: 'reasonableSuspicion: geef aan of er een redelijk vermoeden is',
    };
  }
  if (step !== 'suspicion-decided' && reasonableSuspicion !== undefined) {
    return {
      code: 'NOT_A_DECISION',
      message: 'reasonableSuspicion belongs to suspicion-decided only',
      messageNl: 'reasonableSuspicion hoort alleen bij suspicion-decided',
    };
  }
  return null;
}
