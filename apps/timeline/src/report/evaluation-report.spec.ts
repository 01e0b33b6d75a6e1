import { describe, expect, it } from '@jest/globals';
import { evaluationReport, type ReportEntry } from './evaluation-report.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const LEADER = '00000000-0000-4000-8000-00000000000a';
const FAMILY = '00000000-0000-4000-8000-00000000000b';
const DEPUTY = '00000000-0000-4000-8000-00000000000c';
const STAFF = '00000000-0000-4000-8000-00000000000d';

/** One incident's timeline, minute by minute: a fixed story with a fixed clock. */
function story(): ReportEntry[] {
  let seq = 0;
  const e = (minute: number, type: string, data: Record<string, unknown>, actor = 'system'): ReportEntry => ({
    seq: ++seq,
    type,
    occurredAt: at(minute),
    actor,
    drill: false,
    data,
  });
  const assigned = (
    minute: number,
    taskId: string,
    templateId: string,
    role: string,
    assigneeId: string,
    dueMin: number,
  ) =>
    e(minute, 'crisis.task.assigned.v1', {
      taskId,
      templateId,
      role,
      assigneeId,
      title: { nl: templateId, en: templateId },
      dueAt: at(dueMin),
      phase: 1,
      priority: 'critical',
      ackRequired: true,
    });
  return [
    e(0, 'crisis.incident.activated.v1', { calamityType: 'death-of-pupil', summary: '…', status: 'active' }),
    assigned(0, 't-convene', 'common.convene-team', 'leader', LEADER, 15),
    assigned(0, 't-family', 'death.call-family', 'family-liaison', FAMILY, 60),
    assigned(0, 't-staff', 'common.inform-staff', 'leader', LEADER, 120),
    assigned(0, 't-board', 'common.inform-board', 'board-liaison', STAFF, 60),
    e(0, 'crisis.notification.sent.v1', { personId: LEADER, channel: 'push', taskId: 't-convene' }),
    e(0, 'crisis.notification.failed.v1', { personId: FAMILY, channel: 'push', taskId: 't-family' }),
    e(0, 'crisis.notification.sent.v1', { personId: FAMILY, channel: 'sms', provider: 'twilio', taskId: 't-family' }),
    e(1, 'crisis.notification.delivered.v1', { personId: FAMILY, channel: 'sms', taskId: 't-family' }),
    e(0, 'crisis.notification.failed.v1', { personId: STAFF, channel: 'push', taskId: 't-board' }),
    e(0, 'crisis.notification.failed.v1', { personId: STAFF, channel: 'sms', taskId: 't-board' }),
    e(2, 'crisis.task.acknowledged.v1', { taskId: 't-convene', role: 'leader', assigneeId: LEADER }, LEADER),
    e(3, 'crisis.notification.escalated.v1', { taskId: 't-family', personId: FAMILY }),
    e(6, 'crisis.task.reassigned.v1', { taskId: 't-family', toAssigneeId: DEPUTY, reason: 'unacknowledged' }),
    e(8, 'crisis.task.acknowledged.v1', { taskId: 't-family', role: 'family-liaison', assigneeId: DEPUTY }, DEPUTY),
    e(10, 'crisis.task.completed.v1', { taskId: 't-convene', role: 'leader', assigneeId: LEADER }, LEADER),
    e(12, 'crisis.incident.phase-changed.v1', {
      phase: 2,
      status: 'active',
      previousPhase: 1,
      previousStatus: 'active',
    }),
    e(14, 'log.entry', { text: 'Familie gebeld', category: 'contact' }, DEPUTY),
    e(15, 'log.entry', { text: 'Familie gebeld om 08:40', category: 'contact', corrects: 18 }, DEPUTY),
    e(75, 'crisis.task.completed.v1', { taskId: 't-family', role: 'family-liaison', assigneeId: DEPUTY }, DEPUTY),
    e(90, 'crisis.task.overdue.v1', { taskId: 't-board', role: 'board-liaison' }),
    e(100, 'crisis.task.acknowledged.v1', { taskId: 't-staff', role: 'leader', assigneeId: LEADER }, LEADER),
    e(110, 'crisis.task.completed.v1', { taskId: 't-staff', role: 'leader', assigneeId: LEADER }, LEADER),
    e(170, 'evaluation.finding', { kind: 'went-well', text: 'Snel bijeen' }, LEADER),
    e(171, 'evaluation.finding', { kind: 'plan-change', text: 'Extra BHV', proposedPlan: { roles: [] } }, LEADER),
    e(172, 'evaluation.finding-applied', { findingSeq: 25, planVersion: 4 }, LEADER),
    // Communication, appended after the story so the seq numbers above stay as they are.
    e(120, 'crisis.message.drafted.v1', { messageId: 'm-core', audience: 'core', version: 1, text: '…' }, STAFF),
    e(121, 'crisis.message.approved.v1', { messageId: 'm-core', audience: 'core', version: 1, text: '…' }, LEADER),
    e(122, 'crisis.message.drafted.v1', { messageId: 'm-staff', audience: 'staff-briefing', version: 1 }, STAFF),
    e(123, 'crisis.message.approved.v1', { messageId: 'm-staff', audience: 'staff-briefing', version: 1 }, LEADER),
    e(124, 'crisis.message.released.v1', {
      messageId: 'm-staff',
      via: 'app',
      sentAt: at(124),
      recipientIds: [FAMILY, DEPUTY, STAFF],
    }),
    e(125, 'crisis.message.drafted.v1', { messageId: 'm-letter', audience: 'parent-letter', version: 1 }, STAFF),
    e(126, 'crisis.message.drafted.v1', { messageId: 'm-letter', audience: 'parent-letter', version: 2 }, STAFF),
    e(127, 'crisis.message.approved.v1', { messageId: 'm-letter', version: 2, awaitingFamily: true }, LEADER),
    e(130, 'crisis.message.family-approved.v1', { messageId: 'm-letter', version: 2 }, FAMILY),
    e(131, 'crisis.message.released.v1', {
      messageId: 'm-letter',
      via: 'export',
      channel: 'parent-portal',
      sentAt: at(129),
      recipientIds: [],
    }),
    e(132, 'crisis.press.entry-logged.v1', { entryId: 'p-1', subject: 'Omroep', text: '?' }, LEADER),
    e(133, 'crisis.party.contacted.v1', { contactId: 'c-1', party: 'police-school-contact', note: 'ok' }, FAMILY),
    e(134, 'crisis.party.contacted.v1', { contactId: 'c-2', party: 'police-school-contact', note: 'ok' }, FAMILY),
  ];
}

