import { A, useParams } from '@solidjs/router';
import { createMutation, createQuery } from '@urql/solid';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { errorMessage, outcomeOf } from '../api/outcome.ts';
import { useCanOperate } from '../auth/viewer.ts';
import { createDeleteInstance } from '../instances/delete-instance.ts';
import { DeleteInstanceButton } from '../instances/DeleteInstanceButton.tsx';
import { InstanceNotFound } from '../instances/InstanceNotFound.tsx';
import { createLiveHealth } from '../instances/live-health.ts';
import { HEALTH_LABELS, PLUGIN_TYPE_LABELS } from '../lib/labels.ts';
import { InstanceOperationsQuery } from '../operations/documents.ts';
import { OperationsCard } from '../operations/OperationsCard.tsx';
import { TryItPanel } from '../operations/TryItPanel.tsx';
import { Alert } from '../ui/Alert.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { StatusPill } from '../ui/StatusPill.tsx';
import { AuditList } from './AuditList.tsx';
import { ConfigurationList } from './ConfigurationList.tsx';
import { CheckHealthMutation, InstanceDetailQuery, SetEnabledMutation } from './documents.ts';
import { HealthCard } from './HealthCard.tsx';
import { HistoryCard } from './HistoryCard.tsx';
import { OverviewCard } from './OverviewCard.tsx';

