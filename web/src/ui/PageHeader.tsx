import { Show, type JSX } from 'solid-js';

/** The top of a screen: optional breadcrumb, the one h1, a subtitle and the screen's actions. */
export function PageHeader(props: { title: JSX.Element; breadcrumb?: JSX.Element; subtitle?: JSX.Element; actions?: JSX.Element }) {
  return (
    <div class="pf-page-header">
      <div class="pf-page-header__text">
        <Show when={props.breadcrumb}>
          <nav class="pf-breadcrumb" aria-label="Breadcrumb">
            {props.breadcrumb}
          </nav>
        </Show>
        <h1>{props.title}</h1>
        <Show when={props.subtitle}>
          <div class="pf-page-header__subtitle">{props.subtitle}</div>
        </Show>
      </div>
      <Show when={props.actions}>
        <div class="pf-page-header__actions">{props.actions}</div>
      </Show>
    </div>
  );
}
