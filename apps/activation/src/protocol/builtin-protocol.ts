import type { CrisisRole } from '#lib/demo';

/**
 * A small built-in protocol so the whole path runs end to end. The versioned catalog of the calamity
 * checklist (all twelve calamity types, sixty-plus templates) replaces it; its shape is already the same.
 * Texts are our own words after "Als een ramp de school treft" (source keys: shared/domain/protocol.md).
 */
export const BUILTIN_CATALOG_VERSION = 'builtin-2026.11';

export interface TaskTemplate {
  id: string;
  phase: number;
  role: CrisisRole;
  /** ISO-8601 duration after the trigger. */
  deadline: string;
  priority: 'critical' | 'high' | 'normal';
  ackRequired: boolean;
  title: { nl: string; en: string };
  sources: string[];
}

export interface CalamityType {
  id: string;
  name: { nl: string; en: string };
  tasks: TaskTemplate[];
}

const convene: TaskTemplate = {
  id: 'common.convene-team',
  phase: 1,
  role: 'leader',
  deadline: 'PT15M',
  priority: 'critical',
  ackRequired: true,
  title: {
    nl: 'Verifieer het bericht en roep het crisisteam bijeen',
    en: 'Verify the report and convene the crisis team',
  },
  sources: ['S4', 'S59'],
};
const startLog: TaskTemplate = {
  id: 'common.start-log',
  phase: 1,
  role: 'logkeeper',
  deadline: 'PT15M',
  priority: 'high',
  ackRequired: true,
  title: { nl: 'Start het logboek van dit incident', en: 'Start the log of this incident' },
  sources: ['S60'],
};
const informBoard: TaskTemplate = {
  id: 'common.inform-board',
  phase: 1,
  role: 'board-liaison',
  deadline: 'PT1H',
  priority: 'high',
  ackRequired: true,
  title: { nl: 'Informeer het bevoegd gezag', en: 'Inform the school board' },
  sources: ['S57', 'S15'],
};
const pressDesk: TaskTemplate = {
  id: 'common.press-desk',
  phase: 2,
  role: 'spokesperson',
  deadline: 'PT2H',
  priority: 'normal',
  ackRequired: true,
  title: { nl: 'Wees het enige aanspreekpunt voor de pers', en: 'Be the single point of contact for the press' },
  sources: ['S4', 'S55'],
};

export const BUILTIN_CALAMITY_TYPES: CalamityType[] = [
  {
    id: 'death-of-pupil',
    name: { nl: 'Overlijden van een leerling', en: 'Death of a pupil' },
    tasks: [
      convene,
      startLog,
      {
        id: 'death.call-family',
        phase: 1,
        role: 'family-liaison',
        deadline: 'PT4H',
        priority: 'critical',
        ackRequired: true,
        title: {
          nl: 'Bel de familie vandaag en spreek af wat gedeeld mag worden',
          en: 'Call the family today and agree what may be shared',
        },
        sources: ['S38', 'S39'],
      },
      {
        id: 'death.care-class',
        phase: 2,
        role: 'care-coordinator',
        deadline: 'PT24H',
        priority: 'high',
        ackRequired: true,
        title: {
          nl: 'Organiseer opvang voor de klas en broers of zussen',
          en: 'Arrange care for the class and siblings',
        },
        sources: ['S39', 'S65'],
      },
      informBoard,
      pressDesk,
    ],
  },
  {
    id: 'fire-evacuation',
    name: { nl: 'Brand, explosie of ontruiming', en: 'Fire, explosion or evacuation' },
    tasks: [
      convene,
      {
        id: 'fire.attendance-at-assembly',
        phase: 1,
        role: 'bhv',
        deadline: 'PT10M',
        priority: 'critical',
        ackRequired: true,
        title: {
          nl: 'Neem de presentielijsten mee naar de verzamelplaats en tel iedereen',
          en: 'Take the attendance registers to the assembly point and count everyone',
        },
        sources: ['S60', 'S28'],
      },
      {
        id: 'fire.brief-brigade',
        phase: 1,
        role: 'bhv',
        deadline: 'PT20M',
        priority: 'critical',
        ackRequired: true,
        title: {
          nl: 'Vertel de brandweer wie mogelijk nog binnen is, en waar',
          en: 'Tell the fire brigade who may still be inside, and where',
        },
        sources: ['S60'],
      },
      startLog,
      informBoard,
    ],
  },
  {
    id: 'missing-pupil',
    name: { nl: 'Vermiste leerling', en: 'Missing pupil' },
    tasks: [
      convene,
      {
        id: 'missing.short-search',
        phase: 1,
        role: 'bhv',
        deadline: 'PT15M',
        priority: 'critical',
        ackRequired: true,
        title: { nl: 'Zoek kort op de afgesproken plekken', en: 'Search briefly at the agreed places' },
        sources: ['S67', 'S68'],
      },
      {
        id: 'missing.call-police',
        phase: 1,
        role: 'leader',
        deadline: 'PT30M',
        priority: 'critical',
        ackRequired: true,
        title: { nl: 'Niet gevonden: bel de politie en de ouders', en: 'Not found: call the police and the parents' },
        sources: ['S67'],
      },
      startLog,
    ],
  },
  {
    id: 'threat',
    name: { nl: 'Dreiging of geweld', en: 'Threat or violence' },
    tasks: [
      convene,
      {
        id: 'threat.report-police',
        phase: 1,
        role: 'leader',
        deadline: 'PT15M',
        priority: 'critical',
        ackRequired: true,
        title: { nl: 'Meld de dreiging altijd bij de politie', en: 'Always report the threat to the police' },
        sources: ['S14', 'S15'],
      },
      {
        id: 'threat.board-decides-parents',
        phase: 1,
        role: 'board-liaison',
        deadline: 'PT1H',
        priority: 'high',
        ackRequired: true,
        title: {
          nl: 'Laat het bestuur besluiten over het informeren van ouders',
          en: 'Have the board decide on informing parents',
        },
        sources: ['S15'],
      },
      startLog,
      pressDesk,
    ],
  },
];

export function findCalamityType(id: string): CalamityType | undefined {
  return BUILTIN_CALAMITY_TYPES.find((t) => t.id === id);
}
