import { createSignal } from 'solid-js';
import { render } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { ConfigForm } from '../../web/src/form/index.ts';
import type { ServerFieldError } from '../../web/src/form/types.ts';
import { describedErrors, fieldOf, fireEvent, leave, renderForm, screen, type, within } from './helpers.tsx';

const fields: FieldSpec[] = [
  { key: 'name', label: 'Name', type: 'STRING', required: true, order: 1 },
  { key: 'phone', label: 'Phone', type: 'PHONE', required: true, pattern: '^\\+\\d{7,15}$', order: 2 },
  { key: 'retries', label: 'Retries', type: 'INTEGER', minValue: 0, maxValue: 10, order: 3 },
  { key: 'email', label: 'Email', type: 'EMAIL', order: 4 },
];

const errorText = (container: HTMLElement, key: string) =>
  fieldOf(container, key).querySelector('.pf-field__error')?.textContent ?? null;

describe('errors appear once a field is touched', () => {
  it('shows nothing before blur, the validator message after it', () => {
    const { container } = renderForm({ fields });
    const name = screen.getByLabelText(/^Name/);
    expect(errorText(container, 'name')).toBeNull();
    type(name, 'x');
    type(name, '');
    expect(errorText(container, 'name')).toBeNull(); // still typing: no scolding yet
    leave(name);
    expect(errorText(container, 'name')).toMatch(/Name.*required/i);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    // Other fields are untouched, so they stay quiet.
    expect(errorText(container, 'phone')).toBeNull();
  });

  it('re-validates as the user types once touched, and clears when fixed', () => {
    const { container } = renderForm({ fields });
    const retries = screen.getByLabelText('Retries');
    type(retries, '50');
    leave(retries);
    expect(errorText(container, 'retries')).toMatch(/10/);
    type(retries, '5');
    expect(errorText(container, 'retries')).toBeNull();
    expect(retries.hasAttribute('aria-invalid')).toBe(false);
  });

  it('checks a field against the fields the parent gives now, after they change', () => {
    const [current, setCurrent] = createSignal(fields);
    const { container } = render(() => <ConfigForm fields={current()} />);
    type(screen.getByLabelText('Retries'), '8');
    leave(screen.getByLabelText('Retries'));
    expect(errorText(container, 'retries')).toBeNull();
    // The live check of a field is planned once per field; new fields plan it again.
    setCurrent(fields.map((field) => (field.key === 'retries' ? { ...field, maxValue: 5 } : field)));
    type(screen.getByLabelText('Retries'), '7');
    expect(errorText(container, 'retries')).toMatch(/5/);
  });

  it('links each error with aria-describedby to the element holding the message', () => {
    const { container } = renderForm({
      fields: [{ ...fields[1]!, description: 'International format.' }],
    });
    const phone = screen.getByLabelText(/^Phone/);
    type(phone, '12');
    leave(phone);
    const ids = phone.getAttribute('aria-describedby')!.split(' ');
    expect(ids).toHaveLength(2); // the description, then the error
    // The hint: the visible description, then what the validator requires (its pattern).
    expect(document.getElementById(ids[0]!)?.textContent).toMatch(/^International format\.Matches \^/);
    const errorEl = document.getElementById(ids[1]!)!;
    expect(errorEl.textContent).toMatch(/Phone/);
    expect(fieldOf(container, 'phone').contains(errorEl)).toBe(true);
    expect(describedErrors(phone)).toHaveLength(1);
  });
});

