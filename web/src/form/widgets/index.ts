/** Which widget renders which field type. SECRET is handled by the form (it has no plain value). */
import { FieldType } from '../../sdk.ts';
import { ArrayEditor } from './ArrayEditor.tsx';
import { BooleanSwitch } from './BooleanSwitch.tsx';
import { JsonEditor } from './JsonEditor.tsx';
import { MultiSelect } from './MultiSelect.tsx';
import { NumberInput } from './NumberInput.tsx';
import { SelectWidget } from './SelectWidget.tsx';
import { TextArea } from './TextArea.tsx';
import { TextInput } from './TextInput.tsx';
import type { WidgetDefinition } from './types.ts';

export const WIDGETS: Readonly<Record<Exclude<FieldType, 'SECRET'>, WidgetDefinition>> = {
  [FieldType.STRING]: { component: TextInput, label: 'for' },
  [FieldType.URL]: { component: TextInput, label: 'for' },
  [FieldType.EMAIL]: { component: TextInput, label: 'for' },
  [FieldType.PHONE]: { component: TextInput, label: 'for' },
  [FieldType.TEXT]: { component: TextArea, label: 'for' },
  [FieldType.INTEGER]: { component: NumberInput, label: 'for' },
  [FieldType.FLOAT]: { component: NumberInput, label: 'for' },
  [FieldType.BOOLEAN]: { component: BooleanSwitch, label: 'inline' },
  [FieldType.SELECT]: { component: SelectWidget, label: 'for' },
  [FieldType.MULTI_SELECT]: { component: MultiSelect, label: 'for' },
  [FieldType.JSON]: { component: JsonEditor, label: 'for' },
  [FieldType.ARRAY]: { component: ArrayEditor, label: 'group' },
};

/** A field type this console does not know yet still gets a text input rather than nothing. */
export function widgetFor(type: FieldType): WidgetDefinition {
  return (WIDGETS as Record<string, WidgetDefinition | undefined>)[type] ?? WIDGETS.STRING;
}

export type { WidgetDefinition, WidgetProps, LabelMode } from './types.ts';
export { SecretInput } from './SecretInput.tsx';
