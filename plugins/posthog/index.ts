/**
 * PostHog: captures product analytics events.
 *
 * Events go to the public ingestion endpoint with the project API key in the body. That
 * endpoint accepts any well-formed key and drops events of unknown projects later, so a
 * successful capture proves nothing about the key: the connection test asks `/flags`
 * instead, which does reject unknown keys. With a personal API key, the check also reads the
 * project through the private API and confirms the two keys belong to the same project.
 * https://posthog.com/docs/api/capture · https://posthog.com/docs/api/flags
 */
import { randomUUID } from 'node:crypto';
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf, type HttpFetch, type PluginLogger } from '../sdk/index.ts';
import {
  attemptsNote,
  describeBody,
  healthReportOf,
  isRecord,
  joinUrl,
  kindOfStatus,
  parseJson,
  PluginHttpError,
  redactSecrets,
  retryAfterNote,
  runCheck,
  snippet,
  testReportOf,
  type HttpAnswer,
  vendorClient,
} from '../sdk/http-helpers.ts';

const fields = [
  {
    key: 'projectApiKey',
    label: 'Project API Key',
    type: 'SECRET',
    required: true,
    validationRules: [{ type: 'pattern', value: '^phc_[A-Za-z0-9]+$', message: 'Project API keys start with phc_ (a personal key, phx_, cannot capture events)' }],
    placeholder: 'phc_…',
    description: "The project's write-only ingestion key.",
    helpText: 'Project settings > Project API key. PostHog treats it as public in browsers; Plugform still keeps it write-only.',
    group: 'Project',
    order: 1,
  },
  {
    key: 'host',
    label: 'Ingestion Host',
    type: 'URL',
    destination: ['projectApiKey'],
    default: 'https://us.i.posthog.com',
    helpText: 'US Cloud: https://us.i.posthog.com · EU Cloud: https://eu.i.posthog.com · self-hosted: your instance URL.',
    group: 'Project',
    order: 2,
  },
  {
    key: 'defaultDistinctId',
    label: 'Default Distinct ID',
    type: 'STRING',
    default: 'plugform',
    minLength: 1,
    maxLength: 200,
    helpText: 'Who an event is about when the caller names nobody (server-side events often have no user).',
    group: 'Events',
    order: 1,
  },
  {
    key: 'personalApiKey',
    label: 'Personal API Key',
    type: 'SECRET',
    validationRules: [{ type: 'pattern', value: '^phx_[A-Za-z0-9]+$', message: 'Personal API keys start with phx_' }],
    placeholder: 'phx_…',
    description: 'Optional: lets health checks read the project and confirm the project key belongs to it.',
    helpText: 'Account settings > Personal API keys, with the project:read scope only.',
    group: 'Health Check',
    order: 1,
  },
  {
    key: 'appHost',
    label: 'App Host',
    type: 'URL',
    destination: ['personalApiKey'],
    default: 'https://us.posthog.com',
    helpText: 'Where the private API lives: https://us.posthog.com, https://eu.posthog.com, or your instance URL.',
    group: 'Health Check',
    order: 2,
  },
  retryCountField({
    helpText: 'Extra attempts after a 429, 5xx or no answer. Events carry a uuid, so PostHog drops duplicates.',
  }),
  timeoutSecondsField({}),
] as const;

export type PostHogConfig = ConfigOf<typeof fields>;

const LABEL = 'PostHog';
const TEST_DISTINCT_ID = 'plugform-connection-test';

