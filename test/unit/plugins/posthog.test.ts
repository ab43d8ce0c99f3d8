import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { type PostHogConfig } from '../../../plugins/posthog/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { posthogFaults, startPostHogDouble, type PostHogDouble } from '../../support/vendors/posthog.ts';

const PROJECT_KEY = 'phc_CANARYproject7f3a9b2c1d0e';
const PERSONAL_KEY = 'phx_CANARYpersonal4e5f6a7b8c9d';

let posthog: PostHogDouble;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  posthog = await startPostHogDouble({
    projectApiKey: PROJECT_KEY,
    personalApiKey: PERSONAL_KEY,
    projectId: 4242,
    projectName: 'Plugform Test',
    flags: { 'new-checkout': true, 'beta-search': false },
  });
});
afterEach(() => {
  posthog.reset();
  posthog.options.personalKeyScopes = undefined;
  posthog.options.currentProjectApiKey = undefined;
});
afterAll(async () => {
  await posthog.close();
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    expect(said).not.toContain(PROJECT_KEY);
    expect(said).not.toContain(PERSONAL_KEY);
  }
});

function config(overrides: Partial<PostHogConfig> = {}): PostHogConfig {
  return { projectApiKey: PROJECT_KEY, host: posthog.url, defaultDistinctId: 'plugform', appHost: posthog.url, retryCount: 2, timeoutSeconds: 5, ...overrides };
}

async function provider(overrides: Partial<PostHogConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('posthog: capturing events', () => {
  it('posts the event to /i/v0/e/ with the project key, a timestamp and a uuid', async () => {
    const { instance } = await provider();
    await instance.trackEvent('order_placed', { total: 42 }, 'user-7');
    const request = posthog.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/i/v0/e/');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toMatchObject({ api_key: PROJECT_KEY, event: 'order_placed', distinct_id: 'user-7', properties: { total: 42, $lib: 'plugform' } });
    expect(Date.parse(String(body.timestamp))).not.toBeNaN();
    expect(body.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(posthog.events).toHaveLength(1);
  });

  it('takes the distinct id from properties, else the default', async () => {
    const { instance } = await provider({ defaultDistinctId: 'backend' });
    await instance.trackEvent('a', { distinct_id: 'user-9' });
    await instance.trackEvent('b');
    expect(posthog.events.map((e) => e.distinct_id)).toEqual(['user-9', 'backend']);
  });

  it('refuses an empty event name without calling PostHog', async () => {
    const { instance } = await provider();
    expect(said(await thrownBy(() => instance.trackEvent(' '))).message).toBe('PostHog: the event name is empty');
    expect(posthog.requests).toHaveLength(0);
  });

  it('an unknown project key is accepted by capture (as PostHog does) but fails the test', async () => {
    const { instance } = await provider({ projectApiKey: 'phc_CANARYunknownProject00' });
    await instance.trackEvent('lost_event');
    expect(posthog.events).toHaveLength(0);
    const test = said(await instance.testConnection!());
    expect(test).toEqual({
      success: false,
      message: 'PostHog: the project API key was refused: Project API key invalid. You can find your project API key in PostHog project settings. (invalid_api_key)',
    });
    expect(posthog.requests.at(-1)?.path).toBe('/flags');
    expect(posthog.requests.at(-1)?.url.searchParams.get('v')).toBe('2');
  });

  it('configure refuses a personal key in place of the project key', async () => {
    const error = await thrownBy(async () => plugin.createProvider(config({ projectApiKey: 'phx_CANARYpersonalAsProject' }), createTestPluginContext()));
    expect(error.message).toBe('Project API Key is a personal key (phx_…): events need the project key (phc_…)');
  });

  it("explains capture's plain-text refusals", async () => {
    posthog.inject({ kind: 'reply', reply: { status: 401, body: 'API key is not valid: personal_api_key' } });
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.trackEvent('x')));
    expect(error.message).toBe('PostHog: capture refused the event: API key is not valid: personal_api_key (HTTP 401)');
  });

  it('retries a 503 with the same uuid, so PostHog keeps one event', async () => {
    posthog.inject({ kind: 'reply', reply: posthogFaults.captureUnavailable() });
    const { instance } = await provider();
    await instance.trackEvent('retried');
    const [first, second] = posthog.requests.map((r) => JSON.parse(r.body) as { uuid: string });
    expect(second?.uuid).toBe(first?.uuid);
    expect(posthog.events).toHaveLength(1);
  });

  it('gives up on a persistent rate limit with a clear message', async () => {
    posthog.inject({ kind: 'reply', reply: posthogFaults.captureRateLimited() }, 3);
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.trackEvent('x')));
    expect(error.message).toBe('PostHog: rate limited: rate limited (HTTP 429) (after 3 attempts)');
  });
});

