/** How a stored configuration value reads on the detail screen. Pure. */

export type DisplayValue =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'code'; text: string };

export function displayValue(value: unknown, type: string): DisplayValue {
  if (value === undefined || value === null || value === '') return { kind: 'empty' };
  if (type === 'BOOLEAN' || typeof value === 'boolean') return { kind: 'text', text: value === true ? 'Yes' : 'No' };
  if (type === 'JSON') return { kind: 'code', text: JSON.stringify(value, null, 2) };
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'empty' };
    return { kind: 'list', items: value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) };
  }
  if (typeof value === 'object') return { kind: 'code', text: JSON.stringify(value, null, 2) };
  return { kind: 'text', text: String(value) };
}
