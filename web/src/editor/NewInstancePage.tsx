import { A, useNavigate, useParams } from '@solidjs/router';
import { createMutation, createQuery } from '@urql/solid';
import { createEffect, Show } from 'solid-js';
import { outcomeOf } from '../api/outcome.ts';
import { RequireOperator } from '../auth/RequireOperator.tsx';
import { showFlash } from '../lib/flash.ts';
import { EmptyState } from '../ui/EmptyState.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { CreateInstanceMutation, NewInstanceQuery, TestUnsavedMutation } from './documents.ts';
import { InstanceEditor, type EditorDraft } from './InstanceEditor.tsx';
import { secretInputs } from './payload.ts';

/** Route /instances/new/:plugin — a new instance of one plugin, its form generated from the schema. */
export function NewInstancePage() {
  const params = useParams<{ plugin: string }>();
  const navigate = useNavigate();
  const [query, refetch] = createQuery({ query: NewInstanceQuery, variables: () => ({ pluginName: params.plugin }) });
  const [, create] = createMutation(CreateInstanceMutation);
  const [, testUnsaved] = createMutation(TestUnsavedMutation);
  const plugin = () => query.data?.plugin;

  createEffect(() => (document.title = `New ${plugin()?.displayName ?? 'instance'} instance · Plugform`));

  const save = async (draft: EditorDraft) => {
    const result = await create({
      input: {
        pluginName: params.plugin,
        name: draft.name,
        enabled: draft.enabled,
        configuration: draft.payload.values,
        secrets: secretInputs(draft.payload.secrets),
      },
    });
    const outcome = outcomeOf(result.data?.createPluginInstance, result.error);
    if (outcome.kind === 'ok') {
      showFlash(`Created “${outcome.data.name}”.`);
      navigate(`/instances/${encodeURIComponent(outcome.data.id)}`);
    }
    return outcome;
  };

  const test = async (payload: EditorDraft['payload']) => {
    const result = await testUnsaved({
      input: { pluginName: params.plugin, configuration: payload.values, secrets: secretInputs(payload.secrets) },
    });
    return outcomeOf(result.data?.testPluginConnection, result.error);
  };

  return (
    <div class="pf-page pf-page--editor">
      <PageHeader
        breadcrumb={
          <>
            <A href="/plugins">Plugins</A>
            <span aria-hidden="true"> / </span>
          </>
        }
        title={`New ${plugin()?.displayName ?? params.plugin} instance`}
        subtitle={plugin()?.description ?? undefined}
      />
      <Show
        when={!query.error}
        fallback={<LoadFailed title="The plugin could not be loaded" error={query.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      >
        <Show when={query.data} fallback={<Loading label="Loading the plugin's settings…" />}>
          <Show
            when={plugin()}
            fallback={
              <EmptyState
                icon="search"
                title={`No plugin named “${params.plugin}”`}
                action={
                  <A href="/plugins" class="pf-button pf-button--secondary">
                    Browse plugins
                  </A>
                }
              >
                It is not loaded on this server. The catalog lists the plugins that are, and those that failed to load.
              </EmptyState>
            }
          >
            {(loaded) => (
              <RequireOperator action="create instances">
                <InstanceEditor mode="create" plugin={loaded()} cancelHref="/plugins" onSave={save} onTest={test} />
              </RequireOperator>
            )}
          </Show>
        </Show>
      </Show>
    </div>
  );
}
