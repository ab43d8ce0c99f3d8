import { For, Show } from 'solid-js';
import type { InstanceOperationsQuery } from '../gql/graphql.ts';
import { formatDateTime } from '../lib/time.ts';
import { TimeCell } from '../ui/TimeCell.tsx';

export type OperationStats = NonNullable<InstanceOperationsQuery['pluginInstance']>['operationStats'];
type Failure = OperationStats['lastFailures'][number];

/** "12.5 %" with at most one decimal; the API gives the rate as 0–1. */
export function formatErrorRate(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

/** What went wrong in one failed call, in words: the error type and the vendor's HTTP status (never a payload value). */
export function failureCause(failure: Pick<Failure, 'outcome' | 'errorType' | 'vendorStatus'>): string {
  const kind = failure.errorType ?? (failure.outcome === 'rejected' ? 'Refused' : 'Error');
  return failure.vendorStatus ? `${kind} · HTTP ${failure.vendorStatus}` : kind;
}

/**
 * How the instance's operations went over the stats window: totals, error rate, p95
 * latency, calls per hour and the latest failures. Reads only the call log, which holds no
 * payload values.
 */
export function OperationsCard(props: { stats: OperationStats | undefined; error: string | undefined }) {
  return (
    <section class="pf-card" aria-labelledby="operations-title">
      <div class="pf-card__head">
        <h2 id="operations-title">Operations</h2>
      </div>
      <Show when={!props.error} fallback={<p class="pf-muted">The operation stats could not be loaded: {props.error}</p>}>
        <Show when={props.stats} fallback={<p class="pf-muted">Loading the operation stats…</p>}>
          {(stats) => (
            <Show
              when={stats().calls > 0}
              fallback={<p class="pf-muted">No operation was called in the last {stats().windowHours} hours.</p>}
            >
              <dl class="pf-facts pf-op-stats" aria-label={`Last ${stats().windowHours} hours`}>
                <div>
                  <dt>Calls</dt>
                  <dd>{stats().calls}</dd>
                </div>
                <div>
                  <dt>Error rate</dt>
                  <dd>{formatErrorRate(stats().errorRate)}</dd>
                </div>
                <div>
                  <dt>p95 latency</dt>
                  <dd>{stats().p95LatencyMs === null ? '—' : `${stats().p95LatencyMs} ms`}</dd>
                </div>
              </dl>
              <table class="pf-table pf-table--compact pf-op-hours">
                <caption>Calls per hour</caption>
                <thead>
                  <tr>
                    <th scope="col">Hour</th>
                    <th scope="col" class="pf-num">Calls</th>
                    <th scope="col" class="pf-num">Errors</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={[...stats().perHour].reverse()}>
                    {(hour) => (
                      <tr>
                        <td data-label="Hour">
                          <time datetime={hour.hour}>{formatDateTime(hour.hour)}</time>
                        </td>
                        <td data-label="Calls" class="pf-num">
                          {hour.calls}
                        </td>
                        <td data-label="Errors" class="pf-num">
                          {hour.errors}
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
              <Show when={stats().lastFailures.length > 0} fallback={<p class="pf-muted">No failed call.</p>}>
                <table class="pf-table pf-table--compact pf-op-failures">
                  <caption>Last failures</caption>
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Operation</th>
                      <th scope="col">Error</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={stats().lastFailures}>
                      {(failure) => (
                        <tr>
                          <TimeCell at={failure.at} />
                          <td data-label="Operation">
                            <code>{failure.operation}</code>
                          </td>
                          <td data-label="Error">{failureCause(failure)}</td>
                          <td data-label="Message" class="pf-checks__message">
                            {failure.errorMessage ?? ''}
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </Show>
          )}
        </Show>
      </Show>
    </section>
  );
}
