/**
 * Who may call which operation. Viewers never invoke; operators and admins may call every
 * operation; a service token (a token with scopes) may call only the operations its scopes
 * name, on the instances they name, and nothing else in the API.
 */
import type { Principal } from '../access/roles.ts';
import { roleAtLeast } from '../access/roles.ts';
import { OperationForbiddenError } from './errors.ts';

export interface OperationScope {
  instanceId: string;
  /** Operation names (`sendNotification`), or `*` for every operation of the instance. */
  operations: readonly string[];
}

export function assertMayInvoke(principal: Principal | null, operation: string, instanceId: string): void {
  if (!principal) throw new OperationForbiddenError(operation, instanceId, 'sign in: send an API token as "Authorization: Bearer <token>"');
  if (principal.scopes) {
    const allowed = principal.scopes.some((s) => s.instanceId === instanceId && (s.operations.includes(operation) || s.operations.includes('*')));
    if (!allowed) throw new OperationForbiddenError(operation, instanceId, `the scopes of token "${principal.tokenName}" do not include it`);
    return;
  }
  if (!roleAtLeast(principal.role, 'operator')) {
    throw new OperationForbiddenError(operation, instanceId, `your token's role (${principal.role}) may not call operations; use an operator, admin or service token`);
  }
}
