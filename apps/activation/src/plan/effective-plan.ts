import type { TaskTemplate } from '../catalog/catalog.types.js';
import type { PlanContent } from './plan-content.js';

/** The plan a school runs on: its own version over its board's, merged. */
export interface EffectivePlan {
  /** Per role, everyone in call order (primary first); unavailable people are still listed. */
  people: Map<string, string[]>;
  unavailable: Set<string>;
  tasks: (catalog: TaskTemplate[], calamityType: string) => TaskTemplate[];
}

/**
 * Merges a board plan and a school plan: a role the school fills is the school's, otherwise the board's;
 * task overrides of the school win over the board's; both plans' extra tasks apply; anyone unavailable in
 * either is unavailable.
 */
export function effectivePlan(board: PlanContent | null, school: PlanContent | null): EffectivePlan {
  const people = new Map<string, string[]>();
  for (const assignment of [...(board?.roles ?? []), ...(school?.roles ?? [])]) {
    if (assignment.people.length > 0) {
      people.set(assignment.role, [...assignment.people]);
    }
  }
  const overrides = new Map(
    [...(board?.taskOverrides ?? []), ...(school?.taskOverrides ?? [])].map((o) => [o.templateId, o]),
  );
  const extra = [...(board?.extraTasks ?? []), ...(school?.extraTasks ?? [])];
  return {
    people,
    unavailable: new Set([...(board?.unavailable ?? []), ...(school?.unavailable ?? [])]),
    tasks: (catalog, calamityType) => [
      ...catalog
        .filter((t) => overrides.get(t.id)?.disabled !== true)
        .map((t) => {
          const deadline = overrides.get(t.id)?.deadline;
          return deadline ? { ...t, deadline } : t;
        }),
      ...extra
        .filter((t) => t.calamityTypes.includes('*') || t.calamityTypes.includes(calamityType))
        .map((t) => ({ ...t, sources: [], parties: [], file: 'plan' })),
    ],
  };
}

/** Who gets a role's task: the first available person in call order, or nobody. */
export function assigneeFor(plan: EffectivePlan, role: string): string | null {
  return (plan.people.get(role) ?? []).find((p) => !plan.unavailable.has(p)) ?? null;
}

/** The next available person after `current` in the role's call order (the deputy to hand a task to). */
export function nextInLine(plan: EffectivePlan, role: string, current: string | null): string | null {
  const line = plan.people.get(role) ?? [];
  const from = current === null ? -1 : line.indexOf(current);
  return line.slice(from + 1).find((p) => !plan.unavailable.has(p) && p !== current) ?? null;
}

/** Roles of the catalog nobody available can fill: reported when a plan is saved and at trigger time. */
export function unstaffedRoles(plan: EffectivePlan, roles: readonly string[]): string[] {
  return roles.filter((role) => assigneeFor(plan, role) === null);
}
