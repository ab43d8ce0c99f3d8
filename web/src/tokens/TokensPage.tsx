import { createMutation, createQuery } from '@urql/solid';
import { createSignal, onMount, Show } from 'solid-js';
import { errorMessage, outcomeOf } from '../api/outcome.ts';
import { RequireAdmin } from '../auth/RequireAdmin.tsx';
import { useViewer } from '../auth/viewer.ts';
import type { ApiTokenFieldsFragment, OperationScopeInput, Role } from '../gql/graphql.ts';
import { showFlash } from '../lib/flash.ts';
import { Alert } from '../ui/Alert.tsx';
import { LoadFailed } from '../ui/LoadFailed.tsx';
import { Loading } from '../ui/Loading.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { CreateTokenForm } from './CreateTokenForm.tsx';
import { ApiTokensQuery, CreateApiTokenMutation, RevokeApiTokenMutation, ScopeInstancesQuery } from './documents.ts';
import { NewTokenNotice } from './NewTokenNotice.tsx';
import { TokenList } from './TokenList.tsx';

/** Route /settings/tokens (admins): create a token (its value shown once), list, revoke. */
export function TokensPage() {
  onMount(() => (document.title = 'API tokens · Plugform'));
  return (
    <div class="pf-page pf-page--wide">
      <PageHeader
        title="API tokens"
        subtitle="Tokens sign in to the console and authenticate scripts (Authorization: Bearer …). Only a hash is stored."
      />
      <RequireAdmin what="API tokens">
        <TokensScreen />
      </RequireAdmin>
    </div>
  );
}

function TokensScreen() {
  const viewer = useViewer();
  // additionalTypenames: a create must refresh the list even though its result is a new token.
  const [tokens, refetch] = createQuery({ query: ApiTokensQuery, context: { additionalTypenames: ['ApiToken'] } });
  // Instances a service token can be scoped to; they also name the instances in the list.
  const [instances] = createQuery({ query: ScopeInstancesQuery });
  const scopeInstances = () => instances.data?.pluginInstances.edges.map((edge) => edge.node);
  const [creating, create] = createMutation(CreateApiTokenMutation);
  const [, revoke] = createMutation(RevokeApiTokenMutation);
  const [created, setCreated] = createSignal<{ name: string; token: string }>();
  const [nameError, setNameError] = createSignal<string>();
  const [createError, setCreateError] = createSignal<string>();
  /** Bumped after each creation: the form is rendered anew, empty, for the next token. */
  const [formRound, setFormRound] = createSignal(1);

  const onCreate = async (name: string, role: Role, scopes?: OperationScopeInput[]) => {
    setNameError(undefined);
    setCreateError(undefined);
    setCreated(undefined);
    const result = await create(scopes ? { name, role, scopes } : { name, role }, { additionalTypenames: ['ApiToken'] });
    const outcome = outcomeOf(result.data?.createApiToken, result.error);
    if (outcome.kind === 'ok') {
      setCreated({ name: outcome.data.apiToken.name, token: outcome.data.token });
      setFormRound((n) => n + 1);
    }
    else if (outcome.kind === 'invalid') {
      const onName = outcome.fieldErrors.find((e) => e.field === 'name');
      if (onName) setNameError(onName.message);
      else setCreateError(outcome.message);
    } else setCreateError(outcome.message);
  };

  const onRevoke = async (token: ApiTokenFieldsFragment) => {
    const result = await revoke({ id: token.id }, { additionalTypenames: ['ApiToken'] });
    const outcome = outcomeOf(result.data?.revokeApiToken, result.error);
    if (outcome.kind === 'ok') showFlash(`Revoked “${token.name}”.`);
    return outcome;
  };

  return (
    <div class="pf-tokens-page">
      <Show when={created()} keyed>
        {(token) => <NewTokenNotice name={token.name} token={token.token} onDone={() => setCreated(undefined)} />}
      </Show>
      <Show when={createError()}>
        <Alert tone="error" title="The token could not be created">
          {createError()}
        </Alert>
      </Show>
      <Show when={formRound()} keyed>
        <CreateTokenForm
          busy={creating.fetching}
          nameError={nameError()}
          scopeInstances={scopeInstances()}
          scopeInstancesError={instances.error ? errorMessage(instances.error) : undefined}
          moreScopeInstances={instances.data?.pluginInstances.pageInfo.hasNextPage ?? false}
          onCreate={(name, role, scopes) => void onCreate(name, role, scopes)}
        />
      </Show>
      <Show
        when={!tokens.error}
        fallback={<LoadFailed title="The tokens could not be loaded" error={tokens.error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      >
        <Show when={tokens.data} fallback={<Loading label="Loading tokens…" />}>
          {(data) => (
            <TokenList
              tokens={data().apiTokens}
              currentTokenName={viewer()?.tokenName}
              instanceName={(id) =>
                scopeInstances()?.find((instance) => instance.id === id)?.name ??
                (instances.data?.pluginInstances.pageInfo.hasNextPage === false ? 'a deleted instance' : `instance ${id}`)
              }
              onRevoke={onRevoke}
            />
          )}
        </Show>
      </Show>
    </div>
  );
}
