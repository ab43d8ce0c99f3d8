/** Audit events in words. Pure. */

const ACTIONS: Record<string, string> = {
  'instance.create': 'Created',
  'instance.update': 'Updated',
  'instance.enable': 'Enabled',
  'instance.disable': 'Disabled',
  'instance.delete': 'Deleted',
  'instance.rollback': 'Rolled back',
  'instance.migrated': 'Migrated',
};

/** "instance.update" → "Updated"; unknown actions are shown readably ("instance.rotate" → "Rotate"). */
export function actionLabel(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const last = action.split('.').at(-1) ?? action;
  const spaced = last.replace(/[_-]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A CSS-safe modifier for the action ("instance.update" → "update"). */
export function actionKind(action: string): string {
  return (action.split('.').at(-1) ?? action).toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/**
 * The keys worth listing: what an update changed. A create lists every key it set, which
 * says little, so it is summarised as a count; enable/disable speak for themselves.
 */
export function auditDetail(action: string, changedKeys: readonly string[], labels: Readonly<Record<string, string>>): { keys: string[]; summary?: string } {
  if (action === 'instance.create') {
    const n = changedKeys.length;
    return n === 0 ? { keys: [] } : { keys: [], summary: `${n} ${n === 1 ? 'setting' : 'settings'}` };
  }
  if (action === 'instance.enable' || action === 'instance.disable') return { keys: [] };
  return { keys: changedKeys.map((key) => labels[key] ?? key) };
}