export default definePlugin({
  name: 'posthog',
  displayName: 'PostHog',
  type: 'ANALYTICS',
  version: '1.0.0',
  description: 'Capture product analytics events in PostHog.',
  author: 'Plugform',
  homepage: 'https://posthog.com/docs/api/capture',
  tags: ['analytics', 'events', 'posthog'],
  groups: ['Project', 'Events', 'Health Check', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,
  // Without a personal key each check is one /flags request; every 10 minutes stays far
  // below PostHog's free flag-request allowance.
  healthIntervalMs: 10 * 60_000,

  createProvider(config, context) {
    if (config.projectApiKey.startsWith('phx_')) throw new Error('Project API Key is a personal key (phx_…): events need the project key (phc_…)');
    const posthog = createPostHogApi(config, context.http.fetch, context.logger);
    return {
      trackEvent(event, properties, distinctId) {
        return posthog.guard(() => posthog.capture(event, properties ?? {}, distinctId));
      },

      async healthCheck() {
        return healthReportOf(await runCheck(() => posthog.check(), posthog.redact));
      },

      async testConnection() {
        return testReportOf(await runCheck(() => posthog.check(), posthog.redact));
      },
    };
  },
});

// ---------------------------------------------------------------------------------------


function createPostHogApi(config: PostHogConfig, fetch: HttpFetch, logger: PluginLogger) {
  const client = vendorClient({
    fetch,
    logger,
    label: LABEL,
    secrets: [config.projectApiKey, config.personalApiKey],
    timeoutSeconds: config.timeoutSeconds,
    retryCount: config.retryCount,
  });
  const { secrets, redact, guard } = client;
  const send = (url: URL, init: RequestInit) => client.send(url, init, { logged: { path: url.pathname } });

  const postJson = (url: URL, body: unknown) =>
    send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  /** `/flags` rejects unknown project keys, which capture does not. */
  async function checkProjectKey(): Promise<number> {
    const answer = await postJson(joinUrl(config.host, 'flags?v=2'), { api_key: config.projectApiKey, distinct_id: TEST_DISTINCT_ID });
    if (answer.status !== 200) throw posthogFailure(answer, secrets, 'the project API key was refused');
    const body = parseJson(answer, LABEL, secrets);
    if (!isRecord(body) || !isRecord(body.flags)) throw new PluginHttpError(`${LABEL}: /flags answered without flags: "${snippet(answer.body, secrets)}"`, { kind: 'response' });
    return Object.keys(body.flags).length;
  }

  /** The personal key's current project must be the project the project key sends to. */
  async function checkProject(personalApiKey: string): Promise<{ id: unknown; name: unknown }> {
    const answer = await send(joinUrl(config.appHost, 'api/projects/@current/'), { method: 'GET', headers: { Authorization: `Bearer ${personalApiKey}` } });
    if (answer.status !== 200) throw posthogFailure(answer, secrets, 'the personal API key was refused');
    const project = parseJson(answer, LABEL, secrets);
    if (!isRecord(project)) throw new PluginHttpError(`${LABEL}: unexpected project answer, ${describeBody(answer, secrets)}`, { kind: 'response' });
    // Compared, never reported: `api_token` is the project key itself.
    if (project.api_token !== config.projectApiKey) {
      throw new PluginHttpError(
        `${LABEL}: the personal API key's current project (${String(project.name)}, id ${String(project.id)}) is not the project of the project API key`,
        { kind: 'request' },
      );
    }
    return { id: project.id, name: project.name };
  }

  return {
    redact,

    guard,

    /**
     * `POST /i/v0/e/`. The `uuid` makes retries safe: PostHog keeps one event per uuid.
     * `properties.distinct_id` is used when no distinct id is passed.
     */
    async capture(event: string, properties: Record<string, unknown>, distinctId?: string): Promise<void> {
      if (event.trim() === '') throw new Error(`${LABEL}: the event name is empty`);
      const who = distinctId ?? (typeof properties.distinct_id === 'string' ? properties.distinct_id : config.defaultDistinctId);
      const uuid = randomUUID();
      const answer = await postJson(joinUrl(config.host, 'i/v0/e/'), {
        api_key: config.projectApiKey,
        event,
        distinct_id: who,
        properties: { ...properties, $lib: 'plugform' },
        timestamp: new Date().toISOString(),
        uuid,
      });
      if (answer.status !== 200) throw posthogFailure(answer, secrets, 'capture refused the event');
      logger.debug('PostHog event captured', { event, uuid });
    },

    async check() {
      const flags = await checkProjectKey();
      if (!config.personalApiKey) {
        return { message: `PostHog accepts the project API key (${flags} feature flags)`, details: { featureFlags: flags, projectVerified: false } };
      }
      const project = await checkProject(config.personalApiKey);
      return {
        message: `PostHog accepts both keys for project ${String(project.name)}`,
        details: { featureFlags: flags, projectVerified: true, projectId: project.id, projectName: project.name },
      };
    },
  };
}

/**
 * PostHog has two error shapes: capture answers plain text ("event submitted without a
 * distinct_id"), the API answers `{ type, code, detail, attr }`. Both become one sentence.
 */
function posthogFailure(answer: HttpAnswer, secrets: readonly (string | undefined)[], context: string): PluginHttpError {
  const kind = kindOfStatus(answer.status);
  let reason: string;
  let code: string | undefined;
  try {
    const body = JSON.parse(answer.body) as unknown;
    if (isRecord(body) && typeof body.detail === 'string') {
      reason = `${body.detail}${typeof body.code === 'string' ? ` (${body.code})` : ''}`;
      code = typeof body.code === 'string' ? body.code : undefined;
    } else {
      reason = describeBody(answer, secrets);
    }
  } catch {
    reason = answer.body.trim() === '' ? `HTTP ${answer.status}` : `${snippet(answer.body, secrets, 200)} (HTTP ${answer.status})`;
  }
  const what = kind === 'auth' ? context : kind === 'rate-limit' ? 'rate limited' : kind === 'server' ? 'PostHog failed' : 'request refused';
  const wait = kind === 'rate-limit' ? retryAfterNote(answer) : '';
  return new PluginHttpError(`${LABEL}: ${what}: ${redactSecrets(reason, secrets)}${wait}${attemptsNote(answer)}`, { kind, status: answer.status, code });
}
