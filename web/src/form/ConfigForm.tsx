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
import {
  conditionSources,
  fieldsToRecheck,
  hasCustomRule,
  hiddenFields,
  isSecretField,
  secretsToReenter,
  validateConfig,
  validateFields,
  type FieldSpec,
} from '../sdk.ts';
import { hasErrors, placeErrors, type PlacedErrors } from './errors.ts';
import { FieldShell, hasHint } from './FieldShell.tsx';
import { estimatedFieldsHeightRem, groupFields, sectionBlocks, type FieldSection, type SectionBlock } from './grouping.ts';
import { describedBy, fieldIds, type FieldIds } from './ids.ts';
import { createKeyedSignals } from './keyed.ts';
import { afterPointerRelease, watchPointerPresses } from './pointer.ts';
import { createProgressiveMount } from './progressive.ts';
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
  /**
   * The stored configuration (non-secret), for edit mode: a destination field that differs
   * from it asks for the secrets it binds again. Defaults to `values`; read once at mount.
   */
  storedValues?: FormValues;
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
  /** Shown in the action bar beside the buttons (e.g. the connection test's result), so it stays in view. */
  status?: JSX.Element;
  /**
   * Problems outside this form that its error summary lists first (e.g. the instance name
   * above it): the id of the control to focus, its label and the message.
   */
  otherProblems?: readonly SummaryProblem[];
  /** Accessible name of the form. */
  'aria-label'?: string;
}

export interface ConfigFormApi {
  /** The payload a submit would send now. */
  payload(): ConfigPayload;
  /** Shows every error as a submit would; focuses the first one. True when valid. */
  validate(): boolean;
}

/** One line of the error summary: a link that focuses the control. */
export interface SummaryProblem {
  controlId: string;
  label: string;
  message: string;
}

const NO_ERRORS: PlacedErrors = { byField: {}, byItem: {}, general: [] };

