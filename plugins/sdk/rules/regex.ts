/**
 * Compiles schema patterns the way JSON Schema tools do: ECMA-262 with the `u` flag (Ajv's
 * default), unanchored. One dialect everywhere means a pattern accepted at registration
 * behaves the same in the validator, in the console and in other teams' JSON Schema tools.
 */

const cache = new Map<string, RegExp | null>();

/** The compiled pattern, or `undefined` when the source is not a valid regular expression. */
export function compilePattern(source: string): RegExp | undefined {
  let compiled = cache.get(source);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(source, 'u');
    } catch {
      compiled = null;
    }
    cache.set(source, compiled);
  }
  return compiled ?? undefined;
}
