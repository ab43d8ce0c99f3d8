/** The configuration-as-code screen: import a YAML document, plan it (a dry run), apply it; viewers only export. */
import { fireEvent, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../../web/src/auth/session.ts';
import type { Viewer } from '../../web/src/auth/viewer.ts';
import { ConfigurationPage } from '../../web/src/configuration/ConfigurationPage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';

const OPERATOR = { __typename: 'Viewer', tokenName: 'ci-operator', role: 'OPERATOR' } as Viewer;
const YAML = `instances:
  - plugin: example-echo
    name: release-bot
    configuration: { senderName: Release robot }
    secrets:
      apiToken: \${env:RELEASE_BOT_API_TOKEN}
`;

const item = (action: string, name: string, extra: Record<string, unknown> = {}) => ({
  __typename: 'ConfigurationPlanItem',
  action,
  plugin: 'example-echo',
  name,
  changedKeys: [],
  secretChanges: [],
  enabled: null,
  notes: [],
  ...extra,
});

function applyApi() {
  return fakeApi({
    ApplyConfiguration: ({ dryRun }) => ({
      applyConfigurationDocument: {
        __typename: 'MutationApplyConfigurationDocumentSuccess',
        data: {
          __typename: 'ConfigurationApply',
          plan: {
            __typename: 'ConfigurationPlan',
            changed: true,
            items: [item('UPDATE', 'release-bot', { changedKeys: ['senderName'] }), item('UNCHANGED', 'alerts')],
            drift: [],
            unresolved: [{ __typename: 'ConfigurationSecretNote', plugin: 'example-echo', name: 'release-bot', key: 'apiToken', message: 'kept' }],
          },
          results: dryRun
            ? []
            : [{ __typename: 'ConfigurationApplyResult', action: 'UPDATE', plugin: 'example-echo', name: 'release-bot', ok: true, error: null }],
        },
      },
    }),
  });
}

afterEach(() => session.signOut());

describe('configuration as code screen', () => {
  it('plans an uploaded YAML document as a dry run, then applies it', async () => {
    const api = applyApi();
    renderRoute({ pattern: '/settings/configuration', path: '/settings/configuration', component: ConfigurationPage, api, viewer: OPERATOR });
    await screen.findByRole('heading', { name: 'Configuration as code', level: 1 });
    const input = await screen.findByLabelText('Configuration file');
    fireEvent.change(input, { target: { files: [new File([YAML], 'plugform.yaml', { type: 'application/yaml' })] } });
    const plan = screen.getByRole('button', { name: 'Plan' }) as HTMLButtonElement;
    await waitFor(() => expect(plan.disabled).toBe(false));
    fireEvent.click(plan);
    await screen.findByText(/~ example-echo\/release-bot: senderName/);
    expect(screen.queryByText(/alerts/)).toBeNull();
    const planCall = api.calls.find((call) => call.operationName === 'ApplyConfiguration')!;
    expect(planCall.variables).toMatchObject({ dryRun: true, prune: false, document: { instances: [{ name: 'release-bot', configuration: { senderName: 'Release robot' } }] } });

    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await screen.findByText('updated example-echo/release-bot');
    expect(api.calls.filter((call) => call.operationName === 'ApplyConfiguration').map((call) => call.variables['dryRun'])).toEqual([true, false]);
  });

  it('offers viewers the export only', async () => {
    renderRoute({ pattern: '/settings/configuration', path: '/settings/configuration', component: ConfigurationPage, api: applyApi(), viewer: VIEWER });
    await screen.findByRole('button', { name: 'Download plugform.yaml' });
    await screen.findByText(/cannot apply a configuration document/);
    expect(screen.queryByLabelText('Configuration file')).toBeNull();
  });
});