/** Route /instances/:id — one instance: status, health (live), masked configuration, audit trail. */
export function InstanceDetailPage() {
  const params = useParams<{ id: string }>();
  const canOperate = useCanOperate();
  const [query, refetch] = createQuery({ query: InstanceDetailQuery, variables: () => ({ id: params.id }) });
  // Its own query, so a failing stats read never hides the instance, and a "Try it" call refreshes only the stats.
  const [operationsQuery, refetchOperations] = createQuery({ query: InstanceOperationsQuery, variables: () => ({ id: params.id }) });
  const operations = () => operationsQuery.data?.pluginInstance;
  const [enabling, setEnabled] = createMutation(SetEnabledMutation);
  const [checking, checkHealth] = createMutation(CheckHealthMutation);
  const [actionError, setActionError] = createSignal<string>();
  const [checkNote, setCheckNote] = createSignal<string>();
  const deleteInstance = createDeleteInstance();
  const health = createLiveHealth(() => params.id);
  const instance = () => query.data?.pluginInstance;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  // A live health change: shown at once, announced to screen readers, and the history fetched again.
  const [announcement, setAnnouncement] = createSignal('');
  createEffect(
    on(
      health.last,
      (change) => {
        if (!change) return;
        setAnnouncement(`Health changed to ${HEALTH_LABELS[change.status]}: ${change.check.message}`);
        reload();
      },
      { defer: true },
    ),
  );
  /** Health as the page shows it: the live change when it is newer than what the query returned. */
  const liveHealth = () => {
    const current = instance();
    const change = health.last();
    if (!current) return undefined;
    const stored = { status: current.healthStatus, since: current.healthSince, lastCheckAt: current.lastHealthCheckAt };
    if (!change || change.instanceId !== current.id) return stored;
    if (current.lastHealthCheckAt && Date.parse(current.lastHealthCheckAt) >= Date.parse(change.check.timestamp)) return stored;
    return { status: change.status, since: change.check.timestamp, lastCheckAt: change.check.timestamp };
  };
  createEffect(() => (document.title = `${instance()?.name ?? 'Instance'} · Plugform`));

  const toggle = async (enabled: boolean) => {
    const current = instance();
    if (!current) return;
    setActionError(undefined);
    const result = await setEnabled({ id: current.id, enabled, version: current.version });
    const outcome = outcomeOf(result.data?.setPluginInstanceEnabled, result.error);
    if (outcome.kind === 'conflict') {
      setActionError(`${outcome.message} The page now shows the latest version.`);
      reload();
    } else if (outcome.kind !== 'ok') setActionError(outcome.message);
  };

  const checkNow = async () => {
    const current = instance();
    if (!current) return;
    setActionError(undefined);
    setCheckNote(undefined);
    const result = await checkHealth({ id: current.id });
    const outcome = outcomeOf(result.data?.checkPluginInstanceHealth, result.error);
    if (outcome.kind === 'ok') {
      setCheckNote(`Checked: ${HEALTH_LABELS[outcome.data.status]} in ${outcome.data.responseTimeMs} ms.`);
      reload();
    } else setActionError(outcome.message);
  };

  const fieldLabels = () => Object.fromEntries((instance()?.plugin?.fields ?? []).map((f) => [f.key, f.label]));

  return (
    <div class="pf-page pf-page--wide">
      <Show
        when={!query.error}
        fallback={<LoadFailed title="The instance could not be loaded" error={query.error} onRetry={reload} />}
      >
        <Show when={query.data} fallback={<Loading label="Loading the instance…" />}>
          <Show
            when={instance()}
            fallback={<InstanceNotFound />}
          >
            {(i) => (
              <>
                <PageHeader
                  breadcrumb={
                    <>
                      <A href="/instances">Instances</A>
                      <span aria-hidden="true"> / </span>
                    </>
                  }
                  title={i().name}
                  subtitle={
                    <span class="pf-detail__subtitle">
                      <StatusPill status={i().status} />
                      <span>
                        {i().plugin?.displayName ?? i().pluginName}
                        <Show when={i().plugin}>{(p) => <> · {PLUGIN_TYPE_LABELS[p().type]} · v{p().version}</>}</Show>
                      </span>
                    </span>
                  }
                  actions={
                    <Show when={canOperate()}>
                      <Show when={i().plugin}>
                        <A href={`/instances/${encodeURIComponent(i().id)}/edit`} class="pf-button pf-button--primary">
                          Edit
                        </A>
                      </Show>
                      <DeleteInstanceButton name={i().name} onDelete={() => deleteInstance(i())} />
                    </Show>
                  }
                />
                <Show when={i().status === 'ERROR'}>
                  <Alert tone="error" title="The instance could not start">
                    {i().statusMessage ?? 'No reason was recorded.'}
                  </Alert>
                </Show>
                <Show when={i().replicaProvider?.state === 'FAILED'}>
                  <Alert tone="error" title={`Replica ${i().replicaProvider?.replica ?? ''} could not start this instance`}>
                    {i().replicaProvider?.message ?? 'No reason was given.'} Other replicas may run it; its stored state is unchanged.
                  </Alert>
                </Show>
                <Show when={!i().plugin}>
                  <Alert tone="warning" title={`The plugin “${i().pluginName}” is not loaded`}>
                    The instance keeps its configuration but cannot run or be edited until the plugin loads again.
                  </Alert>
                </Show>
                <Show when={actionError()}>
                  <Alert tone="error">{actionError()}</Alert>
                </Show>
                <div class="pf-detail">
                  <div class="pf-detail__main">
                    <HealthCard
                      status={liveHealth()?.status ?? i().healthStatus}
                      since={liveHealth()?.since ?? null}
                      lastCheckAt={liveHealth()?.lastCheckAt ?? null}
                      announcement={announcement()}
                      history={i().healthHistory}
                      supportsHealthCheck={i().plugin?.supportsHealthCheck ?? false}
                      live={health.connected()}
                      canCheck={canOperate() && i().enabled && (i().plugin?.supportsHealthCheck ?? false)}
                      checking={checking.fetching}
                      checkNote={checkNote()}
                      onCheck={() => void checkNow()}
                    />
                    <OperationsCard
                      stats={operations()?.operationStats}
                      error={operationsQuery.error ? errorMessage(operationsQuery.error) : undefined}
                    />
                    <Show when={canOperate() && i().plugin}>
                      {(plugin) => (
                        <TryItPanel
                          instanceId={i().id}
                          pluginType={plugin().type}
                          operations={operations()?.operations}
                          onCalled={() => refetchOperations({ requestPolicy: 'network-only' })}
                        />
                      )}
                    </Show>
                    <section class="pf-card" aria-labelledby="config-title">
                      <div class="pf-card__head">
                        <h2 id="config-title">Configuration</h2>
                      </div>
                      <ConfigurationList instance={i()} />
                    </section>
                    <section class="pf-card" aria-labelledby="history-title">
                      <div class="pf-card__head">
                        <h2 id="history-title">History</h2>
                      </div>
                      <HistoryCard
                        instanceId={i().id}
                        version={i().version}
                        versions={i().configurationVersions ?? []}
                        labels={fieldLabels()}
                        canRollBack={canOperate() && Boolean(i().plugin)}
                        onRolledBack={reload}
                      />
                    </section>
                  </div>
                  <aside class="pf-detail__side" aria-label="About this instance">
                    <OverviewCard
                      id={i().id}
                      enabled={i().enabled}
                      version={i().version}
                      createdAt={i().createdAt}
                      updatedAt={i().updatedAt}
                      canToggle={canOperate()}
                      toggling={enabling.fetching}
                      onToggle={(enabled) => void toggle(enabled)}
                    />
                    <section class="pf-card" aria-labelledby="audit-title">
                      <div class="pf-card__head">
                        <h2 id="audit-title">Activity</h2>
                      </div>
                      <AuditList events={i().auditEvents} labels={fieldLabels()} />
                    </section>
                  </aside>
                </div>
              </>
            )}
          </Show>
        </Show>
      </Show>
    </div>
  );
}
