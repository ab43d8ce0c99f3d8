import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { readPath, type HttpWorkflowConfig } from '../../../plugins/http-workflow/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { startWorkflowTrigger, type WorkflowTrigger } from '../../support/vendors/workflow-trigger.ts';

const AUTH = 'CANARY-n8n-header-auth-3c9d1e';

let engine: WorkflowTrigger;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  engine = await startWorkflowTrigger({
    headerName: 'X-N8N-Auth',
    headerValue: AUTH,
    workflows: {
      'order-sync': 'execution-id',
      'zap-hook': 'zapier',
      'fire-and-forget': 'immediately',
      nested: { nested: true },
      broken: 'fails',
      'fixed-hook': 'execution-id',
      'with space': 'execution-id',
    },
  });
});
afterEach(() => engine.reset());
afterAll(async () => {
  await engine.close();
  for (const context of contexts) expect(everythingSaid(context, ...outputs)).not.toContain(AUTH);
});

function config(overrides: Partial<HttpWorkflowConfig> = {}): HttpWorkflowConfig {
  return {
    triggerUrl: engine.triggerUrl,
    method: 'POST',
    authHeaderName: 'X-N8N-Auth',
    authHeaderValue: AUTH,
    testMode: 'reachability',
    testWorkflowId: 'order-sync',
    retryCount: 0,
    timeoutSeconds: 5,
    ...overrides,
  };
}

