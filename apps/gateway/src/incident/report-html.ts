import type { EvaluationReport, IncidentView } from '#lib/contracts';
import { CRISIS_ROLES } from '#lib/demo';

export const esc = (value: string | number | null | undefined): string =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const AMSTERDAM = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** A UTC instant as people in the school read it: Europe/Amsterdam. */
export const local = (iso: string | null): string => (iso ? AMSTERDAM.format(new Date(iso)) : '—');

/** 75 → "1 min 15 s", 7260 → "2 u 1 min"; negative (early) with a minus sign. */
export function duration(seconds: number | null): string {
  if (seconds === null) {
    return '—';
  }
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts = h > 0 ? [`${h} u`, `${m} min`] : m > 0 ? [`${m} min`, ...(rest ? [`${rest} s`] : [])] : [`${rest} s`];
  return sign + parts.join(' ');
}

const roleName = (role: string) => {
  const known = CRISIS_ROLES.find((r) => r.id === role);
  return known ? `${esc(known.nl)} <small>${esc(known.en)}</small>` : esc(role);
};

const AUDIENCE_LABELS: Record<string, string> = {
  core: 'Kernboodschap / Core message',
  'staff-briefing': 'Briefing personeel / Staff briefing',
  'teacher-talking-points': 'Gesprekspunten klas / Talking points',
  'parent-letter': 'Brief aan ouders / Letter to parents',
  'press-statement': 'Persverklaring / Press statement',
  'board-and-council': 'Bestuur en MR / Board and council',
};

const FINDING_LABELS: Record<EvaluationReport['findings'][number]['kind'], string> = {
  'went-well': 'Ging goed <small>Went well</small>',
  improve: 'Kan beter <small>To improve</small>',
  'plan-change': 'Planwijziging <small>Plan change</small>',
};

/**
 * The evaluation report as a printable page (A4, no scripts), Dutch first with English beside it, times in
 * Europe/Amsterdam. For management and the crisis team; it may hold names of tasks, never of pupils (the
 * summary is shown as the reporter typed it).
 */
