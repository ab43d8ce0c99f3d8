import { For, Show } from 'solid-js';
import type { Outcome } from '../api/outcome.ts';
import type { ApiTokenFieldsFragment } from '../gql/graphql.ts';
import { ROLE_LABELS } from '../lib/labels.ts';
import { ConfirmDialog, createConfirmation } from '../ui/ConfirmDialog.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { describeScope } from './scopes.ts';

export interface TokenListProps {
  tokens: readonly ApiTokenFieldsFragment[];
  /** The signed-in token's name, to warn before revoking it. */
  currentTokenName: string | undefined;
  /** The name of a service token's instance, by id. */
  instanceName: (id: string) => string;
  onRevoke: (token: ApiTokenFieldsFragment) => Promise<Outcome<unknown>>;
}

/** Every token: active ones first (newest first), then the revoked ones. */
export function TokenList(props: TokenListProps) {
  let heading: HTMLHeadingElement | undefined;
  const ordered = () =>
    [...props.tokens].sort((a, b) => Number(Boolean(a.revokedAt)) - Number(Boolean(b.revokedAt)) || Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const active = () => props.tokens.filter((t) => !t.revokedAt).length;
  return (
    <section class="pf-card" aria-labelledby="tokens-title">
      <div class="pf-card__head">
        <h2 id="tokens-title" ref={heading} tabIndex={-1}>
          Tokens
        </h2>
        <span class="pf-muted">
          {active()} active · {props.tokens.length - active()} revoked
        </span>
      </div>
      <div class="pf-table-wrap pf-tokens__wrap">
        <table class="pf-table pf-tokens">
          <caption class="pf-sr-only">API tokens, active first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="pf-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={ordered()}>
              {(token) => <TokenRow token={token} current={token.name === props.currentTokenName} instanceName={props.instanceName} onRevoke={props.onRevoke} fallbackFocus={() => heading} />}
            </For>
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TokenRow(props: {
  token: ApiTokenFieldsFragment;
  current: boolean;
  instanceName: (id: string) => string;
  onRevoke: (token: ApiTokenFieldsFragment) => Promise<Outcome<unknown>>;
  fallbackFocus: () => HTMLElement | undefined;
}) {
  let button: HTMLButtonElement | undefined;
  // Once revoked, the row loses its button (and is rendered anew when the list is fetched
  // again), so focus goes to the list's heading rather than to a button about to vanish.
  let revoked = false;
  const revocation = createConfirmation(
    () => props.onRevoke(props.token),
    () => (revoked = true),
  );

  return (
    <tr data-token-id={props.token.id} classList={{ 'pf-tokens__revoked': Boolean(props.token.revokedAt) }}>
      <th scope="row" data-label="Name">
        <div>
          <span class="pf-table__primary">{props.token.name}</span>
          <code class="pf-table__secondary" title="The token's first characters">
            {props.token.prefix}…
          </code>
        </div>
      </th>
      <td data-label="Role">
        <Show when={props.token.scopes} fallback={<span class={`pf-role pf-role--${props.token.role.toLowerCase()}`}>{ROLE_LABELS[props.token.role]}</span>}>
          {(scopes) => (
            <div>
              <span class="pf-role pf-role--service">Service</span>
              <ul class="pf-token-scope-list" aria-label="May call">
                <For each={scopes()}>{(scope) => <li>{describeScope(scope, props.instanceName)}</li>}</For>
              </ul>
            </div>
          )}
        </Show>
      </td>
      <td data-label="Created">
        <div>
          <RelativeTime iso={props.token.createdAt} />
          <span class="pf-table__secondary">{props.token.createdBy ? `by ${props.token.createdBy}` : 'at first start'}</span>
        </div>
      </td>
      <td data-label="Last used">
        <RelativeTime iso={props.token.lastUsedAt} fallback="Never" />
      </td>
      <td data-label="Status">
        <Show when={props.token.revokedAt} fallback={<span class="pf-badge pf-status pf-status--active">Active</span>}>
          {(at) => (
            <span class="pf-badge pf-status pf-status--inactive">
              Revoked&nbsp;
              <RelativeTime iso={at()} />
            </span>
          )}
        </Show>
      </td>
      <td data-label="Actions">
        <Show when={!props.token.revokedAt}>
          <button ref={button} type="button" class="pf-button pf-button--danger-ghost pf-button--small" onClick={revocation.show}>
            Revoke <span class="pf-sr-only">{props.token.name}</span>
          </button>
          <ConfirmDialog
            {...revocation.dialogProps}
            title={`Revoke “${props.token.name}”?`}
            confirmLabel="Revoke token"
            busyLabel="Revoking…"
            returnFocusTo={() => (!revoked && button?.isConnected ? button : props.fallbackFocus())}
          >
            <p>
              Every request made with it is refused from now on, at once. This cannot be undone: make a new token if it is
              needed again.
            </p>
            <Show when={props.current}>
              <p>
                <strong>This is the token you are signed in with:</strong> you will be signed out.
              </p>
            </Show>
          </ConfirmDialog>
        </Show>
      </td>
    </tr>
  );
}