describe('evaluation report', () => {
  const report = evaluationReport('incident-1', story(), new Date(at(180)));

  it('dates the protocol’s milestones from the trigger: convened at the leader’s acknowledgement', () => {
    const byKey = Object.fromEntries(report.milestones.map((m) => [m.key, m]));
    expect(byKey['team-convened']).toMatchObject({ at: at(2), afterSeconds: 120, inPlan: true });
    expect(byKey['family-contacted']).toMatchObject({ at: at(75), afterSeconds: 75 * 60 });
    expect(byKey['staff-informed']).toMatchObject({ at: at(110), afterSeconds: 110 * 60 });
    expect(byKey['board-informed']).toMatchObject({ at: null, afterSeconds: null, inPlan: true });
    expect(byKey['pupils-informed']).toMatchObject({ at: null, inPlan: false });
  });

  it('tells what was said, to whom, when, and who approved it; releases reach the milestones', () => {
    expect(report.communication.messages).toEqual([
      expect.objectContaining({
        audience: 'core',
        versions: 1,
        approvedAt: at(121),
        approvedBy: LEADER,
        afterSeconds: 121 * 60,
      }),
      expect.objectContaining({ audience: 'staff-briefing', releasedAt: at(124), channel: 'app', recipients: 3 }),
      expect.objectContaining({
        audience: 'parent-letter',
        versions: 2,
        approvedVersion: 2,
        familyApprovedAt: at(130),
        releasedAt: at(129),
        releasedVia: 'export',
        channel: 'parent-portal',
        afterSeconds: 129 * 60,
      }),
    ]);
    expect(report.communication.pressEntries).toBe(1);
    expect(report.communication.partyContacts).toEqual({ 'police-school-contact': 2 });
    const byKey = Object.fromEntries(report.milestones.map((m) => [m.key, m]));
    expect(byKey['core-message-approved']).toMatchObject({ at: at(121), inPlan: true });
    // The task was done earlier than the briefing went out: the milestone keeps the first.
    expect(byKey['staff-informed']).toMatchObject({ at: at(110) });
    expect(byKey['parents-informed']).toMatchObject({ at: at(129), inPlan: true });
  });

  it('sets each task’s plan against what happened: acknowledgement time, lateness, hand-overs', () => {
    const task = (id: string) => report.tasks.find((t) => t.taskId === id)!;
    expect(task('t-convene')).toMatchObject({ ackSeconds: 120, lateSeconds: -5 * 60, outcome: 'done', overdue: false });
    expect(task('t-family')).toMatchObject({
      assigneeId: DEPUTY,
      ackSeconds: 8 * 60,
      lateSeconds: 15 * 60,
      overdue: true,
      handovers: 1,
    });
    // Still open at the moment of the report: late against now.
    expect(task('t-board')).toMatchObject({ outcome: 'open', lateSeconds: 120 * 60, overdue: true });
    expect(report.overdue.sort()).toEqual(['t-board', 't-family']);
  });

  it('gives acknowledgement times per role', () => {
    expect(report.roles.find((r) => r.role === 'leader')).toMatchObject({
      tasks: 2,
      acknowledged: 2,
      done: 2,
      medianAckSeconds: (120 + 100 * 60) / 2,
      slowestAckSeconds: 100 * 60,
    });
    expect(report.roles.find((r) => r.role === 'board-liaison')).toMatchObject({
      acknowledged: 0,
      medianAckSeconds: null,
    });
  });

  it('counts who was reached and who no channel reached, and the hand-overs', () => {
    expect(report.deliveries).toMatchObject({
      people: 3,
      reached: 2,
      unreachable: 1,
      pushSent: 1,
      pushFailed: 2,
      smsSent: 1,
      smsDelivered: 1,
      smsFailed: 1,
      escalations: 1,
      handovers: 1,
    });
    expect(report.log).toEqual({ entries: 2, corrections: 1 });
    expect([report.calamityType, report.drill, report.triggeredAt, report.endedAt]).toEqual([
      'death-of-pupil',
      false,
      at(0),
      null,
    ]);
  });

  it('lists the team’s findings, with the plan version a proposed change became', () => {
    expect(report.findings.map((f) => [f.seq, f.kind, f.proposesPlanChange, f.appliedVersion])).toEqual([
      [24, 'went-well', false, null],
      [25, 'plan-change', true, 4],
    ]);
  });

  it('does not count an SMS kept in the local outbox as reaching anyone', () => {
    const entries: ReportEntry[] = [
      { seq: 1, type: 'crisis.incident.activated.v1', occurredAt: at(0), actor: 'system', drill: true, data: {} },
      {
        seq: 2,
        type: 'crisis.notification.sent.v1',
        occurredAt: at(0),
        actor: 'system',
        drill: true,
        data: { personId: STAFF, channel: 'sms', provider: 'local-outbox' },
      },
    ];
    const drill = evaluationReport('incident-2', entries, new Date(at(5)));
    expect(drill.drill).toBe(true);
    expect(drill.deliveries).toMatchObject({ people: 1, reached: 0, unreachable: 1, smsNotSent: 1, smsSent: 0 });
  });
});
