import type { Role } from './types';

const RANK: Record<Role, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };

/** Whether `role` is at least `least` in viewer < agent < admin < owner. */
export function atLeast(role: Role | null | undefined, least: Role): boolean {
  return !!role && RANK[role] >= RANK[least];
}
