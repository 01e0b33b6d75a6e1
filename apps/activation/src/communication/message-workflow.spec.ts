import { describe, expect, it } from '@jest/globals';
import type { MessageAction } from '#lib/contracts';
import { blockers, decide, type WorkflowContext, type WorkflowMessage } from './message-workflow.js';

const message = (overrides: Partial<WorkflowMessage> = {}): WorkflowMessage => ({
  audience: 'parent-letter',
  state: 'draft',
  version: 2,
  releaseKind: 'export',
  familyApprovalRequired: true,
  familyApprovedVersion: null,
  unfilled: [],
  includesPhoto: false,
  includesAddress: false,
  ...overrides,
});

const context = (roles: string[], overrides: Partial<WorkflowContext> = {}): WorkflowContext => ({
  actorRoles: new Set(roles),
  rules: { checklist: [], clearanceRequired: false, guidance: [] },
  clearanceRecorded: false,
  photoConsent: null,
  addressConsent: null,
  ...overrides,
});

const leader = context(['leader']);
const writer = context(['communication']);

function next(action: MessageAction, m: WorkflowMessage, c: WorkflowContext, input = {}): string {
  const d = decide(action, m, c, input);
  return 'next' in d ? d.next : `${d.refusal.statusCode} ${d.refusal.code}`;
}

