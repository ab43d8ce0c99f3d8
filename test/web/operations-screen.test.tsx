/** The instance screen's Operations card (call stats) and "Try it" panel (real calls through the instance). */
import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InstanceDetailPage } from '../../web/src/detail/InstanceDetailPage.tsx';
import { fakeApi, renderRoute, VIEWER } from './console-helpers.tsx';
import { type } from './helpers.tsx';
import { instanceDetail, operationsOf } from './instance-fixtures.ts';

type Handlers = Parameters<typeof fakeApi>[0];

function setup(options: { pluginType?: string; operations?: string[]; stats?: Record<string, unknown>; viewer?: typeof VIEWER; handlers?: Handlers } = {}) {
  const base = instanceDetail();
  const instance = instanceDetail({ plugin: { ...base.plugin, type: options.pluginType ?? 'NOTIFICATION' } });
  const api = fakeApi({
    InstanceDetail: () => ({ pluginInstance: instance }),
    InstanceOperations: () => ({ pluginInstance: operationsOf(options.operations, options.stats) }),
    ...options.handlers,
  });
  renderRoute({ pattern: '/instances/:id', path: '/instances/inst-1', component: InstanceDetailPage, api, ...(options.viewer ? { viewer: options.viewer } : {}) });
  return api;
}

const failure = (id: string, at: string, operation: string, errorType: string, errorMessage: string, vendorStatus: number | null) => ({
  __typename: 'OperationCall',
  id,
  at,
  operation,
  outcome: 'error',
  errorType,
  errorMessage,
  vendorStatus,
});

async function tryItForm(name: RegExp) {
  const panel = await screen.findByRole('region', { name: 'Try it' });
  return within(panel).getByRole('form', { name });
}

/** The form's result region, once a result is written into it (the region is there from the start). */
async function resultOf(form: HTMLElement) {
  const status = within(form).getByRole('status', { name: /result/ });
  await waitFor(() => expect(status.textContent).not.toBe(''));
  return status;
}

const success = (typename: string, data: Record<string, unknown>) => ({ __typename: typename, data });

afterEach(() => vi.unstubAllGlobals());

describe('Operations card', () => {
  it('shows calls, error rate, p95 latency, calls per hour and the last failures', async () => {
    setup({
      stats: {
        calls: 8,
        errors: 1,
        errorRate: 0.125,
        p95LatencyMs: 340,
        perHour: [
          { __typename: 'HourlyOperationCalls', hour: '2025-03-01T09:00:00.000Z', calls: 3, errors: 0 },
          { __typename: 'HourlyOperationCalls', hour: '2025-03-01T10:00:00.000Z', calls: 5, errors: 1 },
        ],
        lastFailures: [failure('c1', '2025-03-01T10:12:00.000Z', 'sendNotification', 'OperationFailedError', 'Slack answered channel_not_found', 404)],
      },
    });
    const card = await screen.findByRole('region', { name: 'Operations' });
    await waitFor(() => expect(card.querySelector('.pf-op-stats')?.textContent).toBe('Calls8Error rate12.5 %p95 latency340 ms'));
    const hours = within(card).getByRole('table', { name: 'Calls per hour' });
    // Newest hour first.
    expect(within(hours).getAllByRole('row').slice(1).map((row) => row.querySelectorAll('td')[1]?.textContent)).toEqual(['5', '3']);
    const failures = within(card).getByRole('table', { name: 'Last failures' });
    const cells = within(failures).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(1)).toEqual(['sendNotification', 'OperationFailedError · HTTP 404', 'Slack answered channel_not_found']);
  });

  it('says when no operation was called in the window', async () => {
    setup();
    const card = await screen.findByRole('region', { name: 'Operations' });
    expect(await within(card).findByText('No operation was called in the last 24 hours.')).toBeTruthy();
    expect(within(card).queryByRole('table')).toBeNull();
  });
});

