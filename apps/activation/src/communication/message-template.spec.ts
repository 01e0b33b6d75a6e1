import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from '../catalog/catalog.loader.js';
import { draftMessage, familyApprovalReasons, fillTemplate, rulesFor, unfilledPlaces } from './message-template.js';

const { communication } = loadCatalog();

const facts = {
  what: 'Sanne uit groep 7 is gisteravond overleden na een verkeersongeluk.',
  where: 'de Dorpsstraat',
  when: 'dinsdagavond 27 november',
  who: 'Sanne',
  actions: 'De klas wordt vandaag opgevangen door de eigen leerkracht en de intern begeleider.',
  contact: 'de directeur, 020 000 0000',
  help: 'de intern begeleider en de GGD',
};

describe('fillTemplate', () => {
  it('puts each value in its place, trimmed, and leaves a place without a value visible', () => {
    expect(fillTemplate('{{what}} op {{ where }} — {{when}}', { what: ' Brand ', where: 'het plein' })).toBe(
      'Brand op het plein — {{when}}',
    );
    expect(fillTemplate('{{who}}', { who: '   ' })).toBe('{{who}}');
  });

  it('lists the places still open once each, in order', () => {
    expect(unfilledPlaces('{{when}} {{who}}', 'en {{when}} {{help}}')).toEqual(['when', 'who', 'help']);
    expect(unfilledPlaces('niets open')).toEqual([]);
  });
});

describe('draftMessage', () => {
  it('drafts the core message of a death in Dutch: compassion first, then only the facts given', () => {
    const draft = draftMessage({
      catalog: communication,
      audience: 'core',
      calamityType: 'death-of-pupil',
      language: 'nl',
      facts,
      schoolName: 'De Regenboog',
    });
    expect(draft.title).toBe('Kernboodschap De Regenboog');
    expect(draft.body.startsWith('Met grote verslagenheid hebben wij vernomen dat Sanne is overleden.')).toBe(true);
    expect(draft.body).toContain(`Wat de school doet: ${facts.actions}`);
    expect(unfilledPlaces(draft.title, draft.body)).toEqual([]);
  });

  it('keeps the places the writer has not filled yet, so the draft cannot pass as complete', () => {
    const draft = draftMessage({
      catalog: communication,
      audience: 'core',
      calamityType: 'fire-explosion-evacuation',
      language: 'en',
      facts: { what: 'A fire in the gym.' },
      schoolName: 'Het Baken',
    });
    expect(draft.body).toContain('What happened: A fire in the gym.');
    expect(unfilledPlaces(draft.body)).toEqual(['where', 'when', 'who', 'actions', 'help', 'contact']);
  });

  it('derives a parent letter from the approved core message and the school', () => {
    const letter = draftMessage({
      catalog: communication,
      audience: 'parent-letter',
      calamityType: 'death-of-pupil',
      language: 'nl',
      facts,
      schoolName: 'De Regenboog',
      core: { body: 'DE KERNBOODSCHAP' },
    });
    expect(letter.title).toBe('Aan de ouders en verzorgers van leerlingen van De Regenboog');
    expect(letter.body).toContain('Beste ouders en verzorgers,\n\nDE KERNBOODSCHAP');
    expect(unfilledPlaces(letter.body)).toEqual([]);
  });

  it('uses the police-and-board wording after a threat', () => {
    const core = draftMessage({
      catalog: communication,
      audience: 'core',
      calamityType: 'bomb-threat',
      language: 'nl',
      facts,
      schoolName: 'Het Baken',
    });
    expect(core.body).toContain('zoals afgestemd met politie en bestuur');
  });
});

describe('rulesFor and familyApprovalReasons', () => {
  it('after a suicide: the leader confirms four checks, and the family agrees to the parent letter and the press', () => {
    const rules = rulesFor(communication, 'suicide');
    expect(rules.checklist.map((c) => c.id)).toEqual(['no-method', 'no-speculation', 'peers-at-risk', 'help-line']);
    expect(rules.familyApproval.sort()).toEqual(['parent-letter', 'press-statement']);
    expect(familyApprovalReasons('parent-letter', rules, { includesPhoto: false, includesAddress: false })).toEqual([
      'protocol',
    ]);
    expect(familyApprovalReasons('staff-briefing', rules, { includesPhoto: false, includesAddress: false })).toEqual(
      [],
    );
  });

  it('a photo or an address needs the family whatever the type; a threat needs police and board clearance', () => {
    const fire = rulesFor(communication, 'fire-explosion-evacuation');
    expect(familyApprovalReasons('staff-briefing', fire, { includesPhoto: true, includesAddress: true })).toEqual([
      'photo',
      'address',
    ]);
    expect(fire.clearanceRequired).toBe(false);
    expect(rulesFor(communication, 'threat-or-violence').clearanceRequired).toBe(true);
  });
});
