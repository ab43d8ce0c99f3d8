import { For, Match, Show, Switch } from 'solid-js';
import type { InstanceDetailQuery } from '../gql/graphql.ts';
import { formatDateTime } from '../lib/time.ts';
import { displayValue } from './format-value.ts';

type Instance = NonNullable<InstanceDetailQuery['pluginInstance']>;
type Field = NonNullable<Instance['plugin']>['fields'][number];
type SecretInfo = Instance['secrets'][number];

interface Row {
  key: string;
  label: string;
  type: string;
  secret?: SecretInfo;
}

interface Group {
  name: string;
  rows: Row[];
}

/** Rows in the plugin's order (fields arrive sorted by group, then order), then stored keys it no longer declares. */
export function configurationGroups(
  fields: readonly Field[],
  configuration: Record<string, unknown>,
  secrets: readonly SecretInfo[],
): Group[] {
  const groups: Group[] = [];
  const groupOf = (name: string) => {
    let group = groups.find((g) => g.name === name);
    if (!group) groups.push((group = { name, rows: [] }));
    return group;
  };
  for (const field of fields) {
    const secret = field.isSecret ? (secrets.find((s) => s.key === field.key) ?? { key: field.key, label: field.label, isSet: false, updatedAt: null }) : undefined;
    groupOf(field.group ?? 'General').rows.push({ key: field.key, label: field.label, type: field.type, ...(secret ? { secret } : {}) });
  }
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(configuration)) {
    if (known.has(key)) continue;
    const secret = secrets.find((s) => s.key === key);
    groupOf('Not in the plugin’s schema').rows.push({ key, label: key, type: 'STRING', ...(secret ? { secret } : {}) });
  }
  return groups;
}

/**
 * The stored configuration, by the plugin's groups. Secrets never show a value, only whether
 * they are set and when they changed.
 */
export function ConfigurationList(props: { instance: Instance }) {
  const groups = () =>
    configurationGroups(props.instance.plugin?.fields ?? [], props.instance.configuration, props.instance.secrets);
  return (
    <div class="pf-config">
      <For each={groups()}>
        {(group) => (
          <section class="pf-config__group" aria-label={group.name}>
            <h3 class="pf-config__group-title">{group.name}</h3>
            <dl class="pf-config__list">
              <For each={group.rows}>
                {(row) => (
                  <div class="pf-config__row" data-key={row.key}>
                    <dt>
                      {row.label}
                      <code class="pf-config__key">{row.key}</code>
                    </dt>
                    <dd>
                      <Show when={row.secret} fallback={<ValueView value={props.instance.configuration[row.key]} type={row.type} />}>
                        {(secret) => <SecretView secret={secret()} />}
                      </Show>
                    </dd>
                  </div>
                )}
              </For>
            </dl>
          </section>
        )}
      </For>
    </div>
  );
}

function SecretView(props: { secret: SecretInfo }) {
  return (
    <span class="pf-secret-state" classList={{ 'pf-secret-state--set': props.secret.isSet }}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <rect x="3" y="7" width="10" height="7" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
        <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" fill="none" stroke="currentColor" stroke-width="1.5" />
      </svg>
      {props.secret.isSet
        ? `Set${props.secret.updatedAt ? ` · changed ${formatDateTime(props.secret.updatedAt)}` : ''}`
        : 'Not set'}
    </span>
  );
}

function ValueView(props: { value: unknown; type: string }) {
  const shown = () => displayValue(props.value, props.type);
  return (
    <Switch>
      <Match when={shown().kind === 'empty'}>
        <span class="pf-muted">Not set</span>
      </Match>
      <Match when={shown().kind === 'text' && shown()}>{(v) => <span class="pf-config__value">{(v() as { text: string }).text}</span>}</Match>
      <Match when={shown().kind === 'list' && shown()}>
        {(v) => (
          <ul class="pf-tags">
            <For each={(v() as { items: string[] }).items}>{(item) => <li class="pf-tag pf-tag--value">{item}</li>}</For>
          </ul>
        )}
      </Match>
      <Match when={shown().kind === 'code' && shown()}>{(v) => <pre class="pf-config__code">{(v() as { text: string }).text}</pre>}</Match>
    </Switch>
  );
}
