import { A } from '@solidjs/router';
import { Show, type ParentProps } from 'solid-js';
import type { Viewer } from './auth/viewer.ts';
import { ROLE_LABELS } from './lib/labels.ts';

export interface AppShellProps extends ParentProps {
  viewer: Viewer | undefined;
  onSignOut: () => void;
}

/** The frame around every signed-in screen: skip link, header with navigation and account, main landmark. */
export function AppShell(props: AppShellProps) {
  return (
    <>
      <a class="pf-skip" href="#main">
        Skip to content
      </a>
      <header class="pf-header">
        <A href="/instances" class="pf-brand">
          <span class="pf-brand__mark" aria-hidden="true">
            P
          </span>
          Plugform
        </A>
        <nav class="pf-nav" aria-label="Main">
          <A href="/instances" class="pf-nav__link" activeClass="pf-nav__link--active">
            Instances
          </A>
          <A href="/plugins" class="pf-nav__link" activeClass="pf-nav__link--active">
            Plugins
          </A>
          <A href="/settings/configuration" class="pf-nav__link" activeClass="pf-nav__link--active">
            Configuration
          </A>
          <Show when={props.viewer?.role === 'ADMIN'}>
            <A href="/settings/tokens" class="pf-nav__link" activeClass="pf-nav__link--active">
              API tokens
            </A>
          </Show>
        </nav>
        <div class="pf-account">
          <Show when={props.viewer}>
            {(viewer) => (
              <span class="pf-account__who">
                <span class="pf-account__name" title="API token name">
                  {viewer().tokenName}
                </span>
                <span class={`pf-role pf-role--${viewer().role.toLowerCase()}`} aria-label={`Role: ${ROLE_LABELS[viewer().role]}`}>
                  {ROLE_LABELS[viewer().role]}
                </span>
              </span>
            )}
          </Show>
          <button type="button" class="pf-button pf-button--secondary pf-button--small" onClick={() => props.onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="pf-main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
