/**
 * Removing secret values from anything that leaves a plugin or the platform: messages,
 * details, log lines. Browser-safe and pure. A secret also leaks in the forms code is likely
 * to write it in: inside a JSON text (quotes and backslashes escaped) or in a URL
 * (percent-encoded), so those forms are removed too.
 */
export const REDACTED = '[redacted]';

export interface RedactOptions {
  /** Secrets shorter than this are left alone (default 1: every non-empty secret). */
  minLength?: number;
}

/**
 * `value` with every form of every secret replaced by `[redacted]`: a string directly, any
 * other value as plain JSON data (strings and keys walked; cycles throw a TypeError).
 */
export function redact<T>(value: T, secrets: readonly (string | undefined)[], options: RedactOptions = {}): T {
  const minLength = Math.max(1, options.minLength ?? 1);
  const forms = [
    ...new Set(secrets.filter((s): s is string => s !== undefined && s.length >= minLength).flatMap(secretForms)),
  ].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return value;
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join(REDACTED), text);
  if (typeof value === 'string') return scrub(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return scrub(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [scrub(key), walk(item)]));
  };
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return walk(plain) as T;
}

function secretForms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}
