/**
 * The floor of a key press: the page holds one plain `<input>` (the field the keystrokes go
 * to) and nothing else — no framework, no state, no validation, no other field. Its
 * keystroke time is Chromium's own fixed cost (the editing command and a frame) in this
 * harness, which no form of any size can go below; the table puts it next to rjsf's time.
 * (Its mount is not a floor for a form's first render, so only its key presses are compared.)
 */
import { installBench } from './harness.ts';

installBench({
  mount(container, form) {
    const input = document.createElement('input');
    input.id = `native_${form.targetKey}`;
    input.value = String(form.values[form.targetKey] ?? '');
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = 'Display name';
    container.replaceChildren(label, input);
  },
  unmount() {},
  input: (container, key) => container.querySelector<HTMLInputElement>(`#native_${key}`),
  errorShown: () => false,
});
