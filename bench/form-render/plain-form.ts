/**
 * The same form in plain HTML: one labelled native control per field (text, password,
 * number, checkbox, select), with its placeholder and help, in a `<fieldset>` per group, in
 * one `<form>`; no framework, no script on input, no validation. Each fieldset skips
 * rendering out of view (`content-visibility: auto`, as a hand-written long form would).
 *
 * plain.ts is this form whole: what Chromium itself costs per key press on a page holding
 * this many form controls (editing, the frame, and its autofill pass over the form's
 * controls), which the lone input of native.ts does not pay. Two diagnostic variants take
 * that cost apart (bench/README.md, "What a key press costs beyond a lone input"):
 * plain-sparse.ts keeps real controls only in the group typed into, and plain-one-group.ts
 * renders that group alone.
 */
import { FieldType, type FieldSpec } from '../../plugins/sdk/index.ts';
import type { BenchForm } from './schema.ts';
import type { FormAdapter } from './harness.ts';

export interface PlainFormShape {
  /**
   * Which groups have real form controls. In the others each field's value is a focusable
   * `<div role="textbox">`: what a form whose inputs become real only near the viewport
   * would render there.
   */
  controls: 'every group' | 'typed group';
  /** Which groups are in the DOM at all. */
  groups: 'every group' | 'typed group';
}

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

/** A field's value as text in a focusable box, named by its label: not a form control. */
function standIn(value: unknown): HTMLDivElement {
  const box = document.createElement('div');
  box.tabIndex = 0;
  box.setAttribute('role', 'textbox');
  box.textContent = value === undefined ? '' : String(value);
  return box;
}

export function plainFormAdapter(shape: PlainFormShape): FormAdapter {
  return {
    mount(container, form: BenchForm) {
      const typedGroup = form.fields.find((field) => field.key === form.targetKey)!.group!;
      const included = (group: string, scope: PlainFormShape['groups']) => scope === 'every group' || group === typedGroup;
      const sets = new Map<string, HTMLFieldSetElement>();
      for (const group of form.groups.filter((g) => included(g, shape.groups))) {
        const set = document.createElement('fieldset');
        set.style.contentVisibility = 'auto';
        set.style.containIntrinsicSize = 'auto 30rem';
        const legend = document.createElement('legend');
        legend.textContent = group;
        set.append(legend);
        sets.set(group, set);
      }
      for (const field of form.fields) {
        const set = sets.get(field.group!);
        if (!set) continue;
        const row = document.createElement('div');
        const label = document.createElement('label');
        const value = form.values[field.key];
        const id = `plain_${field.key}`;
        label.textContent = field.label;
        if (included(field.group!, shape.controls)) {
          const input = control(field, value);
          input.id = id;
          input.name = field.key;
          label.htmlFor = id;
          row.append(label, input);
        } else {
          const box = standIn(value);
          box.id = id;
          label.id = `${id}_label`;
          box.setAttribute('aria-labelledby', label.id);
          row.append(label, box);
        }
        for (const text of [field.description, field.helpText]) {
          if (!text) continue;
          const help = document.createElement('p');
          help.textContent = text;
          row.append(help);
        }
        set.append(row);
      }
      const formElement = document.createElement('form');
      formElement.noValidate = true;
      formElement.append(...sets.values());
      container.replaceChildren(formElement);
    },
    unmount() {},
    input: (container, key) => container.querySelector<HTMLInputElement>(`input#plain_${key}`),
    errorShown: () => false,
  };
}
