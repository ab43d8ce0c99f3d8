import { Show, type JSX } from 'solid-js';
import { Dynamic } from 'solid-js/web';

/** What to show instead of a list that is empty: what it means, and what to do about it. */
export function EmptyState(props: {
  title: string;
  children?: JSX.Element;
  action?: JSX.Element;
  icon?: 'plug' | 'search';
  /** 1 when the empty state is the whole page (e.g. "Page not found"), else 2 under the page's h1. */
  headingLevel?: 1 | 2;
}) {
  return (
    <div class="pf-empty">
      <svg class="pf-empty__icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
        {props.icon === 'search' ? (
          <>
            <circle cx="21" cy="21" r="11" fill="none" stroke="currentColor" stroke-width="3" />
            <path d="M29.5 29.5L39 39" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
          </>
        ) : (
          <>
            <path d="M18 6v9M30 6v9" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
            <path d="M12 15h24v8a12 12 0 0 1-24 0z" fill="none" stroke="currentColor" stroke-width="3" stroke-linejoin="round" />
            <path d="M24 35v8" stroke="currentColor" stroke-width="3" stroke-linecap="round" />
          </>
        )}
      </svg>
      <Dynamic component={props.headingLevel === 1 ? 'h1' : 'h2'} class="pf-empty__title">
        {props.title}
      </Dynamic>
      <Show when={props.children}>
        <div class="pf-empty__text">{props.children}</div>
      </Show>
      <Show when={props.action}>
        <div class="pf-empty__action">{props.action}</div>
      </Show>
    </div>
  );
}
