import type {
  EvaluationReport,
  FindingKind,
  ReportFinding,
  ReportMessage,
  ReportMilestone,
  ReportRole,
  ReportTask,
} from '#lib/contracts';

/** What the report reads of a timeline entry. */
export interface ReportEntry {
  seq: number;
  type: string;
  occurredAt: string;
  actor: string;
  drill: boolean;
  data: Record<string, unknown>;
}

/**
 * The milestones the protocol names, each reached by the first of these tasks to be done (the crisis team is
 * convened at the leader's first acknowledgement). Template ids are those of `apps/activation/catalog/tasks`.
 */
export const MILESTONES: {
  key: ReportMilestone['key'];
  label: { nl: string; en: string };
  templates: string[];
  /** Releasing a message to this audience also reaches the milestone (the staff briefing informs staff). */
  messages?: string[];
}[] = [
  { key: 'team-convened', label: { nl: 'Crisisteam bijeen', en: 'Crisis team convened' }, templates: [] },
  {
    key: 'core-message-approved',
    label: { nl: 'Kernboodschap vastgesteld', en: 'Core message approved' },
    templates: ['common.core-message'],
    // Reached by the leader's approval of the core message (it is never released itself).
    messages: ['core'],
  },
  {
    key: 'family-contacted',
    label: { nl: 'Familie gesproken', en: 'Family contacted' },
    templates: ['death.call-family', 'accident.call-parents-of-injured', 'missing.call-parents'],
  },
  {
    key: 'staff-informed',
    label: { nl: 'Personeel geïnformeerd', en: 'Staff informed' },
    templates: ['common.inform-staff', 'threat.alert-staff', 'cyber.instruct-staff', 'trip.reach-staff-on-site'],
    messages: ['staff-briefing'],
  },
  {
    key: 'pupils-informed',
    label: { nl: 'Leerlingen geïnformeerd', en: 'Pupils informed' },
    templates: ['death.tell-classes', 'community.talk-in-class'],
    messages: ['teacher-talking-points'],
  },
  {
    key: 'parents-informed',
    label: { nl: 'Ouders geïnformeerd', en: 'Parents informed' },
    templates: [
      'death.letter-to-parents',
      'accident.inform-all-parents',
      'trip.inform-parents-of-group',
      'fire.inform-parents',
      'missing.inform-other-parents',
      'threat.message-to-parents',
      'cyber.inform-affected',
    ],
    messages: ['parent-letter'],
  },
  {
    key: 'board-informed',
    label: { nl: 'Bestuur geïnformeerd', en: 'Board informed' },
    templates: ['common.inform-board', 'sexual-misconduct.report-to-board'],
    messages: ['board-and-council'],
  },
];

const seconds = (from: string | null | undefined, to: string | null | undefined): number | null =>
  from && to ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) : null;

