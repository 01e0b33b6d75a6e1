import { describe, expect, it } from '@jest/globals';
import { checkStep, nextSteps, type RecordedStep } from './legal-chain.js';

describe('the legal chain after a signal of a sexual offence by staff', () => {
  it('goes board → inspector → decision, then informs and files a report when there is a reasonable suspicion', () => {
    const recorded: RecordedStep[] = [];
    expect(nextSteps(recorded)).toEqual(['reported-to-board']);
    recorded.push({ step: 'reported-to-board' });
    expect(nextSteps(recorded)).toEqual(['inspector-consulted']);
    recorded.push({ step: 'inspector-consulted' });
    expect(nextSteps(recorded)).toEqual(['suspicion-decided']);
    recorded.push({ step: 'suspicion-decided', reasonableSuspicion: true });
    expect(nextSteps(recorded)).toEqual(['accused-and-parents-informed']);
    recorded.push({ step: 'accused-and-parents-informed' });
    expect(nextSteps(recorded)).toEqual(['police-report-filed']);
    recorded.push({ step: 'police-report-filed' });
    expect(nextSteps(recorded)).toEqual([]);
  });

  it('documents the decision instead when there is no reasonable suspicion', () => {
    const recorded: RecordedStep[] = [
      { step: 'reported-to-board' },
      { step: 'inspector-consulted' },
      { step: 'suspicion-decided', reasonableSuspicion: false },
    ];
    expect(nextSteps(recorded)).toEqual(['decision-documented']);
    expect(checkStep(recorded, 'police-report-filed', undefined)).toMatchObject({ code: 'OUT_OF_ORDER' });
    expect(nextSteps([...recorded, { step: 'decision-documented' }])).toEqual([]);
  });

  it('refuses a step before the one the law puts first, naming that one', () => {
    expect(checkStep([], 'inspector-consulted', undefined)).toMatchObject({
      code: 'OUT_OF_ORDER',
      message: 'Record reported-to-board first',
    });
    expect(checkStep([{ step: 'reported-to-board' }], 'police-report-filed', undefined)).toMatchObject({
      code: 'OUT_OF_ORDER',
      messageNl: 'Leg eerst inspector-consulted vast',
    });
  });

  it('records a step once, asks for the decision itself, and keeps the decision to its own step', () => {
    expect(checkStep([{ step: 'reported-to-board' }], 'reported-to-board', undefined)).toMatchObject({
      code: 'ALREADY_RECORDED',
    });
    const consulted: RecordedStep[] = [{ step: 'reported-to-board' }, { step: 'inspector-consulted' }];
    expect(checkStep(consulted, 'suspicion-decided', undefined)).toMatchObject({ code: 'DECISION_REQUIRED' });
    expect(checkStep(consulted, 'suspicion-decided', false)).toBeNull();
    expect(checkStep([], 'reported-to-board', true)).toMatchObject({ code: 'NOT_A_DECISION' });
  });
});
