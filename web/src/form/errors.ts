/** Pure helpers that place validator and server errors on the fields they are about. */
import type { FieldSpec } from '../sdk.ts';

export interface PlacedErrors {
  /** Messages per field key (a field with no error has no entry). */
  byField: Record<string, string[]>;
  /** Messages about the configuration as a whole, or about keys the form does not show. */
  general: string[];
}

/**
 * The field key an error path points at. Validators report item errors as `tags[1]`,
 * `tags.1` or `tags/1`; all of them belong to the `tags` field.
 */
export function fieldKeyOf(path: string, keys: ReadonlySet<string>): string | undefined {
  if (keys.has(path)) return path;
  const head = /^[^.[/]+/.exec(path)?.[0];
  return head !== undefined && keys.has(head) ? head : undefined;
}

export function placeErrors(
  errors: readonly { field: string; message: string }[],
  fields: readonly FieldSpec[],
  ignore: ReadonlySet<string> = new Set(),
): PlacedErrors {
  const keys = new Set(fields.map((f) => f.key));
  const byField: Record<string, string[]> = {};
  const general: string[] = [];
  for (const error of errors) {
    const key = fieldKeyOf(error.field, keys);
    if (key === undefined) {
      general.push(error.field ? `${error.field}: ${error.message}` : error.message);
    } else if (!ignore.has(key)) {
      const list = (byField[key] ??= []);
      if (!list.includes(error.message)) list.push(error.message);
    }
  }
  return { byField, general };
}
