import { A } from '@solidjs/router';
import type { ParentProps } from 'solid-js';

/** The frame around every screen: skip link, header, main landmark. */
export function AppShell(props: ParentProps) {
  return (
    <>
      <a class="pf-skip" href="#main">
        Skip to content
      </a>
      <header class="pf-header">
        <A href="/" class="pf-brand">
          <span class="pf-brand__mark" aria-hidden="true">
            P
          </span>
          Plugform
        </A>
      </header>
      <main id="main" class="pf-main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
