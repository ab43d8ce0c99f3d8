/** Shared helpers for the form renderer's component tests. */
import { fireEvent, render, screen, within } from '@solidjs/testing-library';
import { vi } from 'vitest';
import { ConfigForm, type ConfigFormApi, type ConfigFormProps } from '../../web/src/form/index.ts';
import type { ConfigPayload } from '../../web/src/form/types.ts';

export function renderForm(props: ConfigFormProps) {
  const onSubmit = vi.fn<(payload: ConfigPayload) => void>();
  const onChange = vi.fn<(payload: ConfigPayload) => void>();
  let api!: ConfigFormApi;
  const result = render(() => (
    <ConfigForm
      onSubmit={onSubmit}
      onChange={onChange}
      ref={(a) => (api = a)}
      {...props}
    />
  ));
  return {
    ...result,
    onSubmit,
    onChange,
    api: () => api,
    /** The payload of the last change. */
    lastChange: () => onChange.mock.calls.at(-1)?.[0],
    submit: () => fireEvent.click(screen.getByRole('button', { name: props.submitLabel ?? 'Save' })),
  };
}

/** Types into an input or textarea the way a browser reports it: value, then `input`. */
export function type(element: HTMLElement, text: string) {
  (element as HTMLInputElement).value = text;
  fireEvent.input(element);
}

/** Focus moves away from the element (to nothing), as when the user tabs out. */
export function leave(element: HTMLElement) {
  element.focus();
  element.blur();
}

/** The field container of a field key. */
export function fieldOf(container: HTMLElement, key: string): HTMLElement {
  const el = container.querySelector<HTMLElement>(`[data-field="${key}"]`);
  if (!el) throw new Error(`no field ${key}`);
  return el;
}

/** The error message element a control points at through aria-describedby, if any. */
export function describedErrors(control: HTMLElement): string[] {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids
    .map((id) => document.getElementById(id))
    .filter((el): el is HTMLElement => el !== null && el.classList.contains('pf-field__error'))
    .map((el) => el.textContent ?? '');
}

const mouse = { pointerType: 'mouse', button: 0 } as const;

/** Clicks like a pointer does (Kobalte listens to pointer events, not only click). */
export function press(element: HTMLElement) {
  fireEvent.pointerDown(element, mouse);
  fireEvent.pointerUp(element, mouse);
  fireEvent.click(element, mouse);
}

/** Opens a Kobalte Select by its trigger and picks options by their accessible name. */
export async function choose(trigger: HTMLElement, ...names: string[]) {
  press(trigger);
  const listbox = await screen.findByRole('listbox');
  for (const name of names) press(within(listbox).getByRole('option', { name: new RegExp(`^${name}`) }));
}

export { screen, within, fireEvent };
