import { describe, expect, it, vi } from 'vitest';
import type { FieldSpec } from '../../plugins/sdk/index.ts';
import { validateConfig } from '../../plugins/sdk/validate.ts';
import { STORED_SECRET_PLACEHOLDER } from '../../web/src/form/secrets.ts';
import { fieldOf, fireEvent, renderForm, screen, type } from './helpers.tsx';

// The real validator, watched: the tests check what the form asks it.
vi.mock('../../plugins/sdk/validate.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../plugins/sdk/validate.ts')>();
  return { ...real, validateConfig: vi.fn(real.validateConfig) };
});

const SECRET_VALUE = 'EAAG-very-secret-token-1234567890';
const fields: FieldSpec[] = [
  { key: 'name', label: 'Name', type: 'STRING', required: true },
  { key: 'token', label: 'Access Token', type: 'SECRET', required: true, minLength: 20 },
  { key: 'hook', label: 'Hook Token', type: 'STRING', isSecret: true },
];
const setState = { token: { isSet: true, updatedAt: '2025-03-12T14:05:00Z' }, hook: { isSet: false } };

/** Nowhere in the markup: not as text, not as an attribute. */
function expectNotInDom(value: string) {
  expect(document.documentElement.outerHTML).not.toContain(value);
}

describe('secrets in create mode', () => {
  it('are empty password inputs; a typed value goes into `secrets`, never into values or markup', () => {
    const { onSubmit, submit, lastChange } = renderForm({ fields });
    const token = screen.getByLabelText(/^Access Token/) as HTMLInputElement;
    expect(token.type).toBe('password');
    expect(token.getAttribute('autocomplete')).toBe('new-password');
    expect(token.value).toBe('');
    type(screen.getByLabelText(/^Name/), 'Shop');
    type(token, SECRET_VALUE);
    expectNotInDom(SECRET_VALUE);
    expect(lastChange()).toEqual({ values: { name: 'Shop' }, secrets: { token: SECRET_VALUE } });
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: { token: SECRET_VALUE } });
    expectNotInDom(SECRET_VALUE);
  });

  it('a required secret left empty is an error on submit', () => {
    const { container, onSubmit, submit } = renderForm({ fields });
    type(screen.getByLabelText(/^Name/), 'Shop');
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    const token = screen.getByLabelText(/^Access Token/);
    expect(document.activeElement).toBe(token);
    expect(fieldOf(container, 'token').querySelector('.pf-field__error')?.textContent).toMatch(/required/i);
  });
});

