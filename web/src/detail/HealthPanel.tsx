import { For, Show } from 'solid-js';
import type { HealthStatus, InstanceDetailQuery } from '../gql/graphql.ts';
import { HEALTH_LABELS } from '../lib/labels.ts';
import { formatDateTime } from '../lib/time.ts';
import { TimeCell } from '../ui/TimeCell.tsx';
import { HealthBadge } from '../ui/HealthBadge.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';

type Instance = NonNullable<InstanceDetailQuery['pluginInstance']>;
type Check = Instance['healthHistory'][number];

export interface HealthPanelProps {
  status: HealthStatus;
  since: string | null;
  lastCheckAt: string | null;
  /** Newest first, as the API returns them. */
  history: readonly Check[];
  supportsHealthCheck: boolean;
}

/**
 * Current health, a timeline of the recorded checks (oldest left, newest right) and the
 * latest few with their messages.
 */
export function HealthPanel(props: HealthPanelProps) {
  const oldestFirst = () => [...props.history].reverse();
  const latest = () => props.history.slice(0, 5);
  return (
    <div class="pf-health-panel">
      <div class="pf-health-panel__now">
        <HealthBadge status={props.status} />
        <span class="pf-muted">
          <Show when={props.since} fallback="No check recorded yet">
            {(since) => (
              <>
                since <RelativeTime iso={since()} /> · last check <RelativeTime iso={props.lastCheckAt} />
              </>
            )}
          </Show>
        </span>
      </div>
      <Show
        when={props.history.length > 0}
        fallback={
          <p class="pf-muted">
            {props.supportsHealthCheck
              ? 'Checks run on a schedule while the instance is enabled; “Check now” runs one at once.'
              : 'This plugin does not support health checks.'}
          </p>
        }
      >
        <ol class="pf-timeline" aria-label={`Last ${props.history.length} checks, oldest first`}>
          <For each={oldestFirst()}>
            {(check) => (
              <li class={`pf-timeline__tick pf-health--${check.status.toLowerCase()}`} title={`${HEALTH_LABELS[check.status]} · ${formatDateTime(check.checkedAt, { seconds: true })} · ${check.responseTimeMs} ms`}>
                <span class="pf-sr-only">
                  {HEALTH_LABELS[check.status]} at {formatDateTime(check.checkedAt, { seconds: true })}
                </span>
              </li>
            )}
          </For>
        </ol>
        <table class="pf-table pf-table--compact pf-checks">
          <caption class="pf-sr-only">Latest health checks</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Result</th>
              <th scope="col">Message</th>
              <th scope="col" class="pf-num">Response</th>
            </tr>
          </thead>
          <tbody>
            <For each={latest()}>
              {(check) => (
                <tr>
                  <TimeCell at={check.checkedAt} />
                  <td data-label="Result">
                    <HealthBadge status={check.status} />
                  </td>
                  <td data-label="Message" class="pf-checks__message">
                    {check.message}
                  </td>
                  <td data-label="Response" class="pf-num">
                    {check.responseTimeMs} ms
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}
