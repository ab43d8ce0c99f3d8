import {
  batch,
  createComputed,
  createEffect,
  createMemo,
  createSignal,
  createUniqueId,
  For,
  on,
  Show,
  untrack,
  type JSX,
} from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { isSecretField, validateConfig, type FieldSpec } from '../sdk.ts';
import { placeErrors, type PlacedErrors } from './errors.ts';
import { FieldShell } from './FieldShell.tsx';
import { groupFields, type FieldSection } from './grouping.ts';
import { describedBy, fieldIds, type FieldIds } from './ids.ts';
import { createKeyedSignals } from './keyed.ts';
import { initialSecretDrafts, keptSecretKeys, secretsForValidation, secretsPayload } from './secrets.ts';
import type { ConfigPayload, FormValues, SecretDraft, SecretState, ServerFieldError } from './types.ts';
import { compactValues, copyValue, initialValues } from './values.ts';
import { SecretInput, widgetFor } from './widgets/index.ts';

export interface ConfigFormProps {
  /** The plugin's fields (SDK FieldSpecs; use `toFormSchema` for fields from GraphQL). */
  fields: readonly FieldSpec[];
  /** Group names in display order (the plugin's `groups`); other groups follow by first appearance. */
  groups?: readonly string[];
  /** `create` prefills the schema's defaults; `edit` shows `values` as stored. Default `create`. */
  mode?: 'create' | 'edit';
  /**
   * Starting values (non-secret; secret keys here are ignored). Read once when the form
   * mounts, so what the user types survives anything the parent re-renders; remount the
   * form (e.g. keyed on the instance version) to start over from new values.
   */
  values?: FormValues;
  /** Whether each secret is stored, for edit mode. Secrets not listed count as not set. */
  secretState?: SecretState;
  /** Field errors from the last save; each one clears as soon as its field changes. */
  serverErrors?: readonly ServerFieldError[];
  submitLabel?: string;
  /** While true, the submit button is disabled and says so. */
  submitting?: boolean;
  /** Every change, as the payload a submit would send now (e.g. for Test Connection). */
  onChange?: (payload: ConfigPayload) => void;
  /** Called only when the whole form is valid. */
  onSubmit?: (payload: ConfigPayload) => void;
  /** Receives an API for actions outside the submit button. */
  ref?: (api: ConfigFormApi) => void;
  /** Extra actions rendered before the submit button (Test Connection, Cancel …). */
  children?: JSX.Element;
  /** Accessible name of the form. */
  'aria-label'?: string;
}

export interface ConfigFormApi {
  /** The payload a submit would send now. */
  payload(): ConfigPayload;
  /** Shows every error as a submit would; focuses the first one. True when valid. */
  validate(): boolean;
}

const NO_ERRORS: PlacedErrors = { byField: {}, general: [] };

/**
 * Renders a plugin's configuration form from its fields alone, validating with the SDK's
 * validateConfig as the user types. Errors show once a field has been left (or after a
 * submit attempt); submit focuses the first invalid field instead of calling onSubmit.
 */
