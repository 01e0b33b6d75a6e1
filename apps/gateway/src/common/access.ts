import type { AppRole } from '#lib/demo';
import type { AccountService, Caller, Membership } from '../account/account.service.js';
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

/** Board management: management at every school of the board. Returns the board's schools. */
export async function requireBoardManagement(
  accounts: AccountService,
  caller: Caller,
  boardId: string,
): Promise<string[]> {
  const schools = await accounts.schoolsOfBoard(boardId);
  if (schools.length === 0 || !caller.memberships.some((m) => m.boardId === boardId)) {
    throw notFound('Board', 'Bestuur');
  }
  const managed = schools.every((s) => caller.memberships.some((m) => m.schoolId === s && m.role === 'management'));
  if (!managed) {
    throw forbidden();
  }
  return schools;
}
