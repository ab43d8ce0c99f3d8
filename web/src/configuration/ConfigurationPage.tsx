import { createMutation, useClient } from '@urql/solid';
import { createSignal, For, onMount, Show } from 'solid-js';
import { parse, stringify } from 'yaml';
import { outcomeOf } from '../api/outcome.ts';
import { RequireOperator } from '../auth/RequireOperator.tsx';
import type { ApplyConfigurationMutation as ApplyResult } from '../gql/graphql.ts';
import { showFlash } from '../lib/flash.ts';
import { Alert } from '../ui/Alert.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { ApplyConfigurationMutation, ExportConfigurationQuery } from './documents.ts';

type Applied = Extract<ApplyResult['applyConfigurationDocument'], { __typename: 'MutationApplyConfigurationDocumentSuccess' }>['data'];

const SYMBOL: Record<string, string> = { CREATE: '+', UPDATE: '~', DELETE: '−', UNMANAGED: '?' };
const VERB: Record<string, string> = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted' };

/**
 * Route /settings/configuration: the configuration document of `plugform export`, downloaded
 * and imported in the browser. Secrets stay references: the console cannot resolve them, so
 * an import keeps every stored secret (a new instance that needs one is refused, naming it).
 */
export function ConfigurationPage() {
  onMount(() => (document.title = 'Configuration as code · Plugform'));
  const client = useClient();
  const [exportError, setExportError] = createSignal<string>();

  const download = async () => {
    setExportError(undefined);
    const result = await client.query(ExportConfigurationQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (!result.data) return setExportError(result.error?.message ?? 'The server gave no answer. Try again.');
    const url = URL.createObjectURL(new Blob([stringify(result.data.exportConfigurationDocument)], { type: 'application/yaml' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: 'plugform.yaml' });
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div class="pf-page">
      <PageHeader
        title="Configuration as code"
        subtitle="The instances as a YAML document, the format of the plugform command: review it, keep it in version control, apply it here or with plugform apply."
      />
      <section class="pf-card" aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <p>Plugin, name, enabled and configuration of every instance; each secret as a reference placeholder and its fingerprint, never its value.</p>
        <button type="button" class="pf-button" onClick={() => void download()}>
          Download plugform.yaml
        </button>
        <Show when={exportError()}>
          <Alert tone="error" title="The export failed">
            {exportError()}
          </Alert>
        </Show>
      </section>
      <section class="pf-card" aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <RequireOperator action="apply a configuration document">
          <ImportForm />
        </RequireOperator>
      </section>
    </div>
  );
}

function ImportForm() {
  const [state, apply] = createMutation(ApplyConfigurationMutation);
  const [document, setDocument] = createSignal<unknown>();
  const [prune, setPrune] = createSignal(false);
  const [planned, setPlanned] = createSignal<Applied>();
  const [applied, setApplied] = createSignal<Applied>();
  const [problem, setProblem] = createSignal<{ title: string; lines: string[] }>();

  const read = async (file: File | undefined) => {
    setPlanned(undefined);
    setApplied(undefined);
    setProblem(undefined);
    setDocument(undefined);
    if (!file) return;
    try {
      setDocument(parse(await file.text()));
    } catch {
      setProblem({ title: `${file.name} is not valid YAML or JSON`, lines: [] });
    }
  };

  const run = async (dryRun: boolean) => {
    setProblem(undefined);
    const result = await apply({ document: document(), dryRun, prune: prune() });
    const outcome = outcomeOf(result.data?.applyConfigurationDocument, result.error);
    if (outcome.kind !== 'ok') {
      const lines = outcome.kind === 'invalid' ? outcome.fieldErrors.map((e) => e.message) : [];
      return setProblem({ title: outcome.message, lines });
    }
    if (dryRun) return setPlanned(outcome.data);
    setPlanned(undefined);
    setApplied(outcome.data);
    const failed = outcome.data.results.find((r) => !r.ok);
    if (!failed) showFlash(`Applied: ${outcome.data.results.length} change(s).`);
  };

  return (
    <div class="pf-stack">
      <label class="pf-field">
        <span class="pf-field__label">Configuration file</span>
        <input type="file" accept=".yaml,.yml,.json" onChange={(event) => void read(event.currentTarget.files?.[0])} />
      </label>
      <label class="pf-checkbox">
        <input type="checkbox" checked={prune()} onChange={(event) => setPrune(event.currentTarget.checked)} />
        Delete the instances the file does not name (prune)
      </label>
      <div class="pf-actions">
        <button type="button" class="pf-button pf-button--secondary" disabled={document() === undefined || state.fetching} onClick={() => void run(true)}>
          Plan
        </button>
        <button type="button" class="pf-button" disabled={!planned()?.plan.changed || state.fetching} onClick={() => void run(false)}>
          Apply
        </button>
      </div>
      <Show when={problem()}>
        {(p) => (
          <Alert tone="error" title={p().title}>
            <ul>
              <For each={p().lines}>{(line) => <li>{line}</li>}</For>
            </ul>
          </Alert>
        )}
      </Show>
      <Show when={planned()}>{(data) => <PlanView data={data()} />}</Show>
      <Show when={applied()}>
        {(data) => (
          <div role="status">
            <h3>Applied</h3>
            <ul>
              <For each={data().results} fallback={<li>Nothing to change.</li>}>
                {(r) => <li>{r.ok ? `${VERB[r.action] ?? r.action} ${r.plugin}/${r.name}` : `${r.plugin}/${r.name} failed: ${r.error}`}</li>}
              </For>
            </ul>
          </div>
        )}
      </Show>
    </div>
  );
}

function PlanView(props: { data: Applied }) {
  const changes = () => props.data.plan.items.filter((item) => item.action !== 'UNCHANGED');
  return (
    <div role="status" aria-label="Plan">
      <h3>Plan</h3>
      <Show when={props.data.plan.changed} fallback={<p>No changes: the server matches the file.</p>}>
        <ul class="pf-plan">
          <For each={changes()}>
            {(item) => (
              <li>
                {SYMBOL[item.action]} {item.plugin}/{item.name}
                {[item.changedKeys.join(', '), item.secretChanges.length ? `secrets: ${item.secretChanges.join(', ')}` : '', item.notes.join('; ')]
                  .filter(Boolean)
                  .map((part) => `: ${part}`)
                  .join('')}
              </li>
            )}
          </For>
          <For each={props.data.plan.drift}>{(d) => <li>! drift: {d.plugin}/{d.name} secret {d.key}: {d.message}</li>}</For>
        </ul>
      </Show>
      <Show when={props.data.plan.unresolved.length > 0}>
        <p>Secrets the console cannot resolve keep their stored values: {props.data.plan.unresolved.map((u) => `${u.plugin}/${u.name} ${u.key}`).join(', ')}.</p>
      </Show>
    </div>
  );
}
