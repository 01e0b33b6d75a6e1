import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The catalog DATA (apps/activation/catalog/*.yaml) against the domain rules of issue 3 and DESIGN.md §4.
 * It reads the YAML directly, on purpose independent of the loader, so a loader change cannot hide a data gap.
 */

interface Localized {
  nl: string;
  en: string;
}
interface Header {
  version: string;
  roles: { id: string; name: Localized }[];
  phases: { id: number; name: Localized }[];
  calamityTypes: { id: string; name: Localized; description: Localized; sources: string[] }[];
}
interface Task {
  id: string;
  calamityTypes: string[];
  phase: number;
  role: string;
  deadline: string;
  priority: string;
  ackRequired: boolean;
  title: Localized;
  instruction: Localized;
  sources: string[];
  file: string;
}

const dir = fileURLToPath(new URL('../../catalog/', import.meta.url));
const header = parse(readFileSync(join(dir, 'catalog.yaml'), 'utf8')) as Header;
const taskFiles = readdirSync(join(dir, 'tasks'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const tasks: Task[] = taskFiles.flatMap((file) => {
  const doc = parse(readFileSync(join(dir, 'tasks', file), 'utf8')) as { tasks: Omit<Task, 'file'>[] };
  return doc.tasks.map((t) => ({ ...t, file }));
});

const ROLES = [
  'leader',
  'spokesperson',
  'communication',
  'family-liaison',
  'care-coordinator',
  'logkeeper',
  'secretariat',
  'bhv',
  'board-liaison',
  'external-adviser',
];
const TYPES = [
  'death-of-pupil',
  'death-of-staff',
  'suicide',
  'serious-accident-at-school',
  'accident-on-trip',
  'fire-explosion-evacuation',
  'threat-or-violence',
  'bomb-threat',
  'sexual-misconduct-by-staff',
  'missing-pupil',
  'community-disaster',
  'cyber-crisis',
];
const DEATH_TYPES = ['death-of-pupil', 'death-of-staff', 'suicide'];
const THREAT_TYPES = ['threat-or-violence', 'bomb-threat'];
/** Keys of shared/domain/protocol.md (S1..S78); the document itself is not available in CI. */
const SOURCE_KEY = /^S([1-9]|[1-6][0-9]|7[0-8])$/;
const TASK_ID = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
/** Sources of the legal duties: meld-/overleg-/aangifteplicht (S18-S23) and the AVG (S30). */
const LEGAL_SOURCES = ['S18', 'S19', 'S20', 'S21', 'S22', 'S23', 'S30'];

/** Minutes of a catalog deadline (days, hours, minutes, seconds only). */
function minutes(duration: string): number {
  const match = DURATION.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) {
    throw new Error(`not a D/H/M/S duration: ${duration}`);
  }
  const [d, h, m, s] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return d! * 1440 + h! * 60 + m! + s! / 60;
}
const HOUR = 60;
const DAY = 24 * HOUR;

const appliesTo = (t: Task, type: string) => t.calamityTypes.includes('*') || t.calamityTypes.includes(type);
const tasksOf = (type: string) => tasks.filter((t) => appliesTo(t, type));
const cites = (t: Task, ...keys: string[]) => keys.every((k) => t.sources.includes(k));
const says = (t: Task, pattern: RegExp) => pattern.test(`${t.title.en} ${t.instruction.en}`);
const saysNl = (t: Task, pattern: RegExp) => pattern.test(`${t.title.nl} ${t.instruction.nl}`);

/** The first task matching the predicate; throws with the description when there is none. */
function find(description: string, predicate: (t: Task) => boolean): Task {
  const hit = tasks.find(predicate);
  if (!hit) {
    throw new Error(`no task: ${description}`);
  }
  return hit;
}

describe('catalog.yaml', () => {
  it('has a version, the ten roles in order, phases 0-5 and the twelve calamity types', () => {
    expect(typeof header.version).toBe('string');
    expect(header.version.trim()).not.toBe('');
    expect(header.roles.map((r) => r.id)).toEqual(ROLES);
    expect(header.phases.map((p) => p.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(header.calamityTypes.map((t) => t.id).sort()).toEqual([...TYPES].sort());
  });

  it('names every role, phase and type in Dutch and English, and grounds each type in sources', () => {
    for (const item of [...header.roles, ...header.phases, ...header.calamityTypes]) {
      expect(item.name.nl.trim()).not.toBe('');
      expect(item.name.en.trim()).not.toBe('');
    }
    for (const type of header.calamityTypes) {
      expect(type.description.nl.length).toBeGreaterThan(80);
      expect(type.description.en.length).toBeGreaterThan(80);
      expect(type.description.nl).not.toBe(type.description.en);
      expect(type.sources.length).toBeGreaterThan(0);
      for (const key of type.sources) {
        expect(key).toMatch(SOURCE_KEY);
      }
    }
  });
});

describe('task templates: shape', () => {
  it('holds at least 60 templates with unique, well-formed ids', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(60);
    const ids = tasks.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(TASK_ID);
    }
  });

  it('uses only known roles, calamity types, incident phases and priorities', () => {
    for (const t of tasks) {
      expect(ROLES).toContain(t.role);
      expect(t.calamityTypes.length).toBeGreaterThan(0);
      for (const type of t.calamityTypes) {
        expect(['*', ...TYPES]).toContain(type);
      }
      expect([1, 2, 3, 4, 5]).toContain(t.phase);
      expect(['critical', 'high', 'normal']).toContain(t.priority);
      expect(typeof t.ackRequired).toBe('boolean');
    }
  });

  it('writes deadlines as ISO-8601 durations of days, hours, minutes and seconds only', () => {
    for (const t of tasks) {
      expect(t.deadline).toMatch(DURATION);
      expect(t.deadline.split('T')[0]).toMatch(/^P(\d+D)?$/);
      expect(minutes(t.deadline)).toBeGreaterThan(0);
    }
  });

  it('has a short Dutch and English title and an instruction of at most 600 characters', () => {
    for (const t of tasks) {
      for (const lang of ['nl', 'en'] as const) {
        expect(t.title[lang].trim().length).toBeGreaterThan(0);
        expect(t.title[lang].length).toBeLessThanOrEqual(120);
        expect(t.instruction[lang].trim().length).toBeGreaterThan(40);
        expect(t.instruction[lang].length).toBeLessThanOrEqual(600);
      }
      expect(t.title.nl).not.toBe(t.title.en);
      expect(t.instruction.nl).not.toBe(t.instruction.en);
    }
  });

  it('cites at least one source key of domain/protocol.md on every task, without repeats', () => {
    for (const t of tasks) {
      expect(t.sources.length).toBeGreaterThan(0);
      expect(new Set(t.sources).size).toBe(t.sources.length);
      for (const key of t.sources) {
        expect(key).toMatch(SOURCE_KEY);
      }
    }
  });
});

describe('task templates: timing and urgency', () => {
  it('keeps first-hour tasks between 10 minutes and an hour, first-day tasks within 24 hours', () => {
    for (const t of tasks.filter((x) => x.phase === 1)) {
      expect(minutes(t.deadline)).toBeGreaterThanOrEqual(10);
      expect(minutes(t.deadline)).toBeLessThanOrEqual(HOUR);
    }
    for (const t of tasks.filter((x) => x.phase === 2)) {
      expect(minutes(t.deadline)).toBeGreaterThanOrEqual(HOUR);
      expect(minutes(t.deadline)).toBeLessThanOrEqual(DAY);
    }
  });

  it('gives the days until the funeral, the first weeks and the long term deadlines in days', () => {
    for (const t of tasks.filter((x) => x.phase === 3)) {
      expect(minutes(t.deadline)).toBeGreaterThan(DAY);
      expect(minutes(t.deadline)).toBeLessThanOrEqual(7 * DAY);
    }
    for (const t of tasks.filter((x) => x.phase === 4)) {
      expect(minutes(t.deadline)).toBeGreaterThanOrEqual(3 * DAY);
      expect(minutes(t.deadline)).toBeLessThanOrEqual(60 * DAY);
    }
    for (const t of tasks.filter((x) => x.phase === 5)) {
      expect(minutes(t.deadline)).toBeGreaterThanOrEqual(30 * DAY);
      expect(minutes(t.deadline)).toBeLessThanOrEqual(730 * DAY);
    }
  });

  it('makes first-hour tasks critical, first-day tasks at least high, aftercare normal', () => {
    for (const t of tasks) {
      if (t.phase === 1) {
        expect(t.priority).toBe('critical');
      } else if (t.phase === 2) {
        expect(['critical', 'high']).toContain(t.priority);
      } else if (t.phase >= 4) {
        expect(t.priority).toBe('normal');
      }
    }
  });

  it('keeps critical priority after the first day for legal duties only', () => {
    for (const t of tasks.filter((x) => x.phase >= 3 && x.priority === 'critical')) {
      expect(t.sources.some((key) => LEGAL_SOURCES.includes(key))).toBe(true);
    }
  });

  it('requires an acknowledgement for every task of the first hour and the first day', () => {
    for (const t of tasks.filter((x) => x.phase <= 2)) {
      expect(t.ackRequired).toBe(true);
    }
  });
});

describe('coverage per calamity type', () => {
  it.each(TYPES)('%s has at least 8 tasks over phases 1, 2 and the weeks or months after', (type) => {
    const own = tasksOf(type);
    expect(own.length).toBeGreaterThanOrEqual(8);
    const phases = new Set(own.map((t) => t.phase));
    expect(phases.has(1)).toBe(true);
    expect(phases.has(2)).toBe(true);
    expect(phases.has(4) || phases.has(5)).toBe(true);
  });

  it.each(TYPES)('%s has the leader convening the crisis team within 15 minutes', (type) => {
    const convene = tasksOf(type).filter(
      (t) => t.role === 'leader' && t.phase === 1 && minutes(t.deadline) <= 15 && says(t, /convene the crisis team/i),
    );
    expect(convene.length).toBeGreaterThan(0);
    expect(convene.every((t) => t.priority === 'critical' && t.ackRequired)).toBe(true);
  });

  it.each(TYPES)('%s has the logkeeper starting the log in the first hour', (type) => {
    const log = tasksOf(type).filter((t) => t.role === 'logkeeper' && t.phase === 1 && says(t, /\blog\b/i));
    expect(log.length).toBeGreaterThan(0);
    expect(log.some((t) => cites(t, 'S60'))).toBe(true);
  });

  it.each(TYPES)('%s has a spokesperson as the single press contact', (type) => {
    expect(tasksOf(type).some((t) => t.role === 'spokesperson')).toBe(true);
  });

  it.each(TYPES)('%s ends with an evaluation that feeds the runbook', (type) => {
    const evaluation = tasksOf(type).filter((t) => t.phase >= 4 && cites(t, 'S76'));
    expect(evaluation.length).toBeGreaterThan(0);
  });
});

describe('what differs per calamity type', () => {
  it.each(DEATH_TYPES)('%s: the family liaison calls the family the same day and agrees what may be shared', (type) => {
    const call = tasksOf(type).find(
      (t) =>
        t.role === 'family-liaison' &&
        t.phase <= 2 &&
        minutes(t.deadline) <= DAY &&
        cites(t, 'S38', 'S39') &&
        says(t, /call the family/i) &&
        says(t, /may share|may be shared/i),
    );
    expect(call).toBeDefined();
    expect(call!.priority).toBe('critical');
  });

  it('suicide: the spokesperson keeps to facts, names no method and does not speculate on causes', () => {
    const media = find(
      'suicide media rules',
      (t) => appliesTo(t, 'suicide') && !t.calamityTypes.includes('*') && t.role === 'spokesperson',
    );
    expect(media.phase).toBe(1);
    expect(media.priority).toBe('critical');
    expect(cites(media, 'S65')).toBe(true);
    expect(says(media, /facts/i)).toBe(true);
    expect(says(media, /method/i)).toBe(true);
    expect(says(media, /speculate/i)).toBe(true);
    expect(saysNl(media, /methode/i)).toBe(true);
  });

  it('suicide: 113 Zelfmoordpreventie is called for advice on the first day', () => {
    const call113 = find(
      'suicide 113',
      (t) => t.calamityTypes.includes('suicide') && t.role === 'care-coordinator' && cites(t, 'S33') && says(t, /113/),
    );
    expect(call113.phase).toBeLessThanOrEqual(2);
    expect(call113.calamityTypes).not.toContain('death-of-pupil');
  });

  it('suicide: two years of attention for peers (postventie) runs to a P730D task citing S34', () => {
    const postvention = find(
      'suicide two years',
      (t) => t.calamityTypes.includes('suicide') && t.deadline === 'P730D' && cites(t, 'S34'),
    );
    expect(postvention.role).toBe('care-coordinator');
    expect(postvention.phase).toBe(5);
    expect(saysNl(postvention, /postventie/i)).toBe(true);
    expect(says(postvention, /two years/i)).toBe(true);
  });

  it('threats: the police are always told, for both threat types, even if another school reported it', () => {
    const police = find(
      'threat police report',
      (t) => THREAT_TYPES.every((type) => t.calamityTypes.includes(type)) && cites(t, 'S14') && says(t, /police/i),
    );
    expect(police.phase).toBe(1);
    expect(police.priority).toBe('critical');
    expect(minutes(police.deadline)).toBeLessThanOrEqual(15);
    expect(says(police, /another school/i)).toBe(true);
  });

  it('threats: the board decides on informing parents, before any message to parents goes out', () => {
    const decision = find(
      'threat board decision',
      (t) =>
        THREAT_TYPES.every((type) => t.calamityTypes.includes(type)) &&
        t.role === 'board-liaison' &&
        cites(t, 'S15') &&
        says(t, /board decides/i) &&
        says(t, /parents/i),
    );
    const parentMessages = tasks.filter(
      (t) =>
        t.calamityTypes.some((type) => THREAT_TYPES.includes(type)) &&
        t.role === 'communication' &&
        says(t, /parents/i),
    );
    expect(parentMessages.length).toBeGreaterThan(0);
    for (const message of parentMessages) {
      expect(minutes(message.deadline)).toBeGreaterThan(minutes(decision.deadline));
    }
    expect(decision.phase).toBeLessThanOrEqual(2);
  });

  it('missing pupil: a search of about 15 minutes at named places, then the police', () => {
    const search = find(
      'missing search',
      (t) => t.calamityTypes.includes('missing-pupil') && cites(t, 'S67') && says(t, /search/i),
    );
    expect(search.deadline).toBe('PT15M');
    expect(says(search, /named places/i)).toBe(true);
    const police = find(
      'missing police',
      (t) => t.calamityTypes.includes('missing-pupil') && t.id !== search.id && says(t, /call the police/i),
    );
    expect(cites(police, 'S67') || cites(police, 'S68')).toBe(true);
    expect(minutes(police.deadline)).toBeGreaterThan(minutes(search.deadline));
    expect(minutes(police.deadline)).toBeLessThanOrEqual(30);
    expect(police.priority).toBe('critical');
  });

  it('fire: attendance registers go to the assembly point and everyone is counted', () => {
    const count = find(
      'fire registers',
      (t) =>
        t.calamityTypes.includes('fire-explosion-evacuation') && cites(t, 'S60') && says(t, /attendance register/i),
    );
    expect(count.role).toBe('bhv');
    expect(count.phase).toBe(1);
    expect(says(count, /assembly point/i)).toBe(true);
    expect(says(count, /count/i)).toBe(true);
  });

  it('fire: the fire brigade hears who may still be inside', () => {
    const brief = find(
      'fire brigade briefing',
      (t) =>
        t.calamityTypes.includes('fire-explosion-evacuation') && cites(t, 'S60', 'S28') && says(t, /fire brigade/i),
    );
    expect(brief.phase).toBe(1);
    expect(says(brief, /still be inside/i)).toBe(true);
  });

  it('accident on a trip: the current attendance list, and a staff member to the hospital', () => {
    const list = find(
      'trip attendance list',
      (t) => t.calamityTypes.includes('accident-on-trip') && cites(t, 'S47') && says(t, /current list/i),
    );
    expect(list.phase).toBe(1);
    const escort = find(
      'hospital escort',
      (t) => t.calamityTypes.includes('accident-on-trip') && cites(t, 'S60', 'S16') && says(t, /hospital/i),
    );
    expect(escort.phase).toBe(1);
    expect(says(escort, /staff member/i)).toBe(true);
  });

  it('disaster in the community: contact with the municipality about commemoration and condolence register', () => {
    const municipality = find(
      'municipality contact',
      (t) => t.calamityTypes.includes('community-disaster') && cites(t, 'S51') && says(t, /municipality/i),
    );
    expect(municipality.phase).toBeLessThanOrEqual(2);
    expect(says(municipality, /condolence register/i)).toBe(true);
    expect(says(municipality, /commemoration/i)).toBe(true);
    expect(
      tasksOf('community-disaster').some((t) => t.phase === 5 && cites(t, 'S37') && says(t, /new school year/i)),
    ).toBe(true);
  });

  describe('suspected sexual offence by a staff member: the legal chain', () => {
    const type = 'sexual-misconduct-by-staff';
    const own = tasks.filter((t) => t.calamityTypes.includes(type));
    const step = (description: string, predicate: (t: Task) => boolean) =>
      find(description, (t) => t.calamityTypes.includes(type) && predicate(t));
    const report = step('report to board', (t) => cites(t, 'S20') && says(t, /report .*to the (school )?board/i));
    const consult = step('consult inspector', (t) => cites(t, 'S18') && says(t, /consult the confidential inspector/i));
    const decide = step(
      'decision',
      (t) => cites(t, 'S19') && says(t, /decides? whether there is a reasonable suspicion/i),
    );
    const inform = step(
      'inform accused and parents',
      (t) => cites(t, 'S19', 'S23') && says(t, /staff member concerned/i),
    );
    const file = step('police report', (t) => cites(t, 'S19', 'S23') && says(t, /files? a (police )?report/i));

    it('reports to the board at once, and the board consults the confidential inspector without delay', () => {
      expect(report.phase).toBe(1);
      expect(minutes(report.deadline)).toBeLessThanOrEqual(15);
      expect(says(report, /not enough/i)).toBe(true);
      expect(consult.phase).toBe(1);
      expect(minutes(consult.deadline)).toBeLessThanOrEqual(HOUR);
    });

    it('puts the steps in the statutory order: report, consult, decide, inform, file', () => {
      const chain = [report, consult, decide, inform, file];
      expect(new Set(chain.map((t) => t.id)).size).toBe(5);
      for (let i = 1; i < chain.length; i++) {
        expect(minutes(chain[i]!.deadline)).toBeGreaterThanOrEqual(minutes(chain[i - 1]!.deadline));
      }
      expect(says(inform, /parents/i)).toBe(true);
      expect(says(file, /no reasonable suspicion/i)).toBe(true);
    });

    it('treats every step of the chain as a legal, critical task on the board', () => {
      for (const t of [report, consult, decide, inform, file]) {
        expect(t.priority).toBe('critical');
        expect(t.ackRequired).toBe(true);
        expect(t.role).toBe('board-liaison');
      }
    });

    it('does not spread the news before the board has decided', () => {
      const broadcast = tasksOf(type).filter(
        (t) => (t.role === 'communication' || t.id === 'common.inform-staff') && !own.includes(t),
      );
      expect(broadcast).toEqual([]);
      for (const t of own.filter((x) => x.role === 'communication')) {
        expect(minutes(t.deadline)).toBeGreaterThan(minutes(inform.deadline));
      }
    });
  });

  it('cyber crisis: the privacy officer advises; the data breach goes to the AP within 72 hours', () => {
    const cyber = tasks.filter((t) => t.calamityTypes.includes('cyber-crisis'));
    expect(cyber.some((t) => cites(t, 'S63') && says(t, /privacy officer/i) && t.phase === 1)).toBe(true);
    expect(cyber.some((t) => t.role === 'external-adviser' && says(t, /privacy officer/i))).toBe(true);
    const notify = find(
      'AP notification',
      (t) => t.calamityTypes.includes('cyber-crisis') && cites(t, 'S30') && says(t, /Data Protection Authority/i),
    );
    expect(saysNl(notify, /Autoriteit Persoonsgegevens/)).toBe(true);
    expect(says(notify, /72 hours/i)).toBe(true);
    expect(says(notify, /legal duty/i)).toBe(true);
    expect(notify.priority).toBe('critical');
    expect(minutes(notify.deadline)).toBeLessThan(72 * HOUR);
  });

  it('aftercare: check-ins at about one and six weeks, and the first anniversary', () => {
    const checkIns = tasks.filter((t) => t.phase === 4 && cites(t, 'S53') && t.role === 'care-coordinator');
    expect(checkIns.map((t) => t.deadline)).toEqual(expect.arrayContaining(['P7D', 'P42D']));
    const anniversary = find('anniversary', (t) => t.deadline === 'P365D' && t.phase === 5);
    for (const type of DEATH_TYPES) {
      expect(appliesTo(anniversary, type)).toBe(true);
    }
  });
});