describe('Try it panel', () => {
  it('is not offered to a viewer, who still sees the Operations card', async () => {
    setup({ viewer: VIEWER });
    await screen.findByRole('region', { name: 'Operations' });
    expect(screen.queryByRole('region', { name: 'Try it' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Send notification' })).toBeNull();
  });

  it('sends a test notification and shows the message id, then refreshes the stats', async () => {
    const api = setup({
      handlers: { TrySendNotification: () => ({ sendNotification: success('MutationSendNotificationSuccess', { __typename: 'NotificationSent', messageId: 'msg-4711' }) }) },
    });
    const form = await tryItForm(/Send a test notification/);
    type(within(form).getByLabelText(/^Recipient/), '#alerts');
    type(within(form).getByLabelText(/^Subject/), 'Disk');
    type(within(form).getByLabelText(/^Message/), 'Disk almost full');
    await waitFor(() => expect(api.callsOf('InstanceOperations')).toHaveLength(1));
    fireEvent.click(within(form).getByRole('button', { name: 'Send notification' }));
    const result = await resultOf(form);
    expect(result.textContent).toContain('Message id');
    expect(within(result).getByText('msg-4711')).toBeTruthy();
    expect(api.callsOf('TrySendNotification')[0]!.variables).toEqual({
      instanceId: 'inst-1',
      input: { recipient: '#alerts', subject: 'Disk', message: 'Disk almost full' },
    });
    await waitFor(() => expect(api.callsOf('InstanceOperations')).toHaveLength(2));
  });

  it('checks required fields before calling, naming the field next to it', async () => {
    const api = setup();
    const form = await tryItForm(/Send a test notification/);
    fireEvent.click(within(form).getByRole('button', { name: 'Send notification' }));
    const recipient = within(form).getByLabelText(/^Recipient/);
    await waitFor(() => expect(recipient.getAttribute('aria-invalid')).toBe('true'));
    const errorId = recipient.getAttribute('aria-describedby')!.split(' ').find((id) => id.endsWith('-error'))!;
    expect(document.getElementById(errorId)?.textContent).toContain('Recipient is required');
    await waitFor(() => expect(document.activeElement).toBe(recipient));
    expect(api.callsOf('TrySendNotification')).toHaveLength(0);
  });

  it('shows the server’s field errors next to their fields, and a vendor failure with its status', async () => {
    const answers = [
      { __typename: 'ValidationError', message: 'The input is invalid', fieldErrors: [{ __typename: 'FieldError', field: 'recipient', message: 'recipient must be at most 4000 characters', rule: 'maxLength' }] },
      { __typename: 'OperationFailedError', message: 'Slack refused the message: channel_not_found', timedOut: false, vendorStatus: 404, vendorCode: 'channel_not_found' },
    ];
    setup({ handlers: { TrySendNotification: () => ({ sendNotification: answers.shift() }) } });
    const form = await tryItForm(/Send a test notification/);
    type(within(form).getByLabelText(/^Recipient/), '#alerts');
    fireEvent.click(within(form).getByRole('button', { name: 'Send notification' }));
    const recipient = within(form).getByLabelText(/^Recipient/);
    await waitFor(() => expect(recipient.getAttribute('aria-invalid')).toBe('true'));
    expect(within(form).getByText('recipient must be at most 4000 characters')).toBeTruthy();
    expect(within(form).getByRole('alert').textContent).toContain('Check the highlighted fields');

    fireEvent.click(within(form).getByRole('button', { name: 'Send notification' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('The vendor refused or failed the call'));
    const alert = within(form).getByRole('alert');
    expect(alert.textContent).toContain('Slack refused the message: channel_not_found');
    expect(alert.textContent).toContain('Vendor: HTTP 404 · code channel_not_found');
    expect(recipient.getAttribute('aria-invalid')).toBeNull();
  });

  it('uploads a file as a multipart request, reads it back through the signed link, and lists files', async () => {
    const downloads: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      downloads.push(url);
      return new Response('hello from plugform', { status: 200 });
    });
    const api = setup({
      pluginType: 'STORAGE',
      operations: ['storeFile', 'createFileDownloadUrl', 'listFiles', 'deleteFile'],
      handlers: {
        TryStoreFile: ({ key }) => ({ storeFile: success('MutationStoreFileSuccess', { __typename: 'StoredFile', key, size: 19, location: '/srv/files/try-it/hello.txt' }) }),
        TryDownloadUrl: ({ key }) => ({ createFileDownloadUrl: success('MutationCreateFileDownloadUrlSuccess', { __typename: 'FileDownloadUrl', key, url: 'http://console.test/api/v1/downloads/abc.sig', expiresAt: '2025-03-01T11:00:00.000Z' }) }),
        TryListFiles: () => ({ listFiles: success('MutationListFilesSuccess', { __typename: 'FileList', files: [{ __typename: 'FileEntry', key: 'try-it/hello.txt', size: 19, lastModified: null }] }) }),
      },
    });
    const store = await tryItForm(/Store a file and read it back/);
    const file = new File(['hello from plugform'], 'hello.txt', { type: 'text/plain' });
    fireEvent.change(within(store).getByLabelText(/^File/), { target: { files: [file] } });
    fireEvent.click(within(store).getByRole('button', { name: 'Upload and read back' }));
    const result = await resultOf(store);
    await waitFor(() => expect(result.querySelector('pre')?.textContent).toBe('hello from plugform'));
    expect(within(result).getByRole('link', { name: /Download/ }).getAttribute('href')).toBe('http://console.test/api/v1/downloads/abc.sig');
    expect(downloads).toEqual(['http://console.test/api/v1/downloads/abc.sig']);
    const upload = api.callsOf('TryStoreFile')[0]!;
    expect(upload.multipart).toBe(true);
    expect(upload.csrf).not.toBeNull();
    expect(upload.variables.key).toBe('try-it/hello.txt');
    expect(await (upload.variables.file as File).text()).toBe('hello from plugform');

    const list = await tryItForm(/List files/);
    fireEvent.click(within(list).getByRole('button', { name: 'List files' }));
    const files = await within(list).findByRole('table', { name: 'Files' });
    expect(within(files).getAllByRole('cell').map((c) => c.textContent)).toEqual(['try-it/hello.txt', '19 bytes']);
  });

  it('offers only the operations the instance has (no list without listFiles)', async () => {
    setup({ pluginType: 'STORAGE', operations: ['storeFile', 'createFileDownloadUrl', 'deleteFile'] });
    await tryItForm(/Store a file/);
    expect(screen.queryByRole('form', { name: /List files/ })).toBeNull();
  });

  it('checks credentials without ever showing the password back, and empties its field', async () => {
    const api = setup({
      pluginType: 'AUTHENTICATION',
      operations: ['verifyCredentials'],
      handlers: { TryVerifyCredentials: () => ({ verifyCredentials: success('MutationVerifyCredentialsSuccess', { __typename: 'CredentialVerification', authenticated: true, subject: 'uid=ada,dc=test', message: null }) }) },
    });
    const form = await tryItForm(/Check credentials/);
    type(within(form).getByLabelText(/^Username/), 'ada');
    const password = within(form).getByLabelText(/^Password/) as HTMLInputElement;
    expect(password.type).toBe('password');
    type(password, 's3cret-Pa55');
    fireEvent.click(within(form).getByRole('button', { name: 'Authenticate' }));
    const result = await resultOf(form);
    expect(result.textContent).toContain('Authenticated.');
    expect(result.textContent).toContain('uid=ada,dc=test');
    expect(api.callsOf('TryVerifyCredentials')[0]!.variables).toEqual({ instanceId: 'inst-1', input: { username: 'ada', password: 's3cret-Pa55' } });
    expect(password.value).toBe('');
    expect(document.body.innerHTML).not.toContain('s3cret-Pa55');
  });

  it('runs a search and lists the hits', async () => {
    const api = setup({
      pluginType: 'SEARCH',
      operations: ['indexDocuments', 'searchDocuments'],
      handlers: { TrySearchDocuments: () => ({ searchDocuments: success('MutationSearchDocumentsSuccess', { __typename: 'SearchResult', hits: [{ __typename: 'SearchHit', id: 'doc-1', score: 0.9, document: { title: 'Kind of Blue' } }] }) }) },
    });
    const form = await tryItForm(/Search/);
    type(within(form).getByLabelText(/^Index/), 'albums');
    type(within(form).getByLabelText(/^Query/), 'blue');
    fireEvent.click(within(form).getByRole('button', { name: 'Search' }));
    const hits = await within(form).findByRole('table', { name: 'Hits' });
    expect(within(hits).getAllByRole('cell').map((c) => c.textContent)).toEqual(['doc-1', '0.9', '{"title":"Kind of Blue"}']);
    expect(api.callsOf('TrySearchDocuments')[0]!.variables).toEqual({ instanceId: 'inst-1', input: { index: 'albums', query: 'blue', limit: 20 } });
  });

  it.each([
    ['ANALYTICS', 'captureEvent', /Capture an event/, 'Capture event', 'TryCaptureEvent', { captureEvent: success('MutationCaptureEventSuccess', { __typename: 'EventsAccepted', accepted: 1 }) }, 'Accepted'],
    ['WORKFLOW', 'triggerWorkflow', /Trigger a workflow/, 'Trigger workflow', 'TryTriggerWorkflow', { triggerWorkflow: success('MutationTriggerWorkflowSuccess', { __typename: 'WorkflowRun', runId: 'run-77', status: 'queued' }) }, 'run-77'],
    ['INTEGRATION', 'deliverEvent', /Deliver an event/, 'Deliver event', 'TryDeliverEvent', { deliverEvent: success('MutationDeliverEventSuccess', { __typename: 'EventDelivery', result: { status: 202 } }) }, '"status": 202'],
  ])('%s: runs %s and shows its result', async (pluginType, operation, title, button, name, answer, shown) => {
    const api = setup({ pluginType, operations: [operation], handlers: { [name]: () => answer } });
    const form = await tryItForm(title);
    const required = within(form).queryByLabelText(/^Workflow id/);
    if (required) type(required, 'nightly-report');
    fireEvent.click(within(form).getByRole('button', { name: button }));
    const result = await resultOf(form);
    expect(result.textContent).toContain(shown);
    expect(api.callsOf(name)).toHaveLength(1);
  });

  it('refuses JSON that is not an object, naming the field', async () => {
    const api = setup({ pluginType: 'INTEGRATION', operations: ['deliverEvent'] });
    const form = await tryItForm(/Deliver an event/);
    type(within(form).getByLabelText(/^Payload/), '[1, 2]');
    fireEvent.click(within(form).getByRole('button', { name: 'Deliver event' }));
    expect(await within(form).findByText('Payload (JSON object) must be a JSON object ({ … })')).toBeTruthy();
    expect(api.callsOf('TryDeliverEvent')).toHaveLength(0);
  });

  it('creates a payment with a whole amount in minor units, and refuses a decimal one', async () => {
    const api = setup({
      pluginType: 'PAYMENT',
      operations: ['createPayment', 'capturePayment', 'refundPayment'],
      handlers: { TryCreatePayment: () => ({ createPayment: success('MutationCreatePaymentSuccess', { __typename: 'Payment', paymentId: 'pi_123', status: 'succeeded', amountMinor: 1250, currency: 'EUR' }) }) },
    });
    const form = await tryItForm(/Create a payment/);
    type(within(form).getByLabelText(/^Amount/), '12.50');
    type(within(form).getByLabelText(/^Payment method/), 'pm_card_visa');
    fireEvent.click(within(form).getByRole('button', { name: 'Create payment' }));
    expect(await within(form).findByText('Amount (minor units) must be a whole number')).toBeTruthy();
    expect(api.callsOf('TryCreatePayment')).toHaveLength(0);

    type(within(form).getByLabelText(/^Amount/), '1250');
    fireEvent.click(within(form).getByRole('button', { name: 'Create payment' }));
    const result = await resultOf(form);
    expect(result.textContent).toContain('pi_123');
    expect(api.callsOf('TryCreatePayment')[0]!.variables).toEqual({ instanceId: 'inst-1', input: { amountMinor: 1250, currency: 'EUR', paymentMethod: 'pm_card_visa' } });
  });
});
