import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { PluginSummaryFragment } from '../gql/graphql.ts';
import { PLUGIN_TYPE_LABELS } from '../lib/labels.ts';

/** One plugin of the catalog: what it is, and (for operators) a way to configure it. */
export function PluginCard(props: { plugin: PluginSummaryFragment; canCreate: boolean }) {
  const headingId = () => `plugin-${props.plugin.name}`;
  return (
    <article class="pf-card pf-plugin" aria-labelledby={headingId()}>
      <div class="pf-plugin__head">
        <h2 class="pf-plugin__name" id={headingId()}>
          {props.plugin.displayName}
        </h2>
        <span class="pf-badge pf-badge--type">{PLUGIN_TYPE_LABELS[props.plugin.type]}</span>
      </div>
      <p class="pf-plugin__meta">
        <code>{props.plugin.name}</code> · v{props.plugin.version}
        <Show when={props.plugin.author}>{(author) => <> · {author()}</>}</Show>
      </p>
      <p class="pf-plugin__description">{props.plugin.description ?? 'No description.'}</p>
      <Show when={props.plugin.tags.length > 0}>
        <ul class="pf-tags" aria-label="Tags">
          <For each={props.plugin.tags}>{(tag) => <li class="pf-tag">{tag}</li>}</For>
        </ul>
      </Show>
      <div class="pf-plugin__foot">
        <ul class="pf-capabilities" aria-label="Capabilities">
          <li classList={{ 'pf-capability--off': !props.plugin.supportsTestConnection }}>
            {props.plugin.supportsTestConnection ? 'Connection test' : 'No connection test'}
          </li>
          <li classList={{ 'pf-capability--off': !props.plugin.supportsHealthCheck }}>
            {props.plugin.supportsHealthCheck ? 'Health checks' : 'No health checks'}
          </li>
        </ul>
        <Show when={props.canCreate}>
          <A
            href={`/instances/new/${encodeURIComponent(props.plugin.name)}`}
            class="pf-button pf-button--secondary pf-button--small"
          >
            {/* The name starts with the visible words (WCAG 2.5.3, label in name): "Add instance of Slack". */}
            Add instance <span class="pf-sr-only">of {props.plugin.displayName}</span>
          </A>
        </Show>
      </div>
    </article>
  );
}
