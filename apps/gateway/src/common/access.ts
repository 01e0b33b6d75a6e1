import type { AppRole } from '#lib/demo';
import type { Caller, Membership } from '../account/account.service.js';
import { forbidden, notFound } from './api-error.js';

/** Who may trigger the protocol at a school. */
export const TRIGGER_ROLES: readonly AppRole[] = ['crisis_team', 'admin'];
/** Who may see an incident as a whole and its timeline. */
export const INCIDENT_READ_ROLES: readonly AppRole[] = ['crisis_team', 'management', 'admin'];

/**
 * The caller's membership at `schoolId` with one of `roles`. A school the caller has nothing to do with
 * answers as if the object did not exist (404), so ids of other schools reveal nothing; the right school with
 * the wrong role answers 403.
 */
export function requireRole(
  caller: Caller,
  schoolId: string,
  roles: readonly AppRole[],
  what: [string, string],
): Membership {
  const membership = caller.memberships.find((m) => m.schoolId === schoolId);
  if (!membership) {
    throw notFound(...what);
  }
  if (!roles.includes(membership.role)) {
    throw forbidden();
  }
  return membership;
}
