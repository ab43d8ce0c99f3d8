import { For } from 'solid-js';
import type { CatalogQuery } from '../gql/graphql.ts';
import { Alert } from '../ui/Alert.tsx';

type LoadError = CatalogQuery['pluginLoadErrors'][number];

/** Plugins that were found but could not be loaded, each with the loader's reason. */
export function LoadErrorList(props: { errors: readonly LoadError[] }) {
  return (
    <Alert
      tone="warning"
      class="pf-load-errors"
      title={props.errors.length === 1 ? '1 plugin could not be loaded' : `${props.errors.length} plugins could not be loaded`}
    >
      <p>They are not in the catalog until the problem is fixed and the server restarts.</p>
      <ul class="pf-load-errors__list">
        <For each={props.errors}>
          {(error) => (
            <li>
              <strong>{error.pluginName ?? 'Unknown plugin'}</strong> <code class="pf-path">{error.path}</code>
              <p class="pf-load-errors__reason">{error.reason}</p>
            </li>
          )}
        </For>
      </ul>
    </Alert>
  );
}
