import { A, useBeforeLeave, type BeforeLeaveEventArgs } from '@solidjs/router';
import { createMemo, createSignal, onCleanup, Show, type JSX } from 'solid-js';
import type { FieldErrorData, Outcome } from '../api/outcome.ts';
import {
  ConfigForm,
  type ConfigFormApi,
  type ConfigPayload,
  type FormValues,
  type SecretState,
  type ServerFieldError,
  type SummaryProblem,
} from '../form/index.ts';
import { afterPointerRelease } from '../form/pointer.ts';
import type { PluginSchemaFragment, TestResultFragment } from '../gql/graphql.ts';
import { Alert } from '../ui/Alert.tsx';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { InstanceSettings, nameProblem } from './InstanceSettings.tsx';
import { changedKeys } from './payload.ts';
import { formFieldsOf } from './plugin-fields.ts';
import { TestResultPanel, type TestState } from './TestResultPanel.tsx';

/** What a save or a reload after a conflict receives. */
export interface EditorDraft {
  name: string;
  enabled: boolean;
  payload: ConfigPayload;
  /** The form's values when it opened (to tell what the user changed). */
  loaded: FormValues;
}

export interface InstanceEditorProps {
  mode: 'create' | 'edit';
  plugin: PluginSchemaFragment;
  initialName?: string;
  initialValues?: FormValues;
  /** The stored configuration (edit): destination fields are compared with it. */
  storedValues?: FormValues;
  secretState?: SecretState;
  /** A note above the form (e.g. "reloaded, your changes were kept"). */
  notice?: string | undefined;
  cancelHref: string;
  onTest: (payload: ConfigPayload) => Promise<Outcome<TestResultFragment>>;
  /** Saves; on success the route moves on, on failure the editor shows why. */
  onSave: (draft: EditorDraft) => Promise<Outcome<unknown>>;
  /** After a conflict: load the latest version and re-apply the user's changes. */
  onReload?: (draft: EditorDraft) => void;
}

type Feedback =
  | { kind: 'none' }
  | { kind: 'refused'; title: string; message: string }
  | { kind: 'conflict'; message: string };

/**
 * Create or edit one instance: its name, then the plugin's own form (ConfigForm, generated
 * from the schema), with Test Connection and Save. Server field errors land on their fields;
 * a conflict keeps everything typed and offers to reload.
 */
