import { createMutation, createQuery } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { errorMessage, outcomeOf } from '../api/outcome.ts';
import type { ConfigurationDiffQuery as DiffData, InstanceDetailQuery } from '../gql/graphql.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { ConfigurationDiffQuery, RollbackMutation } from './documents.ts';

type Version = NonNullable<InstanceDetailQuery['pluginInstance']>['configurationVersions'][number];
type Difference = NonNullable<DiffData['pluginInstance']>['configurationDiff'][number];

const KIND_LABELS: Record<Version['kind'], string> = {
  CREATED: 'Created',
  UPDATED: 'Updated',
  ROLLED_BACK: 'Rolled back',
  MIGRATED: 'Migrated',
};

const SECRET_CHANGES: Record<string, string> = { SET: 'will be set', CHANGED: 'will change', CLEARED: 'will be cleared' };

/** A non-secret value as the diff shows it; secrets never have one. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'Not set';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface HistoryCardProps {
  instanceId: string;
  /** The instance's current version (the rollback's optimistic check). */
  version: number;
  versions: readonly Version[];
  labels: Readonly<Record<string, string>>;
  canRollBack: boolean;
  onRolledBack: () => void;
}

/**
 * The configuration history: a timeline of saved versions (who, when, how), the difference
 * between a chosen version and the current one, field by field, and a rollback to it after a
 * confirmation that lists what will change. Secrets show only as set/changed/cleared; when the
 * secret store no longer keeps a version's secrets, the dialog asks for them.
 */