describe('secrets in edit mode', () => {
  const edit = () => renderForm({ fields, mode: 'edit', values: { name: 'Shop' }, secretState: setState });

  it('a set secret reads "Set · changed <date>" with Replace and Clear, and no input', () => {
    const { container } = edit();
    const token = fieldOf(container, 'token');
    expect(token.querySelector('input')).toBeNull();
    expect(token.textContent).toMatch(/Set · changed .*2025/);
    expect(token.querySelector('time')?.getAttribute('datetime')).toBe('2025-03-12T14:05:00Z');
    expect(screen.getByRole('button', { name: 'Replace Access Token' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Clear Access Token' })).toBeTruthy();
    // An unset secret is just an empty input.
    expect((screen.getByLabelText('Hook Token') as HTMLInputElement).type).toBe('password');
  });

  it('an untouched secret is not sent, and a required one that is set counts as present', () => {
    const { onSubmit, submit } = edit();
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: {} });
  });

  it('the validator alone sees a placeholder for the stored secret', () => {
    const spy = vi.mocked(validateConfig);
    spy.mockClear();
    const { onSubmit, submit } = edit();
    submit();
    expect(spy).toHaveBeenCalled();
    expect(spy.mock.calls.at(-1)![1]).toEqual({ name: 'Shop', token: STORED_SECRET_PLACEHOLDER });
    expect(JSON.stringify(onSubmit.mock.calls)).not.toContain(STORED_SECRET_PLACEHOLDER);
    expectNotInDom(STORED_SECRET_PLACEHOLDER);
  });

  it('Replace opens an empty, focused input; the new value is sent; Cancel keeps the stored one', () => {
    const { onSubmit, submit, lastChange } = edit();
    fireEvent.click(screen.getByRole('button', { name: 'Replace Access Token' }));
    const input = screen.getByLabelText(/^Access Token/) as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.value).toBe('');
    expect(document.activeElement).toBe(input);
    type(input, SECRET_VALUE);
    expect(lastChange()?.secrets).toEqual({ token: SECRET_VALUE });
    expectNotInDom(SECRET_VALUE);
    fireEvent.click(screen.getByRole('button', { name: 'Keep the current Access Token' }));
    expect(lastChange()?.secrets).toEqual({});
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Replace Access Token' }));
    expect(screen.queryByLabelText(/^Access Token/, { selector: 'input' })).toBeNull();
    submit();
    expect(onSubmit).toHaveBeenLastCalledWith({ values: { name: 'Shop' }, secrets: {} });
  });

  it('Replace with nothing typed still counts as set (the stored value is kept)', () => {
    const { onSubmit, submit } = edit();
    fireEvent.click(screen.getByRole('button', { name: 'Replace Access Token' }));
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: {} });
  });

  it('a replaced secret is validated like any value (no placeholder then)', () => {
    const { container, onSubmit, submit } = edit();
    fireEvent.click(screen.getByRole('button', { name: 'Replace Access Token' }));
    type(screen.getByLabelText(/^Access Token/), 'short');
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    expect(fieldOf(container, 'token').querySelector('.pf-field__error')?.textContent).toMatch(/20/);
    type(screen.getByLabelText(/^Access Token/), SECRET_VALUE);
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: { token: SECRET_VALUE } });
  });

  it('Clear marks the secret for removal (sent as null) and can be undone', () => {
    const { onSubmit, submit, lastChange, container } = edit();
    fireEvent.click(screen.getByRole('button', { name: 'Clear Access Token' }));
    expect(fieldOf(container, 'token').textContent).toMatch(/Will be removed when you save/);
    expect(lastChange()?.secrets).toEqual({ token: null });
    const undo = screen.getByRole('button', { name: 'Undo clearing Access Token' });
    expect(document.activeElement).toBe(undo);
    fireEvent.click(undo);
    expect(lastChange()?.secrets).toEqual({});
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Replace Access Token' }));
    expect(fieldOf(container, 'token').textContent).toMatch(/Set · changed/);
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: {} });
  });

  it('clearing a required secret is an error on submit, focused on the secret', () => {
    const { onSubmit, submit, container } = edit();
    fireEvent.click(screen.getByRole('button', { name: 'Clear Access Token' }));
    submit();
    expect(onSubmit).not.toHaveBeenCalled();
    const group = screen.getByRole('group', { name: /^Access Token/ });
    expect(document.activeElement).toBe(group);
    expect(group.getAttribute('aria-invalid')).toBe('true');
    expect(fieldOf(container, 'token').querySelector('.pf-field__error')?.textContent).toMatch(/required/i);
  });

  it('clearing an optional secret is sent as null', () => {
    const { onSubmit, submit } = renderForm({
      fields,
      mode: 'edit',
      values: { name: 'Shop' },
      secretState: { token: setState.token, hook: { isSet: true } },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Clear Hook Token' }));
    submit();
    expect(onSubmit).toHaveBeenCalledWith({ values: { name: 'Shop' }, secrets: { hook: null } });
  });

  it('a server error on a secret clears when the user replaces it', () => {
    const { container } = renderForm({
      fields,
      mode: 'edit',
      values: { name: 'Shop' },
      secretState: setState,
      serverErrors: [{ field: 'token', message: 'Meta rejected this token.' }],
    });
    const error = () => fieldOf(container, 'token').querySelector('.pf-field__error')?.textContent ?? null;
    expect(error()).toBe('Meta rejected this token.');
    expect(document.activeElement).toBe(screen.getByRole('group', { name: /^Access Token/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Replace Access Token' }));
    expect(error()).toBeNull();
  });

  it('initial values never put a secret into the form', () => {
    const { onSubmit, submit } = renderForm({
      fields,
      mode: 'edit',
      values: { name: 'Shop', token: SECRET_VALUE },
      secretState: setState,
    });
    expectNotInDom(SECRET_VALUE);
    submit();
    expect(JSON.stringify(onSubmit.mock.calls)).not.toContain(SECRET_VALUE);
  });
});