describe('posthog: health and test', () => {
  it('without a personal key, checks the project key with /flags', async () => {
    const { instance } = await provider();
    const test = said(await instance.testConnection!());
    expect(test).toEqual({ success: true, message: 'PostHog accepts the project API key (2 feature flags)', details: { featureFlags: 2, projectVerified: false } });
    expect(JSON.parse(posthog.requests[0]?.body ?? '')).toEqual({ api_key: PROJECT_KEY, distinct_id: 'plugform-connection-test' });
    expect(posthog.events).toHaveLength(0);
  });

  it('with a personal key, also confirms both keys belong to one project (never reporting its token)', async () => {
    const { instance } = await provider({ personalApiKey: PERSONAL_KEY });
    const report = said(await instance.healthCheck!());
    expect(report).toEqual({
      status: 'healthy',
      message: 'PostHog accepts both keys for project Plugform Test',
      details: { featureFlags: 2, projectVerified: true, projectId: 4242, projectName: 'Plugform Test' },
    });
    const projectRequest = posthog.requests[1]!;
    expect(projectRequest.path).toBe('/api/projects/@current/');
    expect(projectRequest.headers.authorization).toBe(`Bearer ${PERSONAL_KEY}`);
  });

  it('a wrong personal key, a missing scope and another project are explained', async () => {
    const wrong = await provider({ personalApiKey: 'phx_CANARYwrongPersonal000' });
    expect(said(await wrong.instance.testConnection!())).toEqual({
      success: false,
      message: 'PostHog: the personal API key was refused: Personal API key found in request Authorization header is invalid. (authentication_failed)',
    });

    posthog.options.personalKeyScopes = ['insight:read'];
    const scoped = await provider({ personalApiKey: PERSONAL_KEY });
    expect(said(await scoped.instance.testConnection!()).message).toBe(
      "PostHog: the personal API key was refused: API key missing required scope 'project:read' (permission_denied)",
    );

    posthog.options.personalKeyScopes = undefined;
    posthog.options.currentProjectApiKey = 'phc_CANARYotherProject123';
    const other = await provider({ personalApiKey: PERSONAL_KEY });
    const mismatch = said(await other.instance.healthCheck!());
    expect(mismatch).toMatchObject({
      status: 'unhealthy',
      message: "PostHog: the personal API key's current project (Plugform Test, id 4242) is not the project of the project API key",
    });
  });

  it('waits out a throttled private API, and is degraded while it stays throttled', async () => {
    posthog.inject({ kind: 'reply', reply: { status: 200, body: { flags: {}, errorsWhileComputingFlags: false } } });
    posthog.inject({ kind: 'reply', reply: posthogFaults.throttled(1) });
    const { instance, context } = await provider({ personalApiKey: PERSONAL_KEY });
    const { result, waits } = await runThroughWaits({ context, requests: posthog.requests }, () => instance.healthCheck!());
    expect(said(result)).toMatchObject({ status: 'healthy' });
    expect(waits).toEqual([1000]);

    const impatient = await provider({ personalApiKey: PERSONAL_KEY, retryCount: 0 });
    posthog.inject({ kind: 'reply', reply: posthogFaults.throttled(30) });
    const degraded = said(await impatient.instance.healthCheck!());
    expect(degraded.status).toBe('degraded');
    expect(degraded.message).toBe('PostHog: rate limited: Request was throttled. Expected available in 30 seconds. (throttled); the service asks to retry after 30 s');
  });

  it('timeouts, unreachable hosts and garbage are explained', async () => {
    posthog.inject({ kind: 'hang' });
    const { instance } = await provider({ timeoutSeconds: 1, retryCount: 0 });
    expect(said(await instance.testConnection!())).toEqual({ success: false, message: `PostHog: request to ${new URL(posthog.url).host} timed out after 1000 ms` });

    posthog.inject({ kind: 'garbage' });
    const garbage = said(await instance.healthCheck!());
    expect(garbage.message).toMatch(/^PostHog: expected JSON but got HTTP 200, text\/html/);

    const offline = await provider({ host: await closedPortUrl(), retryCount: 0 });
    const refused = said(await thrownBy(() => offline.instance.trackEvent('x')));
    expect(refused.message).toMatch(/^PostHog: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
  });
});

describe('posthog: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration; key kinds are checked', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { projectApiKey: PROJECT_KEY })).toEqual({
      ok: true,
      value: { projectApiKey: PROJECT_KEY, host: 'https://us.i.posthog.com', defaultDistinctId: 'plugform', appHost: 'https://us.posthog.com', retryCount: 2, timeoutSeconds: 10 },
    });
    expect(validateConfig(plugin, config({ personalApiKey: PERSONAL_KEY }))).toMatchObject({ ok: true });
    const swapped = validateConfig(plugin, { projectApiKey: PERSONAL_KEY, personalApiKey: PROJECT_KEY });
    expect(swapped.ok ? [] : swapped.errors.map((e) => e.field)).toEqual(['projectApiKey', 'personalApiKey']);
  });
});
