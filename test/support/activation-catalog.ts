import { CRISIS_ROLES } from '#lib/demo';
import { loadCatalog } from '../../apps/activation/src/catalog/catalog.loader.js';
import type { Catalog, TaskTemplate } from '../../apps/activation/src/catalog/catalog.types.js';

const task = (
  t: Omit<TaskTemplate, 'instruction' | 'sources' | 'file' | 'ackRequired' | 'calamityTypes' | 'parties'> &
    Partial<TaskTemplate>,
): TaskTemplate => ({
  calamityTypes: ['death-of-pupil'],
  ackRequired: true,
  instruction: { nl: `Doe: ${t.title.nl}`, en: `Do: ${t.title.en}` },
  sources: ['S4'],
  parties: [],
  file: 'fixture.yaml',
  ...t,
});

/** A small fixed catalog for activation's integration tests, independent of the real catalog's contents. */
export const TEST_CATALOG: Catalog = {
  version: 'test-1+00000000',
  // Messages, rules and parties are the real catalog's: the communication tests exercise its templates.
  communication: loadCatalog().communication,
  roles: CRISIS_ROLES.map((r) => ({ id: r.id, name: { nl: r.nl, en: r.en } })),
  phases: [],
  calamityTypes: [
    {
      id: 'death-of-pupil',
      name: { nl: 'Overlijden van een leerling', en: 'Death of a pupil' },
      description: { nl: 'x', en: 'x' },
      sources: ['S38'],
    },
    {
      id: 'sexual-misconduct-by-staff',
      name: { nl: 'Vermoeden van een zedendelict door personeel', en: 'Suspected sexual offence by staff' },
      description: { nl: 'x', en: 'x' },
      sources: ['S18'],
    },
  ],
  tasks: [
    task({
      id: 'convene',
      phase: 1,
      role: 'leader',
      deadline: 'PT15M',
      priority: 'critical',
      title: { nl: 'Roep bijeen', en: 'Convene' },
    }),
    task({
      id: 'log',
      phase: 1,
      role: 'logkeeper',
      deadline: 'PT15M',
      priority: 'high',
      title: { nl: 'Start het logboek', en: 'Start the log' },
    }),
    task({
      id: 'call-family',
      phase: 1,
      role: 'family-liaison',
      deadline: 'PT4H',
      priority: 'critical',
      title: { nl: 'Bel de familie', en: 'Call the family' },
      parties: ['funeral-contact', 'police-school-contact'],
    }),
    task({
      id: 'care-class',
      phase: 2,
      role: 'care-coordinator',
      deadline: 'PT24H',
      priority: 'high',
      title: { nl: 'Opvang voor de klas', en: 'Care for the class' },
    }),
    task({
      id: 'check-in-week',
      phase: 4,
      role: 'care-coordinator',
      deadline: 'P7D',
      priority: 'normal',
      ackRequired: false,
      title: { nl: 'Kijk na een week hoe het gaat', en: 'Check in after a week' },
    }),
  ],
};

export const TEST_SETTINGS = { announceLeadMs: 24 * 3_600_000 };
