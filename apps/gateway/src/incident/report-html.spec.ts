import { describe, expect, it } from '@jest/globals';
import type { EvaluationReport, IncidentView } from '#lib/contracts';
import { duration, local, reportHtml } from './report-html.js';

const report: EvaluationReport = {
  incidentId: 'i-1',
  drill: true,
  calamityType: 'fire-explosion-evacuation',
  triggeredAt: '2026-01-15T08:00:00.000Z',
  endedAt: null,
  endedAs: null,
  generatedAt: '2026-07-01T10:00:00.000Z',
  milestones: [
    {
      key: 'team-convened',
      label: { nl: 'Crisisteam bijeen', en: 'Crisis team convened' },
      inPlan: true,
      at: '2026-01-15T08:02:00.000Z',
      afterSeconds: 120,
    },
    {
      key: 'family-contacted',
      label: { nl: 'Familie gesproken', en: 'Family contacted' },
      inPlan: false,
      at: null,
      afterSeconds: null,
    },
  ],
  tasks: [
    {
      taskId: 't-1',
      templateId: 'fire.alarm-and-evacuate',
      role: 'bhv',
      title: { nl: 'Alarm <en> ontruim', en: 'Alarm & evacuate' },
      priority: 'critical',
      phase: 1,
      assigneeId: null,
      assignedAt: '2026-01-15T08:00:00.000Z',
      dueAt: '2026-01-15T08:10:00.000Z',
      acknowledgedAt: '2026-01-15T08:01:00.000Z',
      completedAt: '2026-01-15T08:25:00.000Z',
      dismissedAt: null,
      outcome: 'done',
      ackSeconds: 60,
      lateSeconds: 900,
      overdue: true,
      handovers: 0,
    },
  ],
  roles: [],
  overdue: ['t-1'],
  deliveries: {
    people: 2,
    reached: 1,
    unreachable: 1,
    pushSent: 1,
    pushFailed: 1,
    smsSent: 0,
    smsDelivered: 0,
    smsFailed: 0,
    smsNotSent: 1,
    escalations: 1,
    handovers: 0,
  },
  log: { entries: 3, corrections: 1 },
  communication: {
    messages: [
      {
        messageId: 'm-1',
        audience: 'parent-letter',
        versions: 2,
        firstDraftAt: '2026-01-15T08:10:00.000Z',
        approvedAt: '2026-01-15T08:30:00.000Z',
        approvedBy: 'p-1',
        approvedVersion: 2,
        familyApprovedAt: '2026-01-15T08:40:00.000Z',
        releasedAt: '2026-01-15T08:45:00.000Z',
        releasedVia: 'export',
        channel: 'parent-portal',
        recipients: 0,
        afterSeconds: 2700,
      },
    ],
    pressEntries: 2,
    partyContacts: { 'police-school-contact': 1 },
  },
  findings: [
    {
      seq: 40,
      kind: 'improve',
      text: 'De BHV-lijst was <verouderd>',
      authorId: 'p-1',
      at: '2026-01-20T09:00:00.000Z',
      proposesPlanChange: false,
      appliedVersion: null,
    },
  ],
};
const incident = {
  calamityType: 'fire-explosion-evacuation',
  summary: 'Rook <script>alert(1)</script>',
} as IncidentView;

describe('printable evaluation report', () => {
  const html = reportHtml(report, incident, 'De Regenboog');

  it('shows times as the school reads them (Europe/Amsterdam, winter and summer time)', () => {
    expect(local('2026-01-15T08:02:00.000Z')).toContain('09:02');
    expect(local('2026-07-01T10:00:00.000Z')).toContain('12:00');
    expect(html).toContain('09:02');
  });

  it('escapes everything people typed, and marks a drill so it is never taken for a real incident', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('Rook &lt;script&gt;');
    expect(html).toContain('Alarm &lt;en&gt; ontruim');
    expect(html).toContain('De BHV-lijst was &lt;verouderd&gt;');
    expect(html).toContain('OEFENING');
  });

  it('lists each message with its approval, the family’s agreement and its release', () => {
    expect(html).toContain('Brief aan ouders / Letter to parents');
    expect(html).toContain('09:30 (v2)');
    expect(html).toContain('parent-portal');
    expect(html).toContain('2 persvragen');
  });

  it('writes durations people read at a glance, late ones marked', () => {
    expect(duration(120)).toBe('2 min');
    expect(duration(75)).toBe('1 min 15 s');
    expect(duration(7260)).toBe('2 u 1 min');
    expect(duration(-300)).toBe('−5 min');
    expect(html).toContain('<span class="late">+15 min</span>');
    expect(html).toContain('niet in dit protocol');
  });
});