describe('submit', () => {
  it('with errors: shows them all, focuses the first invalid field in display order, does not submit', () => {
    const { container, onSubmit, submit } = renderForm({ fields, mode: 'edit', values: { retries: 99 } });
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByLabelText(/^Name/));
    expect(errorText(container, 'name')).toMatch(/required/i);
    expect(errorText(container, 'phone')).toMatch(/required/i);
    expect(errorText(container, 'retries')).toMatch(/10/);
    expect(errorText(container, 'email')).toBeNull();
  });

  it('focuses a later field when the earlier ones are valid', () => {
    const { onSubmit, submit } = renderForm({ fields, mode: 'edit', values: { name: 'n', phone: '+15550100', retries: 11 } });
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByLabelText('Retries'));
  });

  it('when valid: calls onSubmit with typed, compacted values', () => {
    const { onSubmit, submit } = renderForm({ fields });
    type(screen.getByLabelText(/^Name/), 'Shop');
    type(screen.getByLabelText(/^Phone/), '+15550100');
    type(screen.getByLabelText('Retries'), '3');
    submit();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0]![0]).toEqual({ values: { name: 'Shop', phone: '+15550100', retries: 3 }, secrets: {} });
  });

  it('api.validate() does what a submit does, without submitting', () => {
    const { api, onSubmit, container } = renderForm({ fields });
    expect(api().validate()).toBe(false);
    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorText(container, 'name')).toMatch(/required/i);
    expect(api().payload()).toEqual({ values: {}, secrets: {} });
  });
});

describe('server errors', () => {
  function renderWithServer(initial: ServerFieldError[] = []) {
    const [errors, setErrors] = createSignal<ServerFieldError[]>(initial);
    const result = render(() => (
      <ConfigForm fields={fields} mode="edit" values={{ name: 'Shop', phone: '+15550100' }} serverErrors={errors()} />
    ));
    return { ...result, setErrors };
  }

  it('land on their fields (touched or not), focus the first, and clear when that field changes', () => {
    const { container, setErrors } = renderWithServer();
    setErrors([
      { field: 'phone', message: 'Not registered with WhatsApp.' },
      { field: 'name', message: 'Name already used by another instance.' },
    ]);
    expect(errorText(container, 'phone')).toBe('Not registered with WhatsApp.');
    expect(errorText(container, 'name')).toBe('Name already used by another instance.');
    const name = screen.getByLabelText(/^Name/);
    expect(document.activeElement).toBe(name); // first in display order
    expect(describedErrors(name)).toEqual(['Name already used by another instance.']);
    type(name, 'Shop 2');
    expect(errorText(container, 'name')).toBeNull();
    expect(errorText(container, 'phone')).toBe('Not registered with WhatsApp.');
  });

  it('block a resubmit until the field is changed', () => {
    const onSubmit = (() => {
      const calls: unknown[] = [];
      return Object.assign((p: unknown) => void calls.push(p), { calls });
    })();
    const [errors, setErrors] = createSignal<ServerFieldError[]>([]);
    render(() => (
      <ConfigForm
        fields={fields}
        mode="edit"
        values={{ name: 'Shop', phone: '+15550100' }}
        serverErrors={errors()}
        onSubmit={onSubmit}
      />
    ));
    setErrors([{ field: 'phone', message: 'Not registered.' }]);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit.calls).toHaveLength(0);
    type(screen.getByLabelText(/^Phone/), '+15550199');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit.calls).toHaveLength(1);
  });

  it('an error about no particular field is shown above the form', () => {
    const { setErrors } = renderWithServer();
    setErrors([{ field: '', message: 'The plugin refused this configuration.' }]);
    expect(within(screen.getByRole('alert')).getByText('The plugin refused this configuration.')).toBeTruthy();
  });
});

describe('form chrome', () => {
  it('renders extra actions before the submit button, and a busy submit button', () => {
    const [busy, setBusy] = createSignal(false);
    render(() => (
      <ConfigForm fields={fields} submitLabel="Create" submitting={busy()}>
        <button type="button">Test connection</button>
      </ConfigForm>
    ));
    const buttons = screen.getAllByRole('button').map((b) => b.textContent);
    expect(buttons.slice(-2)).toEqual(['Test connection', 'Create']);
    setBusy(true);
    const submit = screen.getByRole('button', { name: 'Saving…' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
  });

  it('is a named form that leaves validation to the SDK, not the browser', () => {
    render(() => <ConfigForm fields={fields} aria-label="WhatsApp configuration" />);
    const form = screen.getByRole('form', { name: 'WhatsApp configuration' }) as HTMLFormElement;
    expect(form.noValidate).toBe(true);
  });
});
