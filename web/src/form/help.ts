/**
 * A field's description and help text, shown under the field (what an admin reads while
 * filling it in). Long text is clamped to two lines until the user opens it (FieldShell's
 * More/Less button), so a paragraph under every field does not bury the form; screen readers
 * get all of it through aria-describedby either way. Pure.
 */
import { FieldType, type FieldSpec } from '../sdk.ts';

/** Longer than this (in characters), a description or help text is clamped until opened. */
export const LONG_HELP_CHARACTERS = 160;

export interface HelpText {
  text: string;
  /** Clamped to two lines, with a More/Less button. */
  long: boolean;
}

/** The description, then the help text, each when not blank. */
export function fieldHelp(field: Pick<FieldSpec, 'description' | 'helpText'>): HelpText[] {
  const help: HelpText[] = [];
  for (const text of [field.description, field.helpText]) {
    const trimmed = text?.trim();
    if (trimmed) help.push({ text: trimmed, long: trimmed.length > LONG_HELP_CHARACTERS });
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
