/**
 * Who may call what, safe retries and metrics: service tokens scoped to instances and
 * operations, viewers refused, idempotent replay backed by the database, and the Prometheus
 * endpoint behind its token. The Stripe double is the listener: when a call is refused, it
 * must receive nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CALL_LOG, CREATE_PAYMENT, REFUND_PAYMENT, createInstance, operation } from '../support/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startStripeDouble, type StripeDouble } from '../support/vendors/stripe.ts';

const STRIPE_KEY = 'sk_test_CANARYaccessStripeKey01234567';
const METRICS_TOKEN = 'CANARY-metrics-token-0123456789';

const CREATE_SERVICE_TOKEN = `mutation ($name: String!, $role: Role!, $scopes: [OperationScopeInput!]) {
  createApiToken(name: $name, role: $role, scopes: $scopes) {
    __typename
    ... on MutationCreateApiTokenSuccess { data { token apiToken { name role scopes { instanceId operations } } } }
    ... on ValidationError { message fieldErrors { field rule message } }
  }
}`;

let server: TestServer;
let stripe: StripeDouble;
let payments: string;
let otherPayments: string;

const pay = (amountMinor = 1250) => ({ amountMinor, currency: 'EUR', paymentMethod: 'pm_card_visa' });
const vendorPosts = () => stripe.requests.filter((r) => r.method === 'POST').length;

beforeAll(async () => {
  [server, stripe] = await Promise.all([startTestServer({ env: { PLUGFORM_METRICS_TOKEN: METRICS_TOKEN } }), startStripeDouble({ secretKey: STRIPE_KEY })]);
  payments = await createInstance(server, 'stripe', 'access-payments', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url });
  otherPayments = await createInstance(server, 'stripe', 'access-other', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url });
});
beforeEach(() => stripe.reset());
afterAll(async () => {
  const everything = server.responses.map((r) => r.text).join('\n');
  expect(everything).not.toContain(STRIPE_KEY);
  await Promise.all([server?.close(), stripe?.close()]);
});

async function serviceToken(scopes: { instanceId: string; operations: string[] }[]): Promise<string> {
  const created = await server.gql(CREATE_SERVICE_TOKEN, { name: `svc ${Math.random()}`, role: 'OPERATOR', scopes });
  expect(created.body.data?.createApiToken.__typename, created.text).toBe('MutationCreateApiTokenSuccess');
  return created.body.data.createApiToken.data.token;
}

describe('who may call operations', () => {
  it('a viewer never invokes: refused before the vendor is reached', async () => {
    const viewer = await server.tokenFor('viewer');
    const refused = await server.gql(CREATE_PAYMENT, { id: payments, input: pay() }, { token: viewer });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(vendorPosts()).toBe(0);
  });

  it('operators and admins may call every operation', async () => {
    const operator = await server.tokenFor('operator');
    const paid = await operation(server, CREATE_PAYMENT, { id: payments, input: pay() }, operator);
    expect(paid.__typename).toBe('MutationCreatePaymentSuccess');
    expect(vendorPosts()).toBe(1);
  });

  it('a service token calls exactly what its scopes name, and nothing else', async () => {
    const token = await serviceToken([{ instanceId: payments, operations: ['createPayment'] }]);
    const paid = await operation(server, CREATE_PAYMENT, { id: payments, input: pay() }, token);
    expect(paid.__typename).toBe('MutationCreatePaymentSuccess');
    expect(vendorPosts()).toBe(1);

    // Another operation of the same instance: refused, nothing sent.
    const refund = await operation(server, REFUND_PAYMENT, { id: payments, input: { paymentId: paid.data.paymentId } }, token);
    expect(refund).toMatchObject({ __typename: 'OperationForbiddenError', operation: 'refundPayment', instanceId: payments });
    // The same operation on another instance: refused, nothing sent.
    const elsewhere = await operation(server, CREATE_PAYMENT, { id: otherPayments, input: pay() }, token);
    expect(elsewhere).toMatchObject({ __typename: 'OperationForbiddenError', operation: 'createPayment', instanceId: otherPayments });
    expect(vendorPosts()).toBe(1);

    // Nothing else of the API either: no reads, no changes.
    const read = await server.gql('{ pluginInstances { edges { node { id } } } }', undefined, { token });
    expect(read.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(read.body.errors?.[0]?.message).toContain('service token');
    const change = await server.gql(`mutation ($id: ID!) { setPluginInstanceEnabled(id: $id, enabled: false) { __typename } }`, { id: payments }, { token });
    expect(change.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('"*" grants every operation of the named instance only', async () => {
    const token = await serviceToken([{ instanceId: payments, operations: ['*'] }]);
    const paid = await operation(server, CREATE_PAYMENT, { id: payments, input: pay() }, token);
    const refund = await operation(server, REFUND_PAYMENT, { id: payments, input: { paymentId: paid.data.paymentId } }, token);
    expect(refund.__typename).toBe('MutationRefundPaymentSuccess');
    expect((await operation(server, CREATE_PAYMENT, { id: otherPayments, input: pay() }, token)).__typename).toBe('OperationForbiddenError');
  });

  it('admins manage scopes: they are shown on the token and checked when it is created', async () => {
    const created = await server.gql(CREATE_SERVICE_TOKEN, { name: 'billing-service', role: 'OPERATOR', scopes: [{ instanceId: payments, operations: ['createPayment', 'refundPayment'] }] });
    expect(created.body.data.createApiToken.data.apiToken).toEqual({
      name: 'billing-service',
      role: 'OPERATOR',
      scopes: [{ instanceId: payments, operations: ['createPayment', 'refundPayment'] }],
    });
    const listed = await server.gql('{ apiTokens { name scopes { instanceId operations } } }');
    expect(listed.body.data.apiTokens.find((t: { name: string }) => t.name === 'billing-service').scopes).toHaveLength(1);

    const bad = await server.gql(CREATE_SERVICE_TOKEN, {
      name: 'bad',
      role: 'VIEWER',
      scopes: [
        { instanceId: payments, operations: ['sendNotification'] },
        { instanceId: 'no-such-instance', operations: ['createPayment'] },
      ],
    });
    const result = bad.body.data.createApiToken;
    expect(result.__typename).toBe('ValidationError');
    expect(result.fieldErrors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual([
      'role:serviceRole',
      'scopes[0].operations:enum',
      'scopes[1].instanceId:exists',
    ]);
  });

  it('an operator cannot make tokens at all', async () => {
    const operator = await server.tokenFor('operator');
    const refused = await server.gql(CREATE_SERVICE_TOKEN, { name: 'x', role: 'OPERATOR', scopes: [{ instanceId: payments, operations: ['*'] }] }, { token: operator });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('idempotency keys', () => {
  it('a repeat with the same key returns the first result without calling Stripe again', async () => {
    const first = await operation(server, CREATE_PAYMENT, { id: payments, input: pay(900), key: 'order-1001' });
    const second = await operation(server, CREATE_PAYMENT, { id: payments, input: pay(900), key: 'order-1001' });
    expect(first.__typename).toBe('MutationCreatePaymentSuccess');
    expect(second).toEqual(first);
    expect(vendorPosts()).toBe(1);
    // Stripe deduplicates too: it got an Idempotency-Key (derived, so keys of two callers never collide).
    expect(stripe.requests[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the same key with another input is refused; another caller’s same key is its own', async () => {
    await operation(server, CREATE_PAYMENT, { id: payments, input: pay(1000), key: 'order-2002' });
    const changed = await operation(server, CREATE_PAYMENT, { id: payments, input: pay(1100), key: 'order-2002' });
    expect(changed).toMatchObject({ __typename: 'IdempotencyConflictError', inProgress: false });
    expect(JSON.stringify(changed)).not.toContain('order-2002');
    const operator = await server.tokenFor('operator');
    const theirs = await operation(server, CREATE_PAYMENT, { id: payments, input: pay(1100), key: 'order-2002' }, operator);
    expect(theirs.__typename).toBe('MutationCreatePaymentSuccess');
    expect(vendorPosts()).toBe(2);
  });

  it('a failed first call frees its key for the retry', async () => {
    const declined = await operation(server, CREATE_PAYMENT, { id: payments, input: { ...pay(), paymentMethod: 'pm_card_chargeDeclined' }, key: 'order-3003' });
    expect(declined.__typename).toBe('OperationFailedError');
    const retried = await operation(server, CREATE_PAYMENT, { id: payments, input: { ...pay(), paymentMethod: 'pm_card_chargeDeclined' }, key: 'order-3003' });
    expect(retried.__typename).toBe('OperationFailedError');
    expect(vendorPosts()).toBe(2);
  });

  it('the first result is stored in the database (so any replica replays it), and the repeat is logged as replayed', async () => {
    const id = await createInstance(server, 'stripe', 'access-replay', { secretKey: STRIPE_KEY, apiBaseUrl: stripe.url });
    await operation(server, CREATE_PAYMENT, { id, input: pay(), key: 'order-4004' });
    await operation(server, CREATE_PAYMENT, { id, input: pay(), key: 'order-4004' });
    const stored = await server.running.services.prisma.idempotencyRecord.findMany({ where: { instanceId: id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ operation: 'createPayment', state: 'done' });
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await expect.poll(async () => (await server.gql(CALL_LOG, { id })).body.data.pluginInstance.operationCalls.map((c: { outcome: string }) => c.outcome).sort()).toEqual(['replayed', 'success']);
  });
});

describe('/metrics', () => {
  it('needs the metrics token, then shows Prometheus counters and histograms of the calls', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    await operation(server, CREATE_PAYMENT, { id: payments, input: pay() });
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(text).toMatch(new RegExp(`plugform_operation_calls_total\\{instance="${payments}",plugin="stripe",operation="createPayment",outcome="success"\\} \\d+`));
    expect(text).toContain('# TYPE plugform_operation_duration_seconds histogram');
    expect(text).toMatch(new RegExp(`plugform_operation_duration_seconds_count\\{instance="${payments}",plugin="stripe",operation="createPayment"\\} \\d+`));
  });
});