export function HistoryCard(props: HistoryCardProps) {
  const [chosen, setChosen] = createSignal<number>();
  const latest = () => props.versions[0]?.version;
  // From the current configuration to the chosen one: exactly what a rollback would change.
  const [diff] = createQuery({
    query: ConfigurationDiffQuery,
    variables: () => ({ id: props.instanceId, from: latest() ?? 0, to: chosen() ?? 0 }),
    pause: () => chosen() === undefined || latest() === undefined,
    requestPolicy: 'network-only',
  });
  const differences = (): readonly Difference[] => diff.data?.pluginInstance?.configurationDiff ?? [];
  const [rolling, rollback] = createMutation(RollbackMutation);
  const [open, setOpen] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [reenter, setReenter] = createSignal<string[]>([]);
  const [secretValues, setSecretValues] = createSignal<Record<string, string>>({});
  const [done, setDone] = createSignal<string>();
  let rollbackButton: HTMLButtonElement | undefined;

  const label = (key: string) => props.labels[key] ?? key;

  const choose = (version: number) => {
    setChosen(version);
    setDone(undefined);
  };

  const confirm = async () => {
    const toVersion = chosen();
    if (toVersion === undefined) return;
    setError(undefined);
    const secrets = reenter().map((key) => ({ key, value: secretValues()[key] ?? '' }));
    const result = await rollback({ id: props.instanceId, toVersion, version: props.version, ...(secrets.length > 0 ? { secrets } : {}) });
    const outcome = outcomeOf(result.data?.rollbackPluginInstance, result.error);
    if (outcome.kind === 'ok') {
      setOpen(false);
      setReenter([]);
      setSecretValues({});
      setChosen(undefined);
      setDone(`Rolled back to version ${toVersion}: saved as version ${outcome.data.version}.`);
      props.onRolledBack();
      return;
    }
    if (outcome.kind === 'invalid') {
      const asked = outcome.fieldErrors.filter((e) => e.rule === 'reenterSecret').map((e) => e.field);
      if (asked.length > 0 && asked.some((key) => !reenter().includes(key))) {
        setReenter(asked);
        setError(`The secret store no longer keeps ${asked.map(label).join(', ')} as it was in version ${toVersion}: enter it again to roll back.`);
        return;
      }
    }
    if (outcome.kind === 'conflict') props.onRolledBack();
    setError(outcome.message);
  };

  return (
    <Show when={props.versions.length > 0} fallback={<p class="pf-muted">No saved versions yet.</p>}>
      <ol class="pf-history" aria-label="Saved versions, newest first">
        <For each={props.versions}>
          {(version) => (
            <li class="pf-history__item" aria-current={version.version === chosen() ? 'true' : undefined}>
              <span class="pf-history__version">Version {version.version}</span>
              <span class={`pf-audit__action pf-history__kind pf-history__kind--${version.kind.toLowerCase()}`}>
                {KIND_LABELS[version.kind]}
                <Show when={version.restoredFrom}>{(from) => <> from version {from()}</>}</Show>
              </span>
              <span class="pf-audit__who">
                by <strong>{version.actor}</strong>
              </span>
              <span class="pf-audit__when">
                <RelativeTime iso={version.at} />
              </span>
              <Show when={version.version !== latest()} fallback={<span class="pf-muted pf-history__current">Current</span>}>
                <button
                  type="button"
                  class="pf-button pf-button--secondary pf-button--small"
                  aria-label={`Compare version ${version.version} with the current one`}
                  onClick={() => choose(version.version)}
                >
                  Compare
                </button>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <Show when={done()}>
        <p class="pf-history__done" role="status">
          {done()}
        </p>
      </Show>
      <Show when={chosen()}>
        {(version) => (
          <section class="pf-history__diff" aria-labelledby="history-diff-title">
            <h3 id="history-diff-title">Version {version()} compared with the current one</h3>
            <Show when={!diff.error} fallback={<p role="alert">{errorMessage(diff.error)}</p>}>
              <Show when={diff.data} fallback={<p class="pf-muted">Loading the differences…</p>}>
                <Show when={differences().length > 0} fallback={<p>Version {version()} has the same configuration as the current one.</p>}>
                  <table class="pf-table pf-history__table">
                    <caption class="pf-sr-only">Settings that differ</caption>
                    <thead>
                      <tr>
                        <th scope="col">Setting</th>
                        <th scope="col">Current</th>
                        <th scope="col">Version {version()}</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={differences()}>
                        {(d) => (
                          <tr>
                            <th scope="row">{label(d.key)}</th>
                            <Show
                              when={!d.secret}
                              fallback={<td colspan="2">Secret {SECRET_CHANGES[d.change] ?? 'will change'}</td>}
                            >
                              <td>{shown(d.oldValue)}</td>
                              <td>{shown(d.newValue)}</td>
                            </Show>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </Show>
                <Show when={props.canRollBack}>
                  <button
                    ref={rollbackButton}
                    type="button"
                    class="pf-button pf-button--primary"
                    onClick={() => {
                      setError(undefined);
                      setOpen(true);
                    }}
                  >
                    Roll back to version {version()}
                  </button>
                </Show>
              </Show>
            </Show>
            <ConfirmDialog
              open={open()}
              onOpenChange={(next) => {
                if (rolling.fetching) return;
                setOpen(next);
                if (!next) setError(undefined);
              }}
              title={`Roll back to version ${version()}?`}
              confirmLabel="Roll back"
              busyLabel="Rolling back…"
              busy={rolling.fetching}
              error={error()}
              returnFocusTo={() => rollbackButton}
              onConfirm={() => void confirm()}
            >
              <p>The configuration of version {version()} is saved as a new version. This changes:</p>
              <Show when={differences().length > 0} fallback={<p>Nothing: the configurations are the same.</p>}>
                <ul class="pf-history__changes">
                  <For each={differences()}>
                    {(d) => (
                      <li>
                        <Show when={!d.secret} fallback={<>{label(d.key)}: secret {SECRET_CHANGES[d.change] ?? 'will change'}</>}>
                          {label(d.key)}: {shown(d.oldValue)} → {shown(d.newValue)}
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <For each={reenter()}>
                {(key) => (
                  <label class="pf-history__secret">
                    <span>{label(key)}</span>
                    <input
                      type="password"
                      autocomplete="off"
                      class="pf-input"
                      value={secretValues()[key] ?? ''}
                      onInput={(event) => setSecretValues({ ...secretValues(), [key]: event.currentTarget.value })}
                    />
                  </label>
                )}
              </For>
            </ConfirmDialog>
          </section>
        )}
      </Show>
    </Show>
  );
}
