import { A, useNavigate, useParams } from '@solidjs/router';
import { createMutation, createQuery, useClient } from '@urql/solid';
import { createComputed, createEffect, createSignal, Show } from 'solid-js';
import { outcomeOf } from '../api/outcome.ts';
import { RequireOperator } from '../auth/RequireOperator.tsx';
import type { FormValues, SecretState } from '../form/index.ts';
import type { EditInstanceQuery as EditInstanceData } from '../gql/graphql.ts';
import { createDeleteInstance } from '../instances/delete-instance.ts';
import { DeleteInstanceButton } from '../instances/DeleteInstanceButton.tsx';
import { InstanceNotFound } from '../instances/InstanceNotFound.tsx';
import { showFlash } from '../lib/flash.ts';
import { EmptyState } from '../ui/EmptyState.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { EditInstanceQuery, TestSavedMutation, UpdateInstanceMutation } from './documents.ts';
import { InstanceEditor, type EditorDraft } from './InstanceEditor.tsx';
import { reapplyChanges, secretInputs, storedValues, updatePatch } from './payload.ts';
import { formFieldsOf, secretStateOf } from './plugin-fields.ts';

type Instance = NonNullable<EditInstanceData['pluginInstance']>;

/** The version being edited: what the form starts from. A new base remounts the form. */
interface Base {
  instance: Instance;
  /** Stored non-secret values (the update patch removes those the user blanks). */
  stored: FormValues;
  /** What the form starts with: `stored`, or the user's changes re-applied over it. */
  values: FormValues;
  name: string;
  secretState: SecretState;
  notice?: string;
}

function baseOf(instance: Instance, reapplied?: { values: FormValues; name: string }): Base | undefined {
  if (!instance.plugin) return undefined;
  const stored = storedValues(instance.configuration, formFieldsOf(instance.plugin));
  return {
    instance,
    stored,
    values: reapplied?.values ?? stored,
    name: reapplied?.name ?? instance.name,
    secretState: secretStateOf(instance.secrets),
    ...(reapplied ? { notice: `Loaded version ${instance.version}, with your changes applied. Review them, then save.` } : {}),
  };
}

/** Route /instances/:id/edit — the saved configuration in the generated form. */
export function EditInstancePage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const client = useClient();
  const [query, refetch] = createQuery({ query: EditInstanceQuery, variables: () => ({ id: params.id }), requestPolicy: 'network-only' });
  const [, update] = createMutation(UpdateInstanceMutation);
  const [, testSaved] = createMutation(TestSavedMutation);
  const deleteInstance = createDeleteInstance();
  const [base, setBase] = createSignal<Base>();

  // The form starts from the first answer only: later answers must not wipe what the user types.
  createComputed(() => {
    const instance = query.data?.pluginInstance;
    if (instance && !base()) setBase(baseOf(instance));
  });
  createEffect(() => (document.title = `Edit ${base()?.name ?? 'instance'} · Plugform`));

  const save = async (draft: EditorDraft) => {
    const current = base()!;
    const result = await update({
      input: {
        id: current.instance.id,
        version: current.instance.version,
        ...(draft.name !== current.instance.name ? { name: draft.name } : {}),
        configuration: updatePatch(current.stored, draft.payload.values),
        secrets: secretInputs(draft.payload.secrets),
      },
    });
    const outcome = outcomeOf(result.data?.updatePluginInstance, result.error);
    if (outcome.kind === 'ok') {
      showFlash(`Saved “${outcome.data.name}”.`);
      navigate(`/instances/${encodeURIComponent(outcome.data.id)}`);
    }
    return outcome;
  };

  const test = async (payload: EditorDraft['payload']) => {
    const current = base()!;
    const result = await testSaved({
      input: { id: current.instance.id, configuration: updatePatch(current.stored, payload.values), secrets: secretInputs(payload.secrets) },
    });
    return outcomeOf(result.data?.testPluginInstanceConnection, result.error);
  };

  const reload = async (draft: EditorDraft) => {
    const result = await client.query(EditInstanceQuery, { id: params.id }, { requestPolicy: 'network-only' }).toPromise();
    const latest = result.data?.pluginInstance;
    if (!latest) return void refetch({ requestPolicy: 'network-only' });
    const fresh = baseOf(latest);
    if (!fresh) return;
    setBase(baseOf(latest, { values: reapplyChanges(draft.loaded, draft.payload.values, fresh.stored), name: draft.name }));
  };

  const instance = () => query.data?.pluginInstance;

  return (
    <div class="pf-page pf-page--editor">
      <PageHeader
        breadcrumb={
          <>
            <A href="/instances">Instances</A>
            <span aria-hidden="true"> / </span>
            <Show when={instance()}>
              {(i) => (
                <>
                  <A href={`/instances/${encodeURIComponent(i().id)}`}>{i().name}</A>
                  <span aria-hidden="true"> / </span>
                </>
              )}
            </Show>
          </>
        }
        title={`Edit ${base()?.instance.name ?? 'instance'}`}
        subtitle={
          <Show when={base()}>
            {(b) => (
              <>
                {b().instance.plugin?.displayName} · version {b().instance.version}
              </>
            )}
          </Show>
        }
        actions={
          <Show when={base()}>
            {(b) => <DeleteInstanceButton name={b().instance.name} onDelete={() => deleteInstance(b().instance)} />}
          </Show>
        }
      />
      <Show
        when={!query.error}
        fallback={<LoadFailed title="The instance could not be loaded" error={query.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      >
        <Show when={query.data} fallback={<Loading label="Loading the instance…" />}>
          <Show when={instance()} fallback={<InstanceNotFound />}>
            <Show when={base()} keyed fallback={<PluginMissing name={instance()!.pluginName} />}>
              {(current) => (
                <RequireOperator action="change instances">
                  <InstanceEditor
                    mode="edit"
                    plugin={current.instance.plugin!}
                    initialName={current.name}
                    initialValues={current.values}
                    storedValues={current.stored}
                    secretState={current.secretState}
                    notice={current.notice}
                    cancelHref={`/instances/${encodeURIComponent(current.instance.id)}`}
                    onSave={save}
                    onTest={test}
                    onReload={(draft) => void reload(draft)}
                  />
                </RequireOperator>
              )}
            </Show>
          </Show>
        </Show>
      </Show>
    </div>
  );
}

function PluginMissing(props: { name: string }) {
  return (
    <EmptyState icon="search" title={`The plugin “${props.name}” is not loaded`}>
      Its form comes from the plugin's schema, so the instance cannot be edited until the plugin loads again. The catalog
      shows why plugins failed to load.
    </EmptyState>
  );
}