export function InstanceEditor(props: InstanceEditorProps) {
  const fields = createMemo(() => formFieldsOf(props.plugin));
  const [name, setName] = createSignal(props.initialName ?? '');
  const [nameTouched, setNameTouched] = createSignal(false);
  const [submitted, setSubmitted] = createSignal(false);
  const [nameServerError, setNameServerError] = createSignal<string>();
  const [enabled, setEnabled] = createSignal(true);
  const [serverErrors, setServerErrors] = createSignal<readonly ServerFieldError[]>([]);
  const [feedback, setFeedback] = createSignal<Feedback>({ kind: 'none' });
  const [test, setTest] = createSignal<TestState>({ kind: 'idle' });
  const [saving, setSaving] = createSignal(false);
  let form!: ConfigFormApi;
  let loaded: FormValues = {};
  let nameInput: HTMLInputElement | undefined;
  let feedbackBox: HTMLDivElement | undefined;
  let testRegion: HTMLDivElement | undefined;
  const initialName = props.initialName ?? '';
  const initialEnabled = enabled();

  /**
   * Whether leaving would lose something: computed only when the user tries to leave, so
   * typing costs nothing extra. Changing a value and changing it back is not a change.
   */
  const hasUnsavedChanges = () => {
    const payload = form.payload();
    return (
      name() !== initialName ||
      enabled() !== initialEnabled ||
      Object.keys(payload.secrets).length > 0 ||
      changedKeys(loaded, payload.values).length > 0
    );
  };

  // Unsaved-changes guard: a navigation inside the console asks first; closing or reloading
  // the tab gets the browser's own question. A save in progress navigates on success, and a
  // deleted instance leaves with `state.discardUnsaved`: no question then.
  const [pendingLeave, setPendingLeave] = createSignal<BeforeLeaveEventArgs>();
  useBeforeLeave((event) => {
    const discard = (event.options?.state as { discardUnsaved?: boolean } | undefined)?.discardUnsaved === true;
    if (event.defaultPrevented || saving() || discard || !hasUnsavedChanges()) return;
    event.preventDefault();
    setPendingLeave(event);
  });
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (saving() || !hasUnsavedChanges()) return;
    event.preventDefault();
    event.returnValue = ''; // still needed by some browsers to show the question
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  onCleanup(() => window.removeEventListener('beforeunload', onBeforeUnload));

  const nameError = () => nameServerError() ?? (nameTouched() || submitted() ? nameProblem(name()) : undefined);
  const nameSummary = (): SummaryProblem[] => {
    const message = nameError();
    return message ? [{ controlId: 'instance-name', label: 'Name', message }] : [];
  };
  const draft = (payload: ConfigPayload): EditorDraft => ({ name: name().trim(), enabled: enabled(), payload, loaded });

  /** Field errors from the server: the instance name's to its input, the rest to the form. */
  const placeServerErrors = (errors: readonly FieldErrorData[]) => {
    const nameIsField = fields().some((f) => f.key === 'name');
    const forName = nameIsField ? [] : errors.filter((e) => e.field === 'name');
    setNameServerError(forName[0]?.message);
    setServerErrors(errors.filter((e) => !forName.includes(e)).map((e) => ({ field: e.field, message: e.message })));
    if (forName.length > 0) queueMicrotask(() => nameInput?.focus());
  };

  const showFeedback = (next: Feedback) => {
    setFeedback(next);
    if (next.kind !== 'none') queueMicrotask(() => feedbackBox?.focus());
  };

  /** The test's outcome takes the focus: the button stays where it was, but the news is here. */
  const focusTestResult = () => queueMicrotask(() => testRegion?.querySelector<HTMLElement>('[data-testid="test-result"]')?.focus());

  const runTest = async () => {
    if (test().kind === 'running') return;
    setFeedback({ kind: 'none' });
    if (!form.validate()) {
      setTest({ kind: 'error', message: 'Fix the highlighted fields first: the test uses the configuration in this form.' });
      return;
    }
    setTest({ kind: 'running' });
    const outcome = await props.onTest(form.payload());
    if (outcome.kind === 'ok') {
      setTest({ kind: 'done', result: outcome.data });
      focusTestResult();
    } else if (outcome.kind === 'invalid' && outcome.fieldErrors.length > 0) {
      // The errors are on their fields, and the first of them has the focus.
      setTest({ kind: 'error', message: outcome.message });
      placeServerErrors(outcome.fieldErrors);
    } else {
      setTest({ kind: 'error', message: outcome.message });
      focusTestResult();
    }
  };

  const save = async (payload: ConfigPayload) => {
    if (nameProblem(name())) return; // the submit listener below shows it and focuses the name
    setSaving(true);
    showFeedback({ kind: 'none' });
    const outcome = await props.onSave(draft(payload));
    setSaving(false);
    if (outcome.kind === 'ok') return;
    if (outcome.kind === 'invalid') {
      placeServerErrors(outcome.fieldErrors);
      if (outcome.fieldErrors.length === 0) showFeedback({ kind: 'refused', title: 'Not saved', message: outcome.message });
      else setFeedback({ kind: 'refused', title: 'Not saved: check the highlighted fields', message: outcome.message });
    } else if (outcome.kind === 'conflict') {
      showFeedback({ kind: 'conflict', message: outcome.message });
    } else {
      showFeedback({ kind: 'refused', title: 'Not saved', message: outcome.message });
    }
  };

  // Runs after the form's own submit handling: the name is first on screen, so its error wins the focus.
  const afterSubmit = () => {
    setSubmitted(true);
    if (nameProblem(name())) nameInput?.focus();
  };

  return (
    <div class="pf-editor" on:submit={afterSubmit}>
      <Show when={props.notice}>
        <Alert tone="info">{props.notice}</Alert>
      </Show>
      <InstanceSettings
        ref={(el) => (nameInput = el)}
        name={name()}
        onName={(value) => {
          setName(value);
          setNameServerError(undefined);
        }}
        onNameLeave={() => afterPointerRelease(() => setNameTouched(true))}
        nameError={nameError()}
        {...(props.mode === 'create' ? { enabled: enabled(), onEnabled: setEnabled } : {})}
      />
      <ConfigForm
        aria-label={`${props.plugin.displayName} configuration`}
        fields={fields()}
        groups={props.plugin.groups}
        mode={props.mode}
        values={props.initialValues}
        storedValues={props.storedValues}
        secretState={props.secretState}
        serverErrors={serverErrors()}
        submitLabel={props.mode === 'create' ? 'Create instance' : 'Save changes'}
        submitting={saving()}
        otherProblems={nameSummary()}
        status={<TestResultPanel state={test()} ref={(el) => (testRegion = el)} />}
        onSubmit={(payload) => void save(payload)}
        ref={(api) => {
          form = api;
          loaded = api.payload().values;
        }}
      >
        <A href={props.cancelHref} class="pf-button pf-button--ghost pf-form__cancel">
          Cancel
        </A>
        <Show when={props.plugin.supportsTestConnection}>
          {/* aria-disabled, not disabled, while testing: a disabled button would drop the focus to <body>. */}
          <button
            type="button"
            class="pf-button pf-button--secondary"
            aria-disabled={test().kind === 'running' || undefined}
            onClick={() => void runTest()}
          >
            Test connection
          </button>
        </Show>
      </ConfigForm>
      <ConfirmDialog
        open={pendingLeave() !== undefined}
        onOpenChange={(open) => {
          if (!open) setPendingLeave(undefined);
        }}
        title="Leave without saving?"
        confirmLabel="Discard changes"
        onConfirm={() => {
          const leave = pendingLeave();
          setPendingLeave(undefined);
          leave?.retry(true);
        }}
      >
        <p>Your changes to this instance have not been saved. Cancel to keep editing.</p>
      </ConfirmDialog>
      <div ref={feedbackBox} tabIndex={-1} class="pf-editor__feedback">
        <FeedbackView feedback={feedback()} onReload={props.onReload ? () => props.onReload?.(draft(form.payload())) : undefined} />
      </div>
    </div>
  );
}

function FeedbackView(props: { feedback: Feedback; onReload: (() => void) | undefined }): JSX.Element {
  return (
    <>
      <Show when={props.feedback.kind === 'refused' && props.feedback}>
        {(f) => {
          const refused = f() as Extract<Feedback, { kind: 'refused' }>;
          return (
            <Alert tone="error" title={refused.title}>
              {refused.message}
            </Alert>
          );
        }}
      </Show>
      <Show when={props.feedback.kind === 'conflict' && props.feedback}>
        {(f) => (
          <Alert
            tone="warning"
            title="Someone else changed this instance"
            actions={
              <Show when={props.onReload}>
                {(reload) => (
                  <button type="button" class="pf-button pf-button--secondary pf-button--small" onClick={() => reload()()}>
                    Reload and keep my changes
                  </button>
                )}
              </Show>
            }
          >
            <p>{(f() as Extract<Feedback, { kind: 'conflict' }>).message}</p>
            <p>
              Nothing was saved, and everything you typed is still in the form. Reload to load the latest version with
              your changes applied on top of it (secrets you typed need to be entered again), then save.
            </p>
          </Alert>
        )}
      </Show>
    </>
  );
}