/** See `recheckPlan` in ConfigForm. */
interface RecheckPlan {
  /** The fields to check again. */
  keys: readonly string[];
  /** The values validateFields needs; `undefined`: every value (a custom rule is involved). */
  valueKeys: readonly string[] | undefined;
  /** The fields validateFields is given: the whole schema, or the slice `valueKeys` names. */
  schema: { fields: readonly FieldSpec[] };
}
type ItemErrors = Readonly<Record<number, readonly string[]>>;

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
  const serverItemErrors = createKeyedSignals<ItemErrors>();
  const [serverGeneral, setServerGeneral] = createSignal<readonly string[]>([]);
  const [submitted, setSubmitted] = createSignal(false);
  // The error summary appears after a failed submit (or server errors) and goes when fixed.
  const [summaryShown, setSummaryShown] = createSignal(false);
  watchPointerPresses();

  const sections = createMemo(() => groupFields(props.fields, props.groups));
  // A long form mounts its first screen at once and the rest in the next frames.
  const progressive = createProgressiveMount(() => sections().map((s) => s.fields.length));
  const orderedKeys = createMemo(() => sections().flatMap((s) => s.fields.map((f) => f.key)));
  const secretKeys = createMemo(() => props.fields.filter(isSecretField).map((f) => f.key));
  const allKeys = createMemo(() => props.fields.map((f) => f.key));
  const fieldsByKey = createMemo(() => new Map(props.fields.map((f) => [f.key, f])));

  const currentValues = () => compactValues(props.fields, values.pick(allKeys()));
  const currentDrafts = () => drafts.pick(secretKeys());

  // Conditional fields (`visibleWhen`): the SDK's rule decides which fields the values hide.
  // A hidden field stays mounted (its inputs keep what was typed, an uncontrolled secret input
  // included) but is not shown, checked or submitted. Only the fields conditions name are read.
  const conditionFields = createMemo(() => {
    const named = new Set(props.fields.flatMap((f) => (f.visibleWhen ? [f.visibleWhen.field] : [])));
    return props.fields.filter((f) => named.has(f.key));
  });
  const hidden = createMemo((): ReadonlySet<string> => {
    const named = conditionFields();
    if (named.length === 0) return NO_KEYS;
    const current = compactValues(named, values.pick(named.map((f) => f.key)));
    return hiddenFields(props.fields, (field) => current[field.key]);
  }, NO_KEYS, { equals: sameKeys });
  const shownKeys = createMemo(() => orderedKeys().filter((key) => !hidden().has(key)));

  // Secrets are bound to their destination: once a field that decides where a stored secret
  // goes differs from the stored value, that secret must be entered again (the server refuses
  // otherwise). The SDK's secretsToReenter is the server's own rule. Stored secrets appear to
  // it as the mask, as it documents; only the set ones count.
  const storedForDestinations = untrack(() => {
    const stored: FormValues = { ...(props.storedValues ?? props.values ?? {}) };
    for (const [key, status] of Object.entries(props.secretState ?? {})) if (status.isSet) stored[key] = '••••••••';
    return stored;
  });
  const anySetSecret = untrack(() => Object.values(props.secretState ?? {}).some((status) => status.isSet));
  const reentries = createMemo((): ReadonlyMap<string, string> => {
    if (!anySetSecret) return new Map();
    const supplied = Object.keys(secretsPayload(currentDrafts(), props.secretState));
    const list = secretsToReenter({ fields: props.fields, stored: storedForDestinations, next: currentValues(), suppliedSecretKeys: supplied });
    return new Map(list.map((r) => [r.key, r.message.charAt(0).toUpperCase() + r.message.slice(1)]));
    // Equal answers do not notify: every field reads this, and most keystrokes change nothing here.
  }, undefined, { equals: sameEntries });

  // Live validation is per field: a change re-checks that field and the fields whose rules
  // depend on it (the SDK's fieldsToRecheck), with validateFields, which gives exactly the
  // messages validateConfig gives for them; a submit re-checks the whole form with
  // validateConfig. Both are the function the server runs. The errors live in a store, so
  // only the fields whose messages changed re-render.
  const [clientErrors, setClientErrors] = createStore<PlacedErrors>({ byField: {}, byItem: {}, general: [] });
  const fieldsOf = (keys: readonly string[]) => {
    const byKey = fieldsByKey();
    return keys.flatMap((key) => byKey.get(key) ?? []);
  };
  /** What the validator is given for `keys`: typed values, and the secrets as secretsForValidation says. */
  const validationInput = (keys: readonly string[]) => {
    const fields = fieldsOf(keys);
    const secrets = fields.filter(isSecretField).map((f) => f.key);
    const currentSecrets = drafts.pick(secrets);
    const input = { ...compactValues(fields, values.pick(keys)), ...secretsForValidation(currentSecrets, props.secretState) };
    return { fields, input, kept: keptSecretKeys(currentSecrets, props.secretState) };
  };
  const brokenSchema = (err: unknown) =>
    // A broken schema must not blank the screen; the server will refuse it with a reason.
    `This form cannot be checked: ${err instanceof Error ? err.message : String(err)}`;
  /** The whole form, with validateConfig: at mount and on submit. */
  const validateAll = () => {
    const { input, kept } = validationInput(allKeys());
    let placed: PlacedErrors;
    try {
      const result = validateConfig({ fields: props.fields }, input);
      placed = result.ok ? NO_ERRORS : placeErrors(result.errors, props.fields, kept);
    } catch (err) {
      placed = { byField: {}, byItem: {}, general: [brokenSchema(err)] };
    }
    setClientErrors(reconcile(structuredClone(placed)));
  };
  /**
   * What the live check after a change of `key` needs, worked out on the first change of that
   * field (each is a pass over every field, which a key press in a long form should not pay
   * again) and kept until the fields change: the fields whose errors the change can change
   * (`fieldsToRecheck`), and which values and fields `validateFields` must be given for them.
   * A custom rule sees the whole configuration, so it gets every value and field (O(fields));
   * a declarative rule needs only its own field, plus the fields its condition names to know
   * whether it is shown (and to name them in a "required when" message), and validateFields
   * reads nothing else, so it gets that slice of the schema: O(1) per key press.
   */
  const recheckPlans = createMemo(() => {
    void props.fields; // new fields, new plans
    return new Map<string, RecheckPlan>();
  });
  const recheckPlan = (key: string): RecheckPlan => {
    const plans = recheckPlans();
    let plan = plans.get(key);
    if (!plan) {
      const keys = fieldsToRecheck({ fields: props.fields }, key);
      const rechecked = fieldsOf(keys);
      if (keys.length > 1 || rechecked.some(hasCustomRule)) {
        plan = { keys, valueKeys: undefined, schema: { fields: props.fields } };
      } else {
        const involved = new Set([...keys, ...rechecked.flatMap((f) => conditionSources(props.fields, f))]);
        plan = { keys, valueKeys: [...involved], schema: { fields: props.fields.filter((f) => involved.has(f.key)) } };
      }
      plans.set(key, plan);
    }
    return plan;
  };
  /** The fields whose errors a change of `key` can change. */
  const revalidateAfter = (key: string) => {
    const { keys, valueKeys, schema } = recheckPlan(key);
    const { fields, kept } = validationInput(keys);
    const { input } = validationInput(valueKeys ?? allKeys());
    let placed: PlacedErrors;
    try {
      placed = placeErrors(validateFields(schema, input, keys), fields, kept);
    } catch (err) {
      setClientErrors('general', [brokenSchema(err)]);
      return;
    }
    batch(() => {
      for (const k of keys) {
        setClientErrors('byField', k, reconcile(placed.byField[k] ?? []));
        setClientErrors('byItem', k, reconcile(placed.byItem[k] ?? {}));
      }
      if (clientErrors.general.length > 0) setClientErrors('general', []);
    });
  };
  // Nothing is validated at mount: an error shows only once its field has been left (which
  // checks that field) or after a submit (which checks them all), so a long form's first
  // frame does not wait for every field's check. New fields from the parent: check again
  // what had been checked.
  createComputed(on(() => props.fields, () => (submitted() ? validateAll() : setClientErrors(reconcile({ byField: {}, byItem: {}, general: [] }))), { defer: true }));

  const shown = (key: string) => submitted() || touched.get(key) === true;
  const visibleErrors = (key: string): readonly string[] => {
    const input = inputErrors.get(key);
    if (input) return [input]; // unparseable input is shown live: there is no value to judge yet
    const reentry = reentries().get(key);
    if (reentry) return [reentry]; // shown at once: the edit of another field caused it
    const client = shown(key) ? (clientErrors.byField[key] ?? []) : [];
    const server = (serverErrors.get(key) ?? []).filter((m) => !client.includes(m));
    return [...client, ...server];
  };
  /** Item errors of an ARRAY field, by item index, shown by their rows. */
  const visibleItemErrors = (key: string): ItemErrors => {
    if (inputErrors.get(key)) return {};
    const client = shown(key) ? (clientErrors.byItem[key] ?? {}) : {};
    const server = serverItemErrors.get(key) ?? {};
    const out: Record<number, readonly string[]> = {};
    for (const index of new Set([...Object.keys(client), ...Object.keys(server)].map(Number))) {
      const own = client[index] ?? [];
      out[index] = [...own, ...(server[index] ?? []).filter((m) => !own.includes(m))];
    }
    return out;
  };
  const firstItemError = (key: string): string | undefined => {
    const items = visibleItemErrors(key);
    const first = Object.keys(items).map(Number).sort((a, b) => a - b)[0];
    return first === undefined ? undefined : items[first]?.[0];
  };
  const isInvalid = (key: string) => visibleErrors(key).length > 0 || firstItemError(key) !== undefined;
  const generalErrors = () => [...(submitted() ? clientErrors.general : []), ...serverGeneral()];

  const payload = (): ConfigPayload => {
    const shown = <T,>(entries: Record<string, T>) => withoutKeys(entries, untrack(hidden));
    return {
      values: shown(copyValue(untrack(currentValues))),
      secrets: shown(secretsPayload(untrack(currentDrafts), untrack(() => props.secretState))),
    };
  };

  const changed = (key: string) => {
    serverErrors.set(key, undefined);
    serverItemErrors.set(key, undefined);
    props.onChange?.(payload());
  };
  const setValue = (key: string, value: unknown) => {
    batch(() => {
      values.set(key, value);
      untrack(() => revalidateAfter(key));
      changed(key);
    });
  };
  const setDraft = (key: string, draft: SecretDraft) => {
    batch(() => {
      drafts.set(key, draft);
      untrack(() => revalidateAfter(key));
      changed(key);
    });
  };

  /** Focuses a field's control, or the first invalid item of a list. */
  const focusField = (key: string) => {
    progressive.mountAll();
    const control = form.querySelector<HTMLElement>(`#${CSS.escape(fieldIds(formId, key).control)}`);
    const item = control?.querySelector<HTMLElement>('[data-part="input"][aria-invalid="true"]');
    (item ?? control)?.focus();
  };

  const validate = () => {
    untrack(validateAll);
    setSubmitted(true);
    const first = shownKeys().find(isInvalid);
    if (first !== undefined) {
      setSummaryShown(true);
      focusField(first);
      return false;
    }
    if (clientErrors.general.length > 0) setSummaryShown(true);
    return clientErrors.general.length === 0;
  };

  const summary = createMemo((): SummaryProblem[] => {
    if (!summaryShown()) return [];
    const own = shownKeys().flatMap((key) => {
      const message = visibleErrors(key)[0] ?? firstItemError(key);
      return message === undefined
        ? []
        : [{ controlId: fieldIds(formId, key).control, label: fieldsByKey().get(key)?.label ?? key, message }];
    });
    return [...(props.otherProblems ?? []), ...own];
  });
  const focusProblem = (problem: SummaryProblem) => {
    const key = orderedKeys().find((k) => fieldIds(formId, k).control === problem.controlId);
    if (key !== undefined) focusField(key);
    else document.getElementById(problem.controlId)?.focus();
  };

  // New server errors replace the old ones and take the user to the first of them.
  let withServerErrors = new Set<string>();
  createEffect(
    on(
      () => props.serverErrors,
      (list) => {
        const placed = placeErrors(list ?? [], props.fields);
        batch(() => {
          // Only the fields that had or get server errors: a long form's mount (no server
          // errors yet) touches none of them.
          const keys = new Set([...withServerErrors, ...Object.keys(placed.byField), ...Object.keys(placed.byItem)]);
          withServerErrors = new Set([...Object.keys(placed.byField), ...Object.keys(placed.byItem)]);
          for (const key of keys) {
            serverErrors.set(key, placed.byField[key]);
            serverItemErrors.set(key, placed.byItem[key]);
          }
          setServerGeneral(placed.general);
          if ((list ?? []).length > 0) setSummaryShown(true);
        });
        const first = shownKeys().find((key) => hasErrors(placed, key));
        if (first !== undefined) setFocusRequest({ key: first });
      },
    ),
  );
  // Its own effect, so that it runs once the DOM shows the new errors (an invalid list item
  // is found by its aria-invalid). A fresh object each time: the same field twice refocuses.
  const [focusRequest, setFocusRequest] = createSignal<{ key: string }>();
  createEffect(
    on(focusRequest, (request) => {
      if (request) focusField(request.key);
    }),
  );

  props.ref?.({ payload, validate });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setServerGeneral([]);
    if (validate()) props.onSubmit?.(payload());
  };

  const anyRequired = () => props.fields.some((f) => f.required);
  /** Conditions hide every field of the section (then the section is hidden too: no empty legend). */
  const sectionHidden = (section: FieldSection) => section.fields.every((field) => hidden().has(field.key));

  const row = (field: FieldSpec) => (
    <FieldRow
      field={field}
      ids={fieldIds(formId, field.key)}
      errors={visibleErrors(field.key)}
      itemErrors={visibleItemErrors(field.key)}
      value={values.get(field.key)}
      draft={drafts.get(field.key)}
      mustReenter={reentries().has(field.key)}
      secretState={props.secretState}
      onValue={(value) => setValue(field.key, value)}
      onDraft={(draft) => setDraft(field.key, draft)}
      onInputError={(message) => inputErrors.set(field.key, message)}
      onLeave={() =>
        afterPointerRelease(() =>
          batch(() => {
            // Its first check, if no edit has checked it yet (nothing is checked at mount).
            if (!(field.key in clientErrors.byField)) untrack(() => revalidateAfter(field.key));
            touched.set(field.key, true);
          }),
        )
      }
      hidden={hidden().has(field.key)}
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
      <Show when={summary().length > 0}>
        <ErrorSummary id={`${formId}-summary`} problems={summary()} onPick={focusProblem} />
      </Show>
      <For each={sectionBlocks(sections())}>
        {(block) => (
          <div
            class="pf-form__block"
            style={{ 'contain-intrinsic-size': `auto ${blockHeightRem(block)}rem` }}
            hidden={block.sections.every(sectionHidden) || undefined}
          >
            <For each={block.sections}>
              {(section, index) => (
                <Section
                  section={section}
                  pending={block.start + index() >= progressive.mounted()}
                  hidden={sectionHidden(section)}
                >
                  {section.fields.map(row)}
                </Section>
              )}
            </For>
          </div>
        )}
      </For>
      {/* The secrets an edit asks for appear away from the field being typed in: say so. */}
      <div class="pf-sr-only" aria-live="polite">
        <For each={[...reentries().values()]}>{(message) => <p>{message}</p>}</For>
      </div>
      {/* Sticky at the bottom of the window (form.css): actions and their outcome always in view. */}
      <div class="pf-form__actions" role="group" aria-label="Form actions">
        <Show when={props.status}>
          <div class="pf-form__status">{props.status}</div>
        </Show>
        <div class="pf-form__buttons">
          {props.children}
          <button type="submit" class="pf-button pf-button--primary" disabled={props.submitting}>
            {props.submitting ? 'Saving…' : (props.submitLabel ?? 'Save')}
          </button>
        </div>
      </div>
    </form>
  );
}

