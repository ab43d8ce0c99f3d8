/**
 * Service-token scopes as the tokens screen handles them: what the admin picked, checked
 * before it is sent, and a stored scope put into words. Pure.
 */
import type { OperationScopeInput } from '../gql/graphql.ts';

/** Every operation of the instance (the API's wildcard). */
export const ALL_OPERATIONS = '*';

/** An instance a service token can be scoped to. */
export interface ScopeInstance {
  id: string;
  name: string;
  pluginName: string;
  /** The operations its plugin type offers. */
  operations: readonly string[];
}

/** Chosen operations per chosen instance id, in the order the instances were chosen. */
export type ScopeSelection = ReadonlyMap<string, readonly string[]>;

export type ScopeProblem = { kind: 'noInstance'; message: string } | { kind: 'noOperation'; instanceId: string; message: string };

/** What keeps the selection from being sent, or null when it is complete. */
export function scopeProblem(selection: ScopeSelection, instances: readonly ScopeInstance[]): ScopeProblem | null {
  if (selection.size === 0) return { kind: 'noInstance', message: 'Choose at least one instance' };
  for (const [instanceId, operations] of selection) {
    if (operations.length > 0) continue;
    const name = instances.find((i) => i.id === instanceId)?.name ?? 'the chosen instance';
    return { kind: 'noOperation', instanceId, message: `Choose at least one operation of ${name}` };
  }
  return null;
}

/** The selection as the API takes it; the wildcard alone when it is chosen. */
export function scopesInput(selection: ScopeSelection): OperationScopeInput[] {
  return [...selection].map(([instanceId, operations]) => ({
    instanceId,
    operations: operations.includes(ALL_OPERATIONS) ? [ALL_OPERATIONS] : [...operations],
  }));
}

/** "slack-alerts: sendNotification", "stripe-live: all operations". */
export function describeScope(scope: { instanceId: string; operations: readonly string[] }, instanceName: (id: string) => string): string {
  const instance = instanceName(scope.instanceId);
  const operations = scope.operations.includes(ALL_OPERATIONS) ? 'all operations' : scope.operations.join(', ');
  return `${instance}: ${operations}`;
}
