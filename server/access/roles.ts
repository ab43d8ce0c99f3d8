/**
 * Who may do what. Roles are ordered: an admin can do everything an operator can, an
 * operator everything a viewer can.
 */
import type { TokenRole } from '../../prisma/generated/client/enums.ts';

// The database's token_role enum holds the same values; `satisfies` keeps the two in step.
export const ROLES = ['viewer', 'operator', 'admin'] as const satisfies readonly TokenRole[];
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The authenticated caller of a request. */
export interface Principal {
  tokenId: string;
  tokenName: string;
  role: Role;
  /**
   * A service token's scopes: the only operations it may call (server/operations/scopes.ts).
   * A token with scopes can do nothing else in the API, whatever its role. Null or absent otherwise.
   */
  scopes?: readonly { instanceId: string; operations: readonly string[] }[] | null;
}
