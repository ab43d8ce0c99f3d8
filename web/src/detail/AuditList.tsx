import { For, Show } from 'solid-js';
import type { InstanceDetailQuery } from '../gql/graphql.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { actionKind, actionLabel, auditDetail } from './audit-format.ts';

type Event = NonNullable<InstanceDetailQuery['pluginInstance']>['auditEvents'][number];

/** Who changed what and when (keys only, never values), newest first. */
export function AuditList(props: { events: readonly Event[]; labels: Readonly<Record<string, string>> }) {
  return (
    <Show when={props.events.length > 0} fallback={<p class="pf-muted">No changes recorded.</p>}>
      <ol class="pf-audit">
        <For each={props.events}>
          {(event) => {
            const detail = () => auditDetail(event.action, event.changedKeys, props.labels);
            return (
              <li class="pf-audit__item">
                <span class={`pf-audit__action pf-audit__action--${actionKind(event.action)}`}>{actionLabel(event.action)}</span>
                <span class="pf-audit__who">
                  by <strong>{event.actor}</strong>
                  <Show when={detail().summary}>{(summary) => <> · {summary()}</>}</Show>
                </span>
                <span class="pf-audit__when">
                  <RelativeTime iso={event.at} />
                </span>
                <Show when={detail().keys.length > 0}>
                  <ul class="pf-tags pf-audit__keys" aria-label="Changed settings">
                    <For each={detail().keys}>{(key) => <li class="pf-tag">{key}</li>}</For>
                  </ul>
                </Show>
              </li>
            );
          }}
        </For>
      </ol>
    </Show>
  );
}
