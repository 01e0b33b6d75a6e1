import type { EffectivePlan } from './effective-plan.js';

/** Leaders — everyone in the plan's leader line, deputies included — act on every task and on the incident. */
export function isLeader(plan: EffectivePlan, personId: string): boolean {
  return (plan.people.get('leader') ?? []).includes(personId);
}

/** Whether the person has any role in the plan (a task can only be handed to a team member). */
export function isInPlan(plan: EffectivePlan, personId: string): boolean {
  return [...plan.people.values()].some((people) => people.includes(personId));
}

/** The roles a person fills in the plan, deputies included. */
export function rolesIn(plan: EffectivePlan, personId: string): Set<string> {
  return new Set([...plan.people].filter(([, people]) => people.includes(personId)).map(([role]) => role));
}
