/**
 * The floor: the same fields as plain `<label>` + `<input>` / `<select>` elements written
 * into the page at once, with no framework, no state and no validation. A key press here is
 * Chromium's own cost (the editing command, style, layout and the frame) in a page of that
 * many controls, which no form library can go below; the table shows each library next to it.
 */
import { FieldType, type FieldSpec } from '../../plugins/sdk/index.ts';
import { installBench } from './harness.ts';

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function control(field: FieldSpec, value: unknown): string {
  const id = `native_${field.key}`;
  if (field.type === FieldType.SELECT) {
    const options = (field.options ?? []).map((o) => `<option value="${escape(o.value)}"${o.value === value ? ' selected' : ''}>${escape(o.label)}</option>`);
    return `<select id="${id}" name="${field.key}">${options.join('')}</select>`;
  }
  if (field.type === FieldType.BOOLEAN) return `<input id="${id}" name="${field.key}" type="checkbox"${value ? ' checked' : ''}>`;
  const type = field.type === FieldType.SECRET ? 'password' : field.type === FieldType.INTEGER || field.type === FieldType.FLOAT ? 'number' : 'text';
  return `<input id="${id}" name="${field.key}" type="${type}" value="${escape(String(value ?? ''))}">`;
}

installBench({
  mount(container, form) {
    container.innerHTML = form.fields
      .map((field) => `<div><label for="native_${field.key}">${escape(field.label)}</label> ${control(field, form.values[field.key] ?? field.default)}</div>`)
      .join('');
  },
  unmount() {},
  input: (container, key) => container.querySelector<HTMLInputElement>(`#native_${key}`),
  errorShown: () => false,
});
