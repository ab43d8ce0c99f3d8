/**
 * Where a field's description and help text go: visible under the field when short (what an
 * admin reads while filling it in), behind the ⓘ tooltip when long (a paragraph under every
 * field would bury the form). Screen readers get all of it through aria-describedby. Pure.
 */
import { FieldType, type FieldSpec } from '../sdk.ts';

/** Longer than this (in characters), a description or help text goes into the tooltip. */
export const LONG_HELP_CHARACTERS = 160;

export interface FieldHelp {
  /** Shown under the field. */
  visible: string[];
  /** Shown in the tooltip (and read with the field). */
  long: string[];
}

export function fieldHelp(field: Pick<FieldSpec, 'description' | 'helpText'>): FieldHelp {
  const help: FieldHelp = { visible: [], long: [] };
  for (const text of [field.description, field.helpText]) {
    const trimmed = text?.trim();
    if (!trimmed) continue;
    (trimmed.length > LONG_HELP_CHARACTERS ? help.long : help.visible).push(trimmed);
  }
  return help;
}

/**
 * How wide a field is in the form's grid on a wide screen: multi-line and list editors take
 * the whole row, single-line controls share it two by two. On a phone every field is full width.
 */
export function fieldSpan(field: Pick<FieldSpec, 'type'>): 'full' | 'half' {
  switch (field.type) {
    case FieldType.TEXT:
    case FieldType.JSON:
    case FieldType.ARRAY:
    case FieldType.MULTI_SELECT:
      return 'full';
    default:
      return 'half';
  }
}
