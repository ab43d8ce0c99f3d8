/**
 * Pure helpers for write-only secrets. The console never knows a stored secret's value: it
 * knows only whether one is set, and what the user wants to do about it (a SecretDraft).
 */
import { isSecretField, type FieldSpec } from '../sdk.ts';
import type { SecretDraft, SecretState, SecretStatus } from './types.ts';

/**
 * Stands in for a stored secret when the whole form is validated, so that a required secret
 * that is already set counts as present. It goes to the validator only: never into the DOM
 * or a payload. Errors the validator reports about it are ignored (see `keptSecretKeys`),
 * since rules about the real value were checked by the server when it was stored.
 */
export const STORED_SECRET_PLACEHOLDER = 'stored-secret-placeholder';

export function secretFields(fields: readonly FieldSpec[]): FieldSpec[] {
  return fields.filter(isSecretField);
}

/** A set secret starts as "keep"; an unset one starts as an empty input. */
export function initialSecretDrafts(fields: readonly FieldSpec[], state: SecretState = {}): Record<string, SecretDraft> {
  const drafts: Record<string, SecretDraft> = {};
  for (const field of secretFields(fields)) {
    drafts[field.key] = state[field.key]?.isSet ? { kind: 'keep' } : { kind: 'enter', value: '' };
  }
  return drafts;
}

/**
 * The `secrets` part of a payload: only what changed. A typed value sets or replaces, a
 * clear of a set secret removes it; "keep" and an empty input send nothing.
 */
export function secretsPayload(
  drafts: Readonly<Record<string, SecretDraft>>,
  state: SecretState = {},
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, draft] of Object.entries(drafts)) {
    if (draft.kind === 'enter' && draft.value !== '') out[key] = draft.value;
    else if (draft.kind === 'clear' && state[key]?.isSet) out[key] = null;
  }
  return out;
}

/**
 * Whether the stored value stays: kept explicitly, or "Replace" opened but nothing typed
 * (an empty replacement is not sent, so the server keeps what it has).
 */
export function keepsStoredSecret(draft: SecretDraft, status: SecretStatus | undefined): boolean {
  return draft.kind === 'keep' || (draft.kind === 'enter' && draft.value === '' && status?.isSet === true);
}

/** Secret values as the validator should see them: typed text, or the placeholder when the stored one stays. */
export function secretsForValidation(
  drafts: Readonly<Record<string, SecretDraft>>,
  state: SecretState = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, draft] of Object.entries(drafts)) {
    if (keepsStoredSecret(draft, state[key])) out[key] = STORED_SECRET_PLACEHOLDER;
    else if (draft.kind === 'enter' && draft.value !== '') out[key] = draft.value;
  }
  return out;
}

/** Keys whose stored value stays: the validator's opinion of the placeholder is not news. */
export function keptSecretKeys(drafts: Readonly<Record<string, SecretDraft>>, state: SecretState = {}): Set<string> {
  return new Set(Object.entries(drafts).filter(([key, draft]) => keepsStoredSecret(draft, state[key])).map(([key]) => key));
}

/** "12 Mar 2025, 14:05" in the reader's locale, or `undefined` for a missing/bad timestamp. */
export function formatChangedAt(iso: string | null | undefined, locale?: string): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
