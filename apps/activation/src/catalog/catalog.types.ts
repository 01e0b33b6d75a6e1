/** The protocol catalog: the calamity checklist as versioned data (apps/activation/catalog/*.yaml). */

export interface Localized {
  nl: string;
  en: string;
}

export interface RoleDefinition {
  id: string;
  name: Localized;
}

export interface PhaseDefinition {
  id: number;
  name: Localized;
}

export interface CalamityTypeDefinition {
  id: string;
  name: Localized;
  description: Localized;
  sources: string[];
}

export type TaskPriority = 'critical' | 'high' | 'normal';

export interface TaskTemplate {
  id: string;
  /** The calamity types it belongs to; `*` is every type. */
  calamityTypes: string[];
  phase: number;
  role: string;
  /** ISO-8601 duration after the trigger. */
  deadline: string;
  priority: TaskPriority;
  ackRequired: boolean;
  title: Localized;
  instruction: Localized;
  /** Source keys of shared/domain/protocol.md the task rests on. */
  sources: string[];
  /** The outside parties of the sociale kaart the task is about (e.g. `police-school-contact`). */
  parties: string[];
  /** The catalog file it came from (for messages). */
  file: string;
}

export interface MessageTemplate {
  title: Localized;
  body: Localized;
}

export type ReleaseKind = 'app' | 'export' | 'none';

/** The core message or a message derived from it for one audience, with its template (and per-type variants). */
export interface AudienceDefinition {
  id: string;
  name: Localized;
  release: ReleaseKind;
  sources: string[];
  template: MessageTemplate;
  byType: { calamityTypes: string[]; template: MessageTemplate }[];
}

/** What differs in communication per calamity type. */
export interface CommunicationRule {
  calamityTypes: string[];
  /** Audiences the family must agree to before release. */
  familyApproval: string[];
  /** Checks the leader confirms before approving any message. */
  checklist: { id: string; text: Localized }[];
  /** Police and board must have agreed what may be said. */
  clearance: boolean;
  guidance: Localized[];
  sources: string[];
}

/** An outside party of the sociale kaart (domain/protocol.md §4). */
export interface PartyDefinition {
  id: string;
  name: Localized;
  whenToCall: Localized;
  sources: string[];
  /** Types it is especially relevant to (listed first for those incidents). */
  calamityTypes: string[];
  /** National numbers everyone can call; local ones are the board's and the school's own. */
  national: { name: string; phone: string; note?: string }[];
  /** Recorded per incident (the family's funeral contact). */
  perIncident: boolean;
}

export interface CommunicationCatalog {
  audiences: AudienceDefinition[];
  rules: CommunicationRule[];
  parties: PartyDefinition[];
  /** The staff instruction "refer every press question to the spokesperson"; {{spokesperson}} is the name. */
  pressInstruction: Localized;
}

export interface Catalog {
  /** The version written in catalog.yaml plus a digest of all files: an edit without a bump still shows. */
  version: string;
  roles: RoleDefinition[];
  phases: PhaseDefinition[];
  calamityTypes: CalamityTypeDefinition[];
  tasks: TaskTemplate[];
  communication: CommunicationCatalog;
}

/** The task templates of one calamity type. */
export function tasksFor(catalog: Catalog, calamityType: string): TaskTemplate[] {
  return catalog.tasks.filter((t) => t.calamityTypes.includes('*') || t.calamityTypes.includes(calamityType));
}
