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
  /** The catalog file it came from (for messages). */
  file: string;
}

export interface Catalog {
  /** The version written in catalog.yaml plus a digest of all files: an edit without a bump still shows. */
  version: string;
  roles: RoleDefinition[];
  phases: PhaseDefinition[];
  calamityTypes: CalamityTypeDefinition[];
  tasks: TaskTemplate[];
}

/** The task templates of one calamity type. */
export function tasksFor(catalog: Catalog, calamityType: string): TaskTemplate[] {
  return catalog.tasks.filter((t) => t.calamityTypes.includes('*') || t.calamityTypes.includes(calamityType));
}
