import type { Component } from 'solid-js';
import type { FieldSpec } from '../../sdk.ts';
import type { FieldIds } from '../ids.ts';

/** What every widget gets: one field, its value, and the accessibility wiring of its shell. */
export interface WidgetProps {
  field: FieldSpec;
  ids: FieldIds;
  value: unknown;
  /** Messages about single items of a list value, by item index (ARRAY shows them by their rows). */
  itemErrors?: Readonly<Record<number, readonly string[]>>;
  /** A typed value (`undefined` for "no value"). */
  onChange: (value: unknown) => void;
  /** Input that is not a value at all (unparseable number or JSON); `undefined` when fixed. */
  onInputError: (message: string | undefined) => void;
  describedBy: string | undefined;
  invalid: boolean;
  required: boolean;
}

/**
 * How the shell labels a widget: `for` puts a <label for> on the control, `inline` does the
 * same but after the control (a switch reads "[on] Sandbox mode"), `group` names a control
 * made of several inputs with aria-labelledby instead (ARRAY).
 */
export type LabelMode = 'for' | 'inline' | 'group';

export interface WidgetDefinition {
  component: Component<WidgetProps>;
  label: LabelMode;
}
