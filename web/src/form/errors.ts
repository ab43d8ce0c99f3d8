/** Pure helpers that place validator and server errors on the fields they are about. */
import { FieldType, type FieldSpec } from '../sdk.ts';

export interface PlacedErrors {
  /** Messages per field key (a field with no error has no entry). */
  byField: Record<string, string[]>;
  /**
   * Messages about one item of an ARRAY field, per field key and item index (zero-based, an
   * index into the value, as the validator reports `tags[1]`). The list editor shows them
   * by their row, so they are not repeated in `byField`.
   */
  byItem: Record<string, Record<number, string[]>>;
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

/** The item index of a path such as `tags[1]`, `tags.1` or `tags/1` under `key`; undefined for the field itself. */
export function itemIndexOf(path: string, key: string): number | undefined {
  const match = /^(?:\[(\d+)\]|[./](\d+))/.exec(path.slice(key.length));
  const digits = match?.[1] ?? match?.[2];
  return digits === undefined ? undefined : Number(digits);
}

export function placeErrors(
  errors: readonly { field: string; message: string }[],
  fields: readonly FieldSpec[],
  ignore: ReadonlySet<string> = new Set(),
): PlacedErrors {
  const keys = new Set(fields.map((f) => f.key));
  const arrays = new Set(fields.filter((f) => f.type === FieldType.ARRAY).map((f) => f.key));
  const byField: Record<string, string[]> = {};
  const byItem: Record<string, Record<number, string[]>> = {};
  const general: string[] = [];
  const addTo = (list: string[], message: string) => {
    if (!list.includes(message)) list.push(message);
  };
  for (const error of errors) {
    const key = fieldKeyOf(error.field, keys);
    if (key === undefined) {
      general.push(error.field ? `${error.field}: ${error.message}` : error.message);
      continue;
    }
    if (ignore.has(key)) continue;
    const item = arrays.has(key) ? itemIndexOf(error.field, key) : undefined;
    if (item === undefined) addTo((byField[key] ??= []), error.message);
    else addTo(((byItem[key] ??= {})[item] ??= []), error.message);
  }
  return { byField, byItem, general };
}

/** Whether a field has any message, on the field itself or on one of its items. */
export function hasErrors(placed: Pick<PlacedErrors, 'byField' | 'byItem'>, key: string): boolean {
  return (placed.byField[key]?.length ?? 0) > 0 || Object.keys(placed.byItem[key] ?? {}).length > 0;
}