/**
 * After a failed save: every field that needs attention, each a link that focuses it (the
 * GOV.UK error summary pattern). It follows the fields live and disappears once all are fixed.
 */
function ErrorSummary(props: { id: string; problems: readonly SummaryProblem[]; onPick: (problem: SummaryProblem) => void }) {
  const count = () => props.problems.length;
  return (
    <section class="pf-summary pf-summary--fields" aria-labelledby={`${props.id}-title`} data-testid="error-summary">
      <h2 class="pf-summary__title" id={`${props.id}-title`}>
        {count() === 1 ? '1 field needs attention' : `${count()} fields need attention`}
      </h2>
      <ul class="pf-summary__list">
        <For each={props.problems}>
          {(problem) => (
            <li>
              <a
                href={`#${problem.controlId}`}
                onClick={(event) => {
                  event.preventDefault();
                  props.onPick(problem);
                }}
              >
                {problem.label}
              </a>
              : {problem.message}
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}

/**
 * A named group is a fieldset with its name as legend; ungrouped fields need no heading. A
 * section whose fields conditions all hide is hidden too (no empty legend).
 * A section still `pending` (progressive.ts) has its legend and an estimate of its height
 * (busy, for assistive technology), and its fields a few frames later.
 */
function Section(props: { section: FieldSection; pending: boolean; hidden: boolean; children: JSX.Element }) {
  const body = () => (
    <Show
      when={!props.pending}
      fallback={<div class="pf-section__pending" style={{ height: `${estimatedFieldsHeightRem(props.section)}rem` }} />}
    >
      {props.children}
    </Show>
  );
  return (
    <Show
      when={props.section.name}
      fallback={
        <div class="pf-section pf-section--plain" aria-busy={props.pending || undefined} hidden={props.hidden || undefined}>
          {body()}
        </div>
      }
    >
      {(name) => (
        <fieldset class="pf-section" aria-busy={props.pending || undefined} hidden={props.hidden || undefined}>
          <legend class="pf-section__title">{name()}</legend>
          <div class="pf-section__body">{body()}</div>
        </fieldset>
      )}
    </Show>
  );
}

interface FieldRowProps {
  field: FieldSpec;
  ids: FieldIds;
  errors: readonly string[];
  itemErrors: ItemErrors;
  value: unknown;
  draft: SecretDraft | undefined;
  /** A destination this secret is bound to changed: it must be typed again. */
  mustReenter: boolean;
  secretState: SecretState | undefined;
  onValue: (value: unknown) => void;
  onDraft: (draft: SecretDraft) => void;
  onInputError: (message: string | undefined) => void;
  onLeave: () => void;
  /** Hidden by its condition (`visibleWhen`). */
  hidden: boolean;
}

/** One field: the shell around either the secret widget or the widget of its type. */
function FieldRow(props: FieldRowProps) {
  const secret = isSecretField(props.field);
  const definition = widgetFor(props.field.type);
  const required = () => props.field.required === true;
  const hint = () => hasHint(props.field);
  const aria = () => describedBy(hint() && props.ids.description, props.errors.length > 0 && props.ids.error);
  const invalid = () => props.errors.length > 0 || Object.keys(props.itemErrors).length > 0;

  return (
    <FieldShell
      field={props.field}
      ids={props.ids}
      labelMode={secret ? 'for' : definition.label}
      required={required()}
      errors={props.errors}
      onLeave={props.onLeave}
      hidden={props.hidden}
    >
      {secret ? (
        <SecretInput
          field={props.field}
          ids={props.ids}
          status={props.secretState?.[props.field.key]}
          draft={secretDraftShown(props.draft, props.mustReenter)}
          mustReenter={props.mustReenter}
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
          itemErrors={props.itemErrors}
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

/** A secret that must be entered again opens its input, whatever its draft said (until it is no longer needed). */
function secretDraftShown(draft: SecretDraft | undefined, mustReenter: boolean): SecretDraft {
  if (!draft || (mustReenter && draft.kind === 'keep')) return { kind: 'enter', value: '' };
  return draft;
}

/**
 * A block's height until it has been laid out, in rem: its sections' fields, each section's
 * legend and padding (about 4rem), and the gaps between sections (1.5rem, form.css).
 */
function blockHeightRem(block: SectionBlock): number {
  return block.sections.reduce((sum, section) => sum + estimatedFieldsHeightRem(section) + 4, 0) + (block.sections.length - 1) * 1.5;
}

const NO_KEYS: ReadonlySet<string> = new Set();

function sameKeys(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((key) => b.has(key));
}

function withoutKeys<T>(entries: Record<string, T>, keys: ReadonlySet<string>): Record<string, T> {
  return keys.size === 0 ? entries : Object.fromEntries(Object.entries(entries).filter(([key]) => !keys.has(key)));
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
