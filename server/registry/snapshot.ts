/**
 * A deep, frozen copy of a plugin's schema. The registry keeps its own copy so that a plugin
 * mutating its schema object later (or a caller mutating what `list()` returns) cannot change
 * what was checked at registration. Functions (custom validation rules) are kept as they are.
 */
export function frozenCopy<T>(value: T): T {
  return copy(value, [], '') as T;
}

function copy(value: unknown, ancestors: object[], at: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) {
    throw new Error(`the schema refers to itself at ${at || 'its root'}`);
  }
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    return Object.freeze(value.map((item, i) => copy(item, inner, `${at}[${i}]`)));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = copy((value as Record<string, unknown>)[key], inner, at === '' ? key : `${at}.${key}`);
  }
  return Object.freeze(out);
}
