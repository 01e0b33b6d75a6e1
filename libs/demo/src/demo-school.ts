import { createHash } from 'node:crypto';

/**
 * The demo tenants of DESIGN.md §6: two boards, three schools (po, vo, mbo), each with a full crisis team
 * (every role with a deputy), management, an admin and staff. Ids are derived from stable names, so every
 * app seeds its own tables with the same ids without asking another app. Fictional people only.
 */

export const DEMO_PASSWORD = 'Crisisklaar-demo-2026';

/** Crisis-team roles (DESIGN.md §4): id, and the local part of the demo e-mail of the primary. */
export const CRISIS_ROLES = [
  { id: 'leader', mailbox: 'leider', nl: 'Leider crisisteam', en: 'Crisis team leader' },
  { id: 'spokesperson', mailbox: 'woordvoerder', nl: 'Woordvoerder', en: 'Spokesperson' },
  { id: 'communication', mailbox: 'communicatie', nl: 'Communicatie', en: 'Communication' },
  { id: 'family-liaison', mailbox: 'familiecontact', nl: 'Contactpersoon familie', en: 'Family liaison' },
  { id: 'care-coordinator', mailbox: 'zorg', nl: 'Zorgcoördinator', en: 'Care coordinator' },
  { id: 'logkeeper', mailbox: 'logboek', nl: 'Logboekhouder', en: 'Logkeeper' },
  { id: 'secretariat', mailbox: 'secretariaat', nl: 'Secretariaat', en: 'Secretariat' },
  { id: 'bhv', mailbox: 'bhv', nl: 'BHV / ontruiming', en: 'Emergency response / evacuation' },
  { id: 'board-liaison', mailbox: 'bestuurscontact', nl: 'Contact bestuur', en: 'Board liaison' },
  { id: 'external-adviser', mailbox: 'extern', nl: 'Externe adviseur', en: 'External adviser' },
] as const;
export type CrisisRole = (typeof CRISIS_ROLES)[number]['id'];

export type AppRole = 'admin' | 'crisis_team' | 'staff' | 'management';

export interface DemoBoard {
  id: string;
  name: string;
  domain: string;
}
export interface DemoSchool {
  id: string;
  boardId: string;
  name: string;
  sector: 'po' | 'vo' | 'mbo';
  domain: string;
}
export interface DemoPerson {
  id: string;
  email: string;
  name: string;
  /** A fictional Dutch mobile number (E.164) for SMS; the notifier seeds it as the person's phone. */
  phone: string;
}
export interface DemoMembership {
  personId: string;
  schoolId: string;
  role: AppRole;
}
/** A crisis-plan line: at `schoolId`, `role` goes to `personId`; rank 0 is the primary, 1.. the deputies in order. */
export interface DemoPlanSlot {
  schoolId: string;
  role: CrisisRole;
  personId: string;
  rank: number;
}

/** A stable UUID (version-5 layout) for a name. */
export function demoId(name: string): string {
  const h = createHash('sha256').update(`crisisklaar-demo:${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const FIRST = ['Anouk', 'Bram', 'Celine', 'Daan', 'Eva', 'Fenna', 'Gijs', 'Hanna', 'Ilse', 'Joost', 'Karin', 'Lars'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos', 'Vos', 'Peters'];

export const DEMO_BOARDS: DemoBoard[] = [
  { id: demoId('board:delinde'), name: 'Stichting De Linde', domain: 'delinde.example' },
  { id: demoId('board:horizon'), name: 'Stichting Horizon', domain: 'horizon.example' },
];

export const DEMO_SCHOOLS: DemoSchool[] = [
  {
    id: demoId('school:deregenboog'),
    boardId: DEMO_BOARDS[0]!.id,
    name: 'De Regenboog',
    sector: 'po',
    domain: 'deregenboog.example',
  },
  {
    id: demoId('school:hetbaken'),
    boardId: DEMO_BOARDS[0]!.id,
    name: 'Het Baken',
    sector: 'vo',
    domain: 'hetbaken.example',
  },
  {
    id: demoId('school:horizoncollege'),
    boardId: DEMO_BOARDS[1]!.id,
    name: 'Horizon College',
    sector: 'mbo',
    domain: 'horizoncollege.example',
  },
];

/** How many plain staff members each demo school has (besides the crisis team, management and admin). */
export const DEMO_STAFF_PER_SCHOOL = 6;

function build() {
  const people: DemoPerson[] = [];
  const memberships: DemoMembership[] = [];
  const plan: DemoPlanSlot[] = [];
  let n = 0;
  const person = (email: string): DemoPerson => {
    const p = {
      id: demoId(`person:${email}`),
      email,
      name: `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`,
      phone: `+3161000${String(n).padStart(4, '0')}`,
    };
    n += 1;
    people.push(p);
    return p;
  };
  for (const school of DEMO_SCHOOLS) {
    for (const role of CRISIS_ROLES) {
      const primary = person(`${role.mailbox}@${school.domain}`);
      const deputy = person(`${role.mailbox}.plv@${school.domain}`);
      for (const [rank, p] of [primary, deputy].entries()) {
        memberships.push({ personId: p.id, schoolId: school.id, role: 'crisis_team' });
        plan.push({ schoolId: school.id, role: role.id, personId: p.id, rank });
      }
    }
    memberships.push({ personId: person(`directie@${school.domain}`).id, schoolId: school.id, role: 'management' });
    memberships.push({ personId: person(`beheer@${school.domain}`).id, schoolId: school.id, role: 'admin' });
    memberships.push({ personId: person(`docent@${school.domain}`).id, schoolId: school.id, role: 'staff' });
    for (let i = 2; i <= DEMO_STAFF_PER_SCHOOL; i += 1) {
      memberships.push({ personId: person(`docent${i}@${school.domain}`).id, schoolId: school.id, role: 'staff' });
    }
  }
  // Board management sees every school of its board.
  for (const board of DEMO_BOARDS) {
    const manager = person(`bestuur@${board.domain}`);
    for (const school of DEMO_SCHOOLS.filter((s) => s.boardId === board.id)) {
      memberships.push({ personId: manager.id, schoolId: school.id, role: 'management' });
    }
  }
  return { people, memberships, plan };
}

const built = build();
export const DEMO_PEOPLE: readonly DemoPerson[] = built.people;
export const DEMO_MEMBERSHIPS: readonly DemoMembership[] = built.memberships;
export const DEMO_PLAN: readonly DemoPlanSlot[] = built.plan;

export function demoPerson(email: string): DemoPerson {
  const p = DEMO_PEOPLE.find((x) => x.email === email);
  if (!p) {
    throw new Error(`no demo person ${email}`);
  }
  return p;
}