async function provider(overrides: Partial<HttpWorkflowConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('http-workflow: starting workflows', () => {
  it('POSTs the input to the trigger URL with the auth header and returns the execution id', async () => {
    const { instance } = await provider();
    const run = said(await instance.executeWorkflow('order-sync', { orderId: 42 }));
    expect(run).toMatchObject({ runId: engine.runs[0]?.executionId, status: 'running', details: { httpStatus: 200, runIdSource: 'response' } });
    const request = engine.requests[0]!;
    expect(request.path).toBe('/webhook/order-sync');
    expect(request.headers['x-n8n-auth']).toBe(AUTH);
    expect(request.headers['x-plugform-idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request.body)).toEqual({ orderId: 42 });
    expect(engine.runs[0]).toMatchObject({ workflowId: 'order-sync', input: { orderId: 42 } });
  });

  it('reads Zapier-style answers ({ id, status })', async () => {
    const { instance } = await provider();
    const run = said(await instance.executeWorkflow('zap-hook', {}));
    expect(run.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.status).toBe('success');
  });

  it('an answer without a run id falls back to the idempotency key, and says so', async () => {
    const { instance } = await provider();
    const run = said(await instance.executeWorkflow('fire-and-forget', {}));
    expect(run).toMatchObject({ status: 'started', details: { runIdSource: 'idempotency-key', response: { message: 'Workflow was started' } } });
    expect(run.runId).toBe(engine.requests[0]?.headers['x-plugform-idempotency-key']);
  });

  it('follows configured paths into nested answers', async () => {
    const { instance } = await provider({ runIdPath: 'data.runs[0].id', statusPath: 'data.runs[0].state' });
    const run = said(await instance.executeWorkflow('nested', {}));
    expect(run).toMatchObject({ runId: `run-${engine.runs[0]?.executionId}`, status: 'queued' });
    expect(readPath({ a: [{ b: 7 }] }, 'a.0.b')).toBe(7);
  });

  it('a configured run id path that is missing is an error naming the path', async () => {
    const { instance } = await provider({ runIdPath: 'executionId' });
    const error = said(await thrownBy(() => instance.executeWorkflow('fire-and-forget', {})));
    expect(error.message).toBe('Workflow trigger: the workflow was triggered (HTTP 200) but the answer has no run id at "executionId": "{"message":"Workflow was started"}"');
  });

  it('without a placeholder the workflow id travels in a header; ids are URL-encoded', async () => {
    const fixed = await provider({ triggerUrl: `${engine.url}/webhook/fixed-hook` });
    said(await fixed.instance.executeWorkflow('billing', {}));
    expect(engine.requests[0]?.headers['x-plugform-workflow-id']).toBe('billing');
    const { instance } = await provider();
    said(await instance.executeWorkflow('with space', {}));
    expect(engine.requests[1]?.url.pathname).toBe('/webhook/with%20space');
  });
});

describe('http-workflow: failures', () => {
  it('a wrong auth value gets a hint and never shows the value', async () => {
    const { instance } = await provider({ authHeaderValue: 'CANARY-wrong-auth-value' });
    const error = said(await thrownBy(() => instance.executeWorkflow('order-sync', {})));
    expect(error.message).toBe('Workflow trigger: the engine answered HTTP 403: "Authorization data is wrong!" (check the auth header name and value)');
    expect(error.message).not.toContain('CANARY-wrong-auth-value');
  });

  it('an unknown or inactive workflow is explained', async () => {
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.executeWorkflow('nope', {})));
    expect(error.message).toMatch(/^Workflow trigger: the engine answered HTTP 404: "\{"code":404,"message":"The requested webhook \\"POST nope\\" is not registered\./);
    expect(error.message).toMatch(/\(is the workflow active and the URL its production URL\?\)$/);
  });

  it('a failing workflow (500) is not retried: it may have run', async () => {
    const { instance } = await provider({ retryCount: 2 });
    const error = said(await thrownBy(() => instance.executeWorkflow('broken', {})));
    expect(error.message).toBe('Workflow trigger: the engine answered HTTP 500: "{"message":"Error in workflow"}"');
    expect(engine.requests).toHaveLength(1);
  });

  it('a 503 is retried with the same idempotency key; a 429 waits for Retry-After', async () => {
    engine.inject({ kind: 'reply', reply: { status: 503, body: 'starting up' } });
    engine.inject({ kind: 'reply', reply: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } });
    const { instance, context } = await provider({ retryCount: 2 });
    const { result, waits } = await runThroughWaits({ context, requests: engine.requests }, () => instance.executeWorkflow('order-sync', {}));
    said(result);
    // A backoff after the 503, then exactly the second the 429 asked for.
    expect(waits).toEqual([expect.any(Number), 1000]);
    const keys = new Set(engine.requests.map((r) => r.headers['x-plugform-idempotency-key']));
    expect(engine.requests).toHaveLength(3);
    expect(keys.size).toBe(1);
  });

  it('timeouts, unreachable engines and garbage are explained', async () => {
    engine.inject({ kind: 'hang' });
    const { instance } = await provider({ timeoutSeconds: 1 });
    const timeout = said(await thrownBy(() => instance.executeWorkflow('order-sync', {})));
    expect(timeout.message).toBe(`Workflow trigger: request to ${new URL(engine.url).host} timed out after 1000 ms`);

    engine.inject({ kind: 'garbage' });
    const strict = await provider({ runIdPath: 'executionId' });
    const garbage = said(await thrownBy(() => strict.instance.executeWorkflow('order-sync', {})));
    expect(garbage.message).toMatch(/^Workflow trigger: the workflow was triggered \(HTTP 200\) but the answer has no run id at "executionId": "<html>/);

    const offline = await provider({ triggerUrl: `${await closedPortUrl()}/webhook/{workflowId}` });
    const refused = said(await thrownBy(() => offline.instance.executeWorkflow('order-sync', {})));
    expect(refused.message).toMatch(/^Workflow trigger: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
    const health = said(await offline.instance.healthCheck!());
    expect(health).toMatchObject({ status: 'unhealthy', details: { failure: 'network' } });
  });
});

describe('http-workflow: test and health', () => {
  it('the default test is a HEAD request that starts nothing', async () => {
    const { instance } = await provider();
    const result = said(await instance.testConnection!());
    expect(result).toMatchObject({ success: true, details: { httpStatus: 404, checked: 'reachability' } });
    expect(result.message).toContain('answers (HTTP 404 to HEAD); the workflow itself is only checked by a dry run');
    expect(engine.requests[0]?.method).toBe('HEAD');
    expect(engine.runs).toHaveLength(0);
    expect(said(await instance.healthCheck!())).toMatchObject({ status: 'healthy' });
  });

  it('a proxy refusing the credentials fails the reachability test', async () => {
    engine.inject({ kind: 'reply', reply: { status: 401, body: 'Unauthorized' } });
    const { instance } = await provider();
    const result = said(await instance.testConnection!());
    expect(result).toEqual({ success: false, message: `Workflow trigger: ${new URL(engine.url).host} refused the credentials (HTTP 401)` });
  });

  it('a dry run starts the test workflow with the dry-run flag and reports its run', async () => {
    const { instance } = await provider({ testMode: 'dry-run' });
    const result = said(await instance.testConnection!());
    const runId = engine.runs[0]?.executionId;
    expect(result).toMatchObject({ success: true, message: `Dry run started (run ${runId}, running)`, details: { checked: 'dry-run', runId } });
    expect(engine.runs[0]?.input).toEqual({ dryRun: true, source: 'plugform-connection-test' });
    expect(engine.runs[0]?.headers['x-plugform-dry-run']).toBe('true');
  });

  it('a trigger URL with {workflowId} needs a test workflow id', async () => {
    const { instance } = await provider({ testWorkflowId: undefined });
    expect(said(await instance.testConnection!())).toEqual({
      success: false,
      message: 'Workflow trigger: the Trigger URL contains {workflowId}: set a Test Workflow ID to test it',
    });
  });

  it('configure refuses an auth header that would replace Content-Type, and a trigger URL that is not http(s)', async () => {
    const error = await thrownBy(async () => plugin.createProvider(config({ authHeaderName: 'Content-Type' }), createTestPluginContext()));
    expect(error.message).toBe('Auth Header Name cannot be Content-Type');
    const notHttp = await thrownBy(async () => plugin.createProvider(config({ triggerUrl: 'file:///etc/{workflowId}' }), createTestPluginContext()));
    expect(notHttp.message).toBe('Workflow trigger: the Trigger URL must be an http or https URL');
  });
});

describe('http-workflow: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { triggerUrl: 'https://n8n.example.com/webhook/{workflowId}' })).toEqual({
      ok: true,
      value: { triggerUrl: 'https://n8n.example.com/webhook/{workflowId}', method: 'POST', authHeaderName: 'Authorization', testMode: 'reachability', retryCount: 0, timeoutSeconds: 30 },
    });
    expect(validateConfig(plugin, config({ runIdPath: 'data.runs[0].id' }))).toMatchObject({ ok: true });
    const bad = validateConfig(plugin, { triggerUrl: 'ftp://x.example/{workflowId}', runIdPath: 'data..id' });
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'triggerUrl: An http(s) URL, which may contain {workflowId}',
      'runIdPath: A dotted path such as executionId, data.id or runs[0].id',
    ]);
  });
});
