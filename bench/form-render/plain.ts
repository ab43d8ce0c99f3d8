/**
 * The same form in plain HTML: one labelled native control per field (text, password,
 * number, checkbox, select), with its placeholder and help, in a `<fieldset>` per group, in
 * one `<form>`; no framework, no script on input, no validation. Each fieldset skips
 * rendering out of view (`content-visibility: auto`, as a hand-written long form would).
 * Its key press is what Chromium itself costs for a page holding this many form controls
 * (editing, the frame, and its autofill pass over the form's controls), which the lone input
 * of native.ts does not pay.
 */
import { FieldType, type FieldSpec } from '../../plugins/sdk/index.ts';
import { installBench } from './harness.ts';

const INPUT_TYPES: Partial<Record<string, string>> = {
  [FieldType.URL]: 'url',
  [FieldType.EMAIL]: 'email',
  [FieldType.SECRET]: 'password',
  [FieldType.INTEGER]: 'number',
  [FieldType.FLOAT]: 'number',
  [FieldType.BOOLEAN]: 'checkbox',
};

function control(field: FieldSpec, value: unknown): HTMLInputElement | HTMLSelectElement {
  if (field.type === FieldType.SELECT) {
    const select = document.createElement('select');
    for (const option of field.options ?? []) select.add(new Option(option.label, option.value));
    select.value = String(value ?? '');
    return select;
  }
  const input = document.createElement('input');
  input.type = INPUT_TYPES[field.type] ?? 'text';
  if (field.placeholder) input.placeholder = field.placeholder;
  if (input.type === 'checkbox') input.checked = value === true;
  else input.value = value === undefined ? '' : String(value);
  return input;
}

installBench({
  mount(container, form) {
    const sets = new Map<string, HTMLFieldSetElement>();
    for (const group of form.groups) {
      const set = document.createElement('fieldset');
      set.style.contentVisibility = 'auto';
      set.style.containIntrinsicSize = 'auto 30rem';
      const legend = document.createElement('legend');
      legend.textContent = group;
      set.append(legend);
      sets.set(group, set);
    }
    for (const field of form.fields) {
      const row = document.createElement('div');
      const label = document.createElement('label');
      const input = control(field, form.values[field.key]);
      input.id = `plain_${field.key}`;
      input.name = field.key;
      label.htmlFor = input.id;
      label.textContent = field.label;
      row.append(label, input);
      for (const text of [field.description, field.helpText]) {
        if (!text) continue;
        const help = document.createElement('p');
        help.textContent = text;
        row.append(help);
      }
      sets.get(field.group!)!.append(row);
    }
    const formElement = document.createElement('form');
    formElement.noValidate = true;
    formElement.append(...sets.values());
    container.replaceChildren(formElement);
  },
  unmount() {},
  input: (container, key) => container.querySelector<HTMLInputElement>(`#plain_${key}`),
  errorShown: () => false,
});