export function reportHtml(report: EvaluationReport, incident: IncidentView, schoolName: string): string {
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('');
  const d = report.deliveries;
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evaluatie ${esc(schoolName)} — ${esc(local(report.triggeredAt))}</title>
<style>
 body{font:14px/1.45 system-ui,sans-serif;color:#111;margin:2rem;max-width:60rem}
 h1{font-size:1.5rem;margin:0 0 .25rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #999}
 small{color:#444} table{border-collapse:collapse;width:100%} td,th{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
 th{background:#eee} .late{color:#8a0000;font-weight:600} .drill{background:#ffe08a;border:2px solid #8a6d00;padding:.5rem;font-weight:700}
 @page{size:A4;margin:15mm} @media print{body{margin:0}}
</style></head><body>
${report.drill ? '<p class="drill">OEFENING — geen echt incident <small>DRILL — not a real incident</small></p>' : ''}
<h1>Evaluatie crisisinzet <small>Evaluation report</small></h1>
<p>${esc(schoolName)} · ${esc(incident.calamityType)} · gestart <small>triggered</small> ${esc(local(report.triggeredAt))}
 · ${report.endedAt ? `${report.endedAs === 'cancelled' ? 'ingetrokken <small>cancelled</small>' : 'afgesloten <small>closed</small>'} ${esc(local(report.endedAt))}` : 'loopt nog <small>ongoing</small>'}</p>
<p>${esc(incident.summary)}</p>
<h2>Mijlpalen <small>Milestones</small></h2>
<table><tr><th>Mijlpaal <small>Milestone</small></th><th>Tijdstip <small>At</small></th><th>Na de melding <small>After the trigger</small></th></tr>
${rows(
  report.milestones.map((m) => [
    `${esc(m.label.nl)} <small>${esc(m.label.en)}</small>`,
    m.inPlan ? esc(local(m.at)) : 'niet in dit protocol <small>not in this protocol</small>',
    m.at ? esc(duration(m.afterSeconds)) : m.inPlan ? '<span class="late">nog niet <small>not yet</small></span>' : '',
  ]),
)}</table>
<h2>Rollen <small>Roles</small></h2>
<table><tr><th>Rol <small>Role</small></th><th>Taken <small>Tasks</small></th><th>Opgepakt <small>Acknowledged</small></th><th>Klaar <small>Done</small></th><th>Mediaan tot oppakken <small>Median to acknowledge</small></th><th>Langzaamst <small>Slowest</small></th><th>Overgedragen <small>Handed over</small></th></tr>
${rows(
  report.roles.map((r) => [
    roleName(r.role),
    String(r.tasks),
    String(r.acknowledged),
    String(r.done),
    esc(duration(r.medianAckSeconds)),
    esc(duration(r.slowestAckSeconds)),
    String(r.handovers),
  ]),
)}</table>
<h2>Taken: plan en uitvoering <small>Tasks: plan against what happened</small></h2>
<table><tr><th>Taak <small>Task</small></th><th>Rol <small>Role</small></th><th>Deadline <small>Due</small></th><th>Opgepakt <small>Acknowledged</small></th><th>Klaar <small>Done</small></th><th>Verschil <small>Lag</small></th></tr>
${rows(
  report.tasks.map((t) => [
    `${esc(t.title.nl)}<br><small>${esc(t.title.en)}</small>`,
    roleName(t.role),
    esc(local(t.dueAt)),
    esc(local(t.acknowledgedAt)),
    t.outcome === 'not-applicable' ? 'n.v.t. <small>n/a</small>' : esc(local(t.completedAt)),
    t.lateSeconds === null
      ? ''
      : `<span class="${t.lateSeconds > 0 ? 'late' : ''}">${t.lateSeconds > 0 ? '+' : ''}${esc(duration(t.lateSeconds))}</span>`,
  ]),
)}</table>
<h2>Bereik <small>Reach</small></h2>
<table>${rows([
    ['Personen benaderd <small>People notified</small>', String(d.people)],
    ['Bereikt <small>Reached</small>', String(d.reached)],
    [
      'Niet bereikt <small>Not reached</small>',
      `<span class="${d.unreachable > 0 ? 'late' : ''}">${d.unreachable}</span>`,
    ],
    ['Push verstuurd / mislukt <small>Push sent / failed</small>', `${d.pushSent} / ${d.pushFailed}`],
    [
      'Sms verstuurd / afgeleverd / mislukt <small>SMS sent / delivered / failed</small>',
      `${d.smsSent} / ${d.smsDelivered} / ${d.smsFailed}`,
    ],
    ['Sms niet verstuurd (lokale outbox) <small>SMS not sent (local outbox)</small>', String(d.smsNotSent)],
    ['Escalaties naar een volgend kanaal <small>Escalations to a next channel</small>', String(d.escalations)],
    ['Overgedragen aan een plaatsvervanger <small>Handed to a deputy</small>', String(d.handovers)],
  ])}</table>
<h2>Communicatie <small>Communication</small></h2>
${
  report.communication.messages.length === 0
    ? '<p>Geen berichten opgesteld. <small>No messages drafted.</small></p>'
    : `<table><tr><th>Bericht <small>Message</small></th><th>Versies <small>Versions</small></th><th>Goedgekeurd <small>Approved</small></th><th>Familie akkoord <small>Family agreed</small></th><th>Verstuurd <small>Released</small></th><th>Via</th><th>Na de melding <small>After the trigger</small></th></tr>${rows(
        report.communication.messages.map((m) => [
          esc(AUDIENCE_LABELS[m.audience] ?? m.audience),
          String(m.versions),
          m.approvedAt ? `${esc(local(m.approvedAt))} (v${m.approvedVersion ?? '?'})` : '—',
          esc(local(m.familyApprovedAt)),
          esc(local(m.releasedAt)),
          m.channel === 'app' ? `app (${m.recipients ?? 0})` : esc(m.channel ?? ''),
          esc(duration(m.afterSeconds)),
        ]),
      )}</table>`
}
<p>${report.communication.pressEntries} persvragen <small>press questions</small> · ${Object.values(report.communication.partyContacts).reduce((a, b) => a + b, 0)} gesprekken met externe partijen <small>calls to outside parties</small></p>
<h2>Bevindingen <small>Findings</small></h2>
${
  report.findings.length === 0
    ? '<p>Nog geen bevindingen vastgelegd. <small>No findings recorded yet.</small></p>'
    : `<table><tr><th>Soort <small>Kind</small></th><th>Bevinding <small>Finding</small></th><th>Plan</th></tr>${rows(
        report.findings.map((f) => [
          FINDING_LABELS[f.kind],
          esc(f.text),
          f.appliedVersion !== null
            ? `versie ${f.appliedVersion} <small>version ${f.appliedVersion}</small>`
            : f.proposesPlanChange
              ? 'voorgesteld <small>proposed</small>'
              : '',
        ]),
      )}</table>`
}
<h2>Logboek <small>Log</small></h2>
<p>${report.log.entries} regels, waarvan ${report.log.corrections} correcties <small>${report.log.entries} entries, ${report.log.corrections} corrections</small></p>
<p><small>Gemaakt <small>Generated</small> ${esc(local(report.generatedAt))} · tijden in Europe/Amsterdam · de volledige tijdlijn en de controle van de hashketen staan in de app.</small></p>
</body></html>`;
}