describe('the approval workflow', () => {
  it('runs draft → in_review → awaiting_family → approved → released for a letter the family must agree to', () => {
    expect(next('submit', message(), writer)).toBe('in_review');
    expect(next('approve', message({ state: 'in_review' }), leader)).toBe('awaiting_family');
    expect(next('family-approve', message({ state: 'awaiting_family' }), context(['family-liaison']))).toBe('approved');
    expect(
      next('release', message({ state: 'approved', familyApprovedVersion: 2 }), writer, { channel: 'parent-portal' }),
    ).toBe('released');
  });

  it('family approval required blocks release, with the reason, also when it was given to an older version', () => {
    expect(next('release', message({ state: 'awaiting_family' }), leader, { channel: 'email' })).toBe(
      '409 FAMILY_APPROVAL_REQUIRED',
    );
    expect(
      next('release', message({ state: 'approved', familyApprovedVersion: 1 }), leader, { channel: 'email' }),
    ).toBe('409 FAMILY_APPROVAL_REQUIRED');
    const refusal = decide('release', message({ state: 'awaiting_family' }), leader, { channel: 'email' });
    expect('refusal' in refusal && refusal.refusal.messageNl).toBe(
      'De familie heeft nog niet ingestemd met deze versie: hij kan niet worden vrijgegeven',
    );
  });

  it('approves straight to approved when the family agreed to this version first, or is not needed', () => {
    expect(next('approve', message({ familyApprovedVersion: 2 }), leader)).toBe('approved');
    expect(next('approve', message({ familyApprovalRequired: false }), leader)).toBe('approved');
  });

  it('only the leader approves and sends back; only the writers submit; the liaison records the family', () => {
    expect(next('approve', message({ state: 'in_review' }), writer)).toBe('403 FORBIDDEN');
    expect(next('return', message({ state: 'in_review' }), writer, { reason: 'x' })).toBe('403 FORBIDDEN');
    expect(next('submit', message(), context(['care-coordinator']))).toBe('403 FORBIDDEN');
    expect(next('family-approve', message(), writer)).toBe('403 FORBIDDEN');
    expect(next('release', message({ state: 'approved', familyApprovedVersion: 2 }), context(['logkeeper']))).toBe(
      '403 FORBIDDEN',
    );
  });

  it('the spokesperson may release the press statement, not the parent letter', () => {
    const spokesperson = context(['spokesperson']);
    expect(
      next(
        'release',
        message({ audience: 'press-statement', state: 'approved', familyApprovedVersion: 2 }),
        spokesperson,
        {
          channel: 'press',
        },
      ),
    ).toBe('released');
    expect(
      next('release', message({ state: 'approved', familyApprovedVersion: 2 }), spokesperson, { channel: 'email' }),
    ).toBe('403 FORBIDDEN');
  });

  it('refuses what the state does not allow', () => {
    expect(next('submit', message({ state: 'approved' }), writer)).toBe('409 INVALID_STATE');
    expect(next('release', message({ familyApprovalRequired: false }), leader, { channel: 'email' })).toBe(
      '409 NOT_APPROVED',
    );
    expect(
      next('release', message({ state: 'released', familyApprovedVersion: 2 }), leader, { channel: 'email' }),
    ).toBe('409 ALREADY_RELEASED');
    expect(next('release', message({ audience: 'core', releaseKind: 'none', state: 'approved' }), leader)).toBe(
      '409 NOT_RELEASABLE',
    );
    expect(next('family-approve', message({ familyApprovalRequired: false }), leader)).toBe(
      '409 FAMILY_APPROVAL_NOT_NEEDED',
    );
    expect(next('family-approve', message({ familyApprovedVersion: 2 }), leader)).toBe('409 ALREADY_RECORDED');
  });

  it('a message the school sends itself needs the channel it went out through', () => {
    const d = decide('release', message({ state: 'approved', familyApprovedVersion: 2 }), leader);
    expect('refusal' in d && d.refusal).toMatchObject({ statusCode: 400, field: 'channel' });
  });

  it('a version with open places can be neither submitted nor approved', () => {
    expect(next('submit', message({ unfilled: ['when'] }), writer)).toBe('409 UNFILLED_PLACES');
    expect(next('approve', message({ unfilled: ['when'] }), leader)).toBe('409 UNFILLED_PLACES');
  });

  it('after a suicide the leader confirms every check before approving', () => {
    const rules = {
      checklist: [
        { id: 'no-method', text: { nl: 'a', en: 'a' } },
        { id: 'no-speculation', text: { nl: 'b', en: 'b' } },
      ],
      clearanceRequired: false,
      guidance: [],
    };
    const c = context(['leader'], { rules });
    const refusal = decide('approve', message(), c, { checklist: ['no-method'] });
    expect('refusal' in refusal && refusal.refusal).toMatchObject({
      statusCode: 400,
      code: 'CHECKLIST_INCOMPLETE',
      field: 'checklist',
    });
    expect(next('approve', message(), c, { checklist: ['no-speculation', 'no-method'] })).toBe('awaiting_family');
  });

  it('after a threat nothing is approved before police and board agreed what may be said', () => {
    const rules = { checklist: [], clearanceRequired: true, guidance: [] };
    expect(next('approve', message(), context(['leader'], { rules }))).toBe('409 CLEARANCE_MISSING');
    expect(next('approve', message(), context(['leader'], { rules, clearanceRecorded: true }))).toBe('awaiting_family');
  });

  it('a photo or an address needs the family’s recorded consent', () => {
    expect(next('approve', message({ includesPhoto: true }), leader)).toBe('409 PHOTO_CONSENT_MISSING');
    expect(next('approve', message({ includesAddress: true }), context(['leader'], { addressConsent: false }))).toBe(
      '409 ADDRESS_CONSENT_MISSING',
    );
    expect(next('approve', message({ includesPhoto: true }), context(['leader'], { photoConsent: true }))).toBe(
      'awaiting_family',
    );
  });

  it('sending back needs a reason', () => {
    expect(next('return', message({ state: 'in_review' }), leader)).toBe('400 VALIDATION_FAILED');
    expect(next('return', message({ state: 'in_review' }), leader, { reason: 'Naam nog niet vrijgegeven' })).toBe(
      'draft',
    );
  });

  it('tells the screen what stands in the way', () => {
    const { actorRoles: _roles, ...rest } = leader;
    expect(blockers(message({ unfilled: ['who'] }), rest).map((b) => b.code)).toEqual([
      'UNFILLED_PLACES',
      'FAMILY_APPROVAL_REQUIRED',
    ]);
    expect(blockers(message({ state: 'released', familyApprovedVersion: 2 }), rest)).toEqual([]);
  });
});
