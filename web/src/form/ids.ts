/** The ids that tie one field's label, control, description and error message together. */
export interface FieldIds {
  /** The focusable control (the first one, for widgets with several). */
  control: string;
  label: string;
  description: string;
  error: string;
}

/** Field keys are identifiers in practice; anything else is made safe for an id. */
export function fieldIds(formId: string, key: string): FieldIds {
  const base = `${formId}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return { control: base, label: `${base}-label`, description: `${base}-description`, error: `${base}-error` };
}

/** Joins the ids an `aria-describedby` should name, leaving out the ones not rendered. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => Boolean(id));
  return present.length > 0 ? present.join(' ') : undefined;
}