export function ConfigForm(props: ConfigFormProps) {
  const formId = `pf-${createUniqueId()}`;
  let form!: HTMLFormElement;

  const values = createKeyedSignals<unknown>(untrack(() => initialValues(props.fields, props.values, props.mode)));
  const drafts = createKeyedSignals<SecretDraft>(untrack(() => initialSecretDrafts(props.fields, props.secretState)));
  const touched = createKeyedSignals<boolean>();
  const inputErrors = createKeyedSignals<string>();
  const serverErrors = createKeyedSignals<readonly string[]>();
  const [serverGeneral, setServerGeneral] = createSignal<readonly string[]>([]);
  const [submitted, setSubmitted] = createSignal(false);

  const sections = createMemo(() => groupFields(props.fields, props.groups));
  const orderedKeys = createMemo(() => sections().flatMap((s) => s.fields.map((f) => f.key)));
  const secretKeys = createMemo(() => props.fields.filter(isSecretField).map((f) => f.key));
  const allKeys = createMemo(() => props.fields.map((f) => f.key));

  const currentValues = () => compactValues(props.fields, values.pick(allKeys()));
  const currentDrafts = () => drafts.pick(secretKeys());

  // The whole form is validated on every change, by the same function the server runs.
  const validation = createMemo<PlacedErrors>(() => {
    const currentSecrets = currentDrafts();
    const state = props.secretState;
    const input = { ...currentValues(), ...secretsForValidation(currentSecrets, state) };
    let result: ReturnType<typeof validateConfig>;
    try {
      result = validateConfig({ fields: props.fields }, input);
    } catch (err) {
      // A broken schema must not blank the screen; the server will refuse it with a reason.
      return { byField: {}, general: [`This form cannot be checked: ${err instanceof Error ? err.message : String(err)}`] };
    }
    return result.ok ? NO_ERRORS : placeErrors(result.errors, props.fields, keptSecretKeys(currentSecrets, state));
  });
  // Copied into a store with reconcile so that only fields whose messages changed re-render.
  const [clientErrors, setClientErrors] = createStore<PlacedErrors>({ byField: {}, general: [] });
  createComputed(() => setClientErrors(reconcile(structuredClone(validation()))));

  const visibleErrors = (key: string): readonly string[] => {
    const input = inputErrors.get(key);
    if (input) return [input]; // unparseable input is shown live: there is no value to judge yet
    const client = submitted() || touched.get(key) ? (clientErrors.byField[key] ?? []) : [];
    const server = (serverErrors.get(key) ?? []).filter((m) => !client.includes(m));
    return [...client, ...server];
  };
  const generalErrors = () => [...(submitted() ? clientErrors.general : []), ...serverGeneral()];

  const payload = (): ConfigPayload => ({
    values: copyValue(untrack(currentValues)),
    secrets: secretsPayload(untrack(currentDrafts), untrack(() => props.secretState)),
  });

  const changed = (key: string) => {
    serverErrors.set(key, undefined);
    props.onChange?.(payload());
  };
  const setValue = (key: string, value: unknown) => {
    batch(() => {
      values.set(key, value);
      changed(key);
    });
  };
  const setDraft = (key: string, draft: SecretDraft) => {
    batch(() => {
      drafts.set(key, draft);
      changed(key);
    });
  };

  const focusField = (key: string) => {
    const el = form.querySelector<HTMLElement>(`#${CSS.escape(fieldIds(formId, key).control)}`);
    el?.focus();
  };

  const validate = () => {
    setSubmitted(true);
    const first = orderedKeys().find((key) => visibleErrors(key).length > 0);
    if (first !== undefined) {
      focusField(first);
      return false;
    }
    return clientErrors.general.length === 0;
  };

  // New server errors replace the old ones and take the user to the first of them.
  createEffect(
    on(
      () => props.serverErrors,
      (list) => {
        const placed = placeErrors(list ?? [], props.fields);
        batch(() => {
          for (const key of allKeys()) serverErrors.set(key, placed.byField[key]);
          setServerGeneral(placed.general);
        });
        const first = orderedKeys().find((key) => placed.byField[key]?.length);
        if (first !== undefined) focusField(first);
      },
    ),
  );

  props.ref?.({ payload, validate });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setServerGeneral([]);
    if (validate()) props.onSubmit?.(payload());
  };

  const anyRequired = () => props.fields.some((f) => f.required);

  const row = (field: FieldSpec) => (
    <FieldRow
      field={field}
      ids={fieldIds(formId, field.key)}
      errors={visibleErrors(field.key)}
      value={values.get(field.key)}
      draft={drafts.get(field.key)}
      secretState={props.secretState}
      onValue={(value) => setValue(field.key, value)}
      onDraft={(draft) => setDraft(field.key, draft)}
      onInputError={(message) => inputErrors.set(field.key, message)}
      onLeave={() => touched.set(field.key, true)}
    />
  );

  return (
    <form ref={form} class="pf-form" noValidate aria-label={props['aria-label']} onSubmit={onSubmit}>
      <Show when={anyRequired()}>
        <p class="pf-form__note">
          Fields marked <span class="pf-required" aria-hidden="true">*</span>
          <span class="pf-sr-only">with an asterisk</span> are required.
        </p>
      </Show>
      <Show when={generalErrors().length > 0}>
        <div class="pf-summary" role="alert">
          <For each={generalErrors()}>{(message) => <p>{message}</p>}</For>
        </div>
      </Show>
      <For each={sections()}>{(section) => <Section section={section}>{section.fields.map(row)}</Section>}</For>
      <div class="pf-form__actions">
        {props.children}
        <button type="submit" class="pf-button pf-button--primary" disabled={props.submitting}>
          {props.submitting ? 'Saving…' : (props.submitLabel ?? 'Save')}
        </button>
      </div>
    </form>
  );
}

/** A named group is a fieldset with its name as legend; ungrouped fields need no heading. */
function Section(props: { section: FieldSection; children: JSX.Element }) {
  return (
    <Show when={props.section.name} fallback={<div class="pf-section pf-section--plain">{props.children}</div>}>
      {(name) => (
        <fieldset class="pf-section">
          <legend class="pf-section__title">{name()}</legend>
          <div class="pf-section__body">{props.children}</div>
        </fieldset>
      )}
    </Show>
  );
}

interface FieldRowProps {
  field: FieldSpec;
  ids: FieldIds;
  errors: readonly string[];
  value: unknown;
  draft: SecretDraft | undefined;
  secretState: SecretState | undefined;
  onValue: (value: unknown) => void;
  onDraft: (draft: SecretDraft) => void;
  onInputError: (message: string | undefined) => void;
  onLeave: () => void;
}

/** One field: the shell around either the secret widget or the widget of its type. */
function FieldRow(props: FieldRowProps) {
  const secret = isSecretField(props.field);
  const definition = widgetFor(props.field.type);
  const required = () => props.field.required === true;
  const hasHint = () => Boolean(props.field.description || props.field.helpText);
  const aria = () => describedBy(hasHint() && props.ids.description, props.errors.length > 0 && props.ids.error);
  const invalid = () => props.errors.length > 0;

  return (
    <FieldShell
      field={props.field}
      ids={props.ids}
      labelMode={secret ? 'for' : definition.label}
      required={required()}
      errors={props.errors}
      onLeave={props.onLeave}
    >
      {secret ? (
        <SecretInput
          field={props.field}
          ids={props.ids}
          status={props.secretState?.[props.field.key]}
          draft={props.draft ?? { kind: 'enter', value: '' }}
          onDraft={props.onDraft}
          describedBy={aria()}
          invalid={invalid()}
          required={required()}
        />
      ) : (
        <definition.component
          field={props.field}
          ids={props.ids}
          value={props.value}
          onChange={props.onValue}
          onInputError={props.onInputError}
          describedBy={aria()}
          invalid={invalid()}
          required={required()}
        />
      )}
    </FieldShell>
  );
}
