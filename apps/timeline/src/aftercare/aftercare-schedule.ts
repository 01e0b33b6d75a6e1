import type { AftercareKind, AftercareState } from '#lib/contracts';

export interface PlannedItem {
  /** Stable within an incident: the schedule is made once, however often the trigger event comes. */
  key: string;
  kind: AftercareKind;
  title: { nl: string; en: string };
  daysAfterTrigger: number;
}

const DEATHS = new Set(['death-of-pupil', 'death-of-staff', 'suicide', 'community-disaster']);
const DAY_MS = 24 * 3_600_000;

/**
 * The aftercare schedule of a calamity type (Als een ramp de school treft; protocol.md §5): check-ins with the
 * affected groups and people at about one and six weeks — most stress reactions fade within about six weeks,
 * those that do not need a referral — and after a death the commemoration and the anniversary; after a suicide
 * two years of attention for peers (imitation risk), a check-in every quarter.
 */
export function aftercareSchedule(calamityType: string): PlannedItem[] {
  const items: PlannedItem[] = [
    {
      key: 'check-in-week-1',
      kind: 'check-in',
      title: { nl: 'Nazorg: gesprekken na één week', en: 'Aftercare: check-ins after one week' },
      daysAfterTrigger: 7,
    },
    {
      key: 'check-in-week-6',
      kind: 'check-in',
      title: {
        nl: 'Nazorg: gesprekken na zes weken (blijvende klachten: doorverwijzen)',
        en: 'Aftercare: check-ins after six weeks (lasting reactions: refer)',
      },
      daysAfterTrigger: 42,
    },
  ];
  if (DEATHS.has(calamityType)) {
    items.push(
      {
        key: 'commemoration',
        kind: 'commemoration',
        title: { nl: 'Herdenking voorbereiden en houden', en: 'Prepare and hold the commemoration' },
        daysAfterTrigger: 30,
      },
      {
        key: 'anniversary',
        kind: 'anniversary',
        title: { nl: 'Eerste sterfdag: aandacht en herdenking', en: 'First anniversary: attention and remembrance' },
        daysAfterTrigger: 365,
      },
    );
  } else {
    items.push({
      key: 'anniversary',
      kind: 'anniversary',
      title: { nl: 'Eén jaar later: terugblik en aandacht', en: 'One year on: look back and pay attention' },
      daysAfterTrigger: 365,
    });
  }
  if (calamityType === 'suicide') {
    for (let quarter = 1; quarter <= 8; quarter += 1) {
      items.push({
        key: `peer-attention-q${quarter}`,
        kind: 'peer-attention',
        title: {
          nl: `Aandacht voor leeftijdgenoten na suïcide (kwartaal ${quarter} van 8)`,
          en: `Attention for peers after suicide (quarter ${quarter} of 8)`,
        },
        daysAfterTrigger: quarter * 91,
      });
    }
  }
  return items.sort((a, b) => a.daysAfterTrigger - b.daysAfterTrigger);
}

export const dueDate = (triggeredAt: string, days: number): Date => new Date(Date.parse(triggeredAt) + days * DAY_MS);

/** The state an item may move to from `from`; anything else is refused. */
export function canMove(from: AftercareState, to: AftercareState): boolean {
  const next: Record<AftercareState, AftercareState[]> = {
    scheduled: ['checked'],
    checked: ['fine', 'referred'],
    fine: [],
    referred: ['closed'],
    closed: [],
  };
  return next[from].includes(to);
}