function median(values: number[]): number | null {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The evaluation report of one incident, computed from its timeline alone: plan against what happened per task,
 * the protocol's milestones with their times since the trigger, acknowledgement times per role, overdue tasks,
 * delivery figures and the written log. `now` is the moment the report is made (open tasks are late against it).
 */
export function evaluationReport(incidentId: string, entries: readonly ReportEntry[], now: Date): EvaluationReport {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  const activated = ordered.find((e) => e.type === 'crisis.incident.activated.v1');
  const triggeredAt = activated?.occurredAt ?? ordered[0]?.occurredAt ?? null;
  const ended = ordered.find(
    (e) => e.type === 'crisis.incident.closed.v1' || e.type === 'crisis.incident.cancelled.v1',
  );
  const tasks = new Map<string, ReportTask>();
  const reached = new Set<string>();
  const notified = new Set<string>();
  const figures = { pushSent: 0, pushFailed: 0, smsSent: 0, smsDelivered: 0, smsFailed: 0, smsNotSent: 0 };
  let escalations = 0;
  let handovers = 0;
  let logEntries = 0;
  let corrections = 0;
  let leaderAcknowledgedAt: string | null = null;
  let phase = 1;
  const findings: ReportFinding[] = [];
  const messages = new Map<string, ReportMessage>();
  let pressEntries = 0;
  const partyContacts: Record<string, number> = {};

  for (const e of ordered) {
    const d = e.data;
    const task = str(d.taskId) ? tasks.get(str(d.taskId)!) : undefined;
    switch (e.type) {
      case 'crisis.task.assigned.v1': {
        const id = str(d.taskId)!;
        if (!tasks.has(id)) {
          const title = d.title as { nl: string; en: string };
          tasks.set(id, {
            taskId: id,
            templateId: str(d.templateId) ?? '',
            role: str(d.role) ?? '',
            title,
            priority: (str(d.priority) ?? 'normal') as ReportTask['priority'],
            phase: typeof d.phase === 'number' ? d.phase : phase,
            assigneeId: str(d.assigneeId) ?? null,
            assignedAt: e.occurredAt,
            dueAt: str(d.dueAt) ?? e.occurredAt,
            acknowledgedAt: null,
            completedAt: null,
            dismissedAt: null,
            outcome: 'open',
            ackSeconds: null,
            lateSeconds: null,
            overdue: false,
            handovers: 0,
          });
        }
        break;
      }
      case 'crisis.task.reassigned.v1':
        if (task) {
          task.assigneeId = str(d.toAssigneeId) ?? task.assigneeId;
          task.handovers += 1;
          if (d.reason === 'unacknowledged') {
            handovers += 1;
          }
        }
        break;
      case 'crisis.task.acknowledged.v1':
        if (task && !task.acknowledgedAt) {
          task.acknowledgedAt = e.occurredAt;
          task.ackSeconds = seconds(task.assignedAt, e.occurredAt);
        }
        if (d.role === 'leader' && !leaderAcknowledgedAt) {
          leaderAcknowledgedAt = e.occurredAt;
        }
        break;
      case 'crisis.task.completed.v1':
        if (task) {
          task.completedAt = e.occurredAt;
          task.outcome = 'done';
        }
        break;
      case 'crisis.task.dismissed.v1':
        if (task) {
          task.dismissedAt = e.occurredAt;
          task.outcome = 'not-applicable';
        }
        break;
      case 'crisis.task.overdue.v1':
        if (task) {
          task.overdue = true;
        }
        break;
      case 'crisis.incident.phase-changed.v1':
        phase = typeof d.phase === 'number' ? d.phase : phase;
        break;
      case 'crisis.notification.sent.v1':
      case 'crisis.notification.delivered.v1':
      case 'crisis.notification.acknowledged.v1': {
        const person = str(d.personId);
        if (person) {
          notified.add(person);
          if (d.provider !== 'local-outbox') {
            reached.add(person);
          }
        }
        if (e.type === 'crisis.notification.sent.v1') {
          if (d.channel === 'push') {
            figures.pushSent += 1;
          } else if (d.provider === 'local-outbox') {
            figures.smsNotSent += 1;
          } else {
            figures.smsSent += 1;
          }
        } else if (e.type === 'crisis.notification.delivered.v1' && d.channel === 'sms') {
          figures.smsDelivered += 1;
        }
        break;
      }
      case 'crisis.notification.failed.v1':
        if (str(d.personId)) {
          notified.add(str(d.personId)!);
        }
        if (d.channel === 'push') {
          figures.pushFailed += 1;
        } else {
          figures.smsFailed += 1;
        }
        break;
      case 'crisis.notification.escalated.v1':
        escalations += 1;
        break;
      case 'evaluation.finding':
        findings.push({
          seq: e.seq,
          kind: (str(d.kind) ?? 'improve') as FindingKind,
          text: str(d.text) ?? '',
          authorId: e.actor,
          at: e.occurredAt,
          proposesPlanChange: d.kind === 'plan-change' && typeof d.proposedPlan === 'object',
          appliedVersion: null,
        });
        break;
      case 'evaluation.finding-applied': {
        const target = findings.find((f) => f.seq === d.findingSeq);
        if (target && typeof d.planVersion === 'number') {
          target.appliedVersion = d.planVersion;
        }
        break;
      }
      case 'crisis.message.drafted.v1': {
        const id = str(d.messageId)!;
        const message = messages.get(id);
        if (message) {
          message.versions = Math.max(message.versions, typeof d.version === 'number' ? d.version : 0);
        } else {
          messages.set(id, {
            messageId: id,
            audience: str(d.audience) ?? '',
            versions: typeof d.version === 'number' ? d.version : 1,
            firstDraftAt: e.occurredAt,
            approvedAt: null,
            approvedBy: null,
            approvedVersion: null,
            familyApprovedAt: null,
            releasedAt: null,
            releasedVia: null,
            channel: null,
            recipients: null,
            afterSeconds: null,
          });
        }
        break;
      }
      case 'crisis.message.approved.v1': {
        const message = messages.get(str(d.messageId) ?? '');
        if (message) {
          message.approvedAt = e.occurredAt;
          message.approvedBy = e.actor;
          message.approvedVersion = typeof d.version === 'number' ? d.version : null;
        }
        break;
      }
      case 'crisis.message.family-approved.v1': {
        const message = messages.get(str(d.messageId) ?? '');
        if (message) {
          message.familyApprovedAt = e.occurredAt;
        }
        break;
      }
      case 'crisis.message.released.v1': {
        const message = messages.get(str(d.messageId) ?? '');
        if (message) {
          message.releasedAt = str(d.sentAt) ?? e.occurredAt;
          message.releasedVia = str(d.via) ?? null;
          message.channel = str(d.channel) ?? (d.via === 'app' ? 'app' : null);
          message.recipients = Array.isArray(d.recipientIds) ? d.recipientIds.length : null;
        }
        break;
      }
      case 'crisis.press.entry-logged.v1':
        pressEntries += 1;
        break;
      case 'crisis.party.contacted.v1': {
        const party = str(d.party) ?? 'other';
        partyContacts[party] = (partyContacts[party] ?? 0) + 1;
        break;
      }
      case 'log.entry':
        logEntries += 1;
        if (typeof d.corrects === 'number') {
          corrections += 1;
        }
        break;
      default:
        break;
    }
  }

  const end = ended?.occurredAt ?? now.toISOString();
  for (const task of tasks.values()) {
    const finishedAt = task.completedAt ?? task.dismissedAt;
    task.lateSeconds = task.outcome === 'not-applicable' ? null : seconds(task.dueAt, finishedAt ?? end);
    if (task.lateSeconds !== null && task.lateSeconds > 0) {
      task.overdue = true;
    }
  }
  const taskList = [...tasks.values()];

  const messageList = [...messages.values()];
  for (const message of messageList) {
    message.afterSeconds = seconds(triggeredAt, message.audience === 'core' ? message.approvedAt : message.releasedAt);
  }
  const milestones: ReportMilestone[] = MILESTONES.map((m) => {
    const candidates = [
      ...taskList.filter((t) => m.templates.includes(t.templateId) && t.completedAt).map((t) => t.completedAt!),
      ...messageList
        .filter((msg) => m.messages?.includes(msg.audience) && msg.releasedAt)
        .map((msg) => msg.releasedAt!),
      ...(m.key === 'core-message-approved'
        ? messageList.filter((msg) => msg.audience === 'core' && msg.approvedAt).map((msg) => msg.approvedAt!)
        : []),
    ];
    const at = m.key === 'team-convened' ? leaderAcknowledgedAt : (candidates.sort()[0] ?? null);
    const planned =
      m.templates.length === 0 ||
      taskList.some((t) => m.templates.includes(t.templateId)) ||
      messageList.some((msg) => m.messages?.includes(msg.audience));
    return { key: m.key, label: m.label, inPlan: planned, at, afterSeconds: seconds(triggeredAt, at) };
  });

  const roles: ReportRole[] = [...new Set(taskList.map((t) => t.role))].sort().map((role) => {
    const own = taskList.filter((t) => t.role === role);
    const acks = own.map((t) => t.ackSeconds).filter((s): s is number => s !== null);
    return {
      role,
      tasks: own.length,
      acknowledged: acks.length,
      done: own.filter((t) => t.outcome === 'done').length,
      medianAckSeconds: median(acks),
      slowestAckSeconds: acks.length > 0 ? Math.max(...acks) : null,
      handovers: own.reduce((sum, t) => sum + t.handovers, 0),
    };
  });

  return {
    incidentId,
    drill: activated?.drill ?? ordered[0]?.drill ?? false,
    calamityType: str(activated?.data.calamityType) ?? null,
    triggeredAt,
    endedAt: ended?.occurredAt ?? null,
    endedAs: ended ? (ended.type === 'crisis.incident.cancelled.v1' ? 'cancelled' : 'closed') : null,
    generatedAt: now.toISOString(),
    milestones,
    tasks: taskList,
    roles,
    overdue: taskList.filter((t) => t.overdue).map((t) => t.taskId),
    deliveries: {
      people: notified.size,
      reached: reached.size,
      unreachable: [...notified].filter((p) => !reached.has(p)).length,
      ...figures,
      escalations,
      handovers,
    },
    log: { entries: logEntries, corrections },
    findings,
    communication: { messages: messageList, pressEntries, partyContacts },
  };
}
