/**
 * HTTP workflow trigger: starts a workflow in n8n, Zapier, Make or any engine that exposes a
 * webhook, and returns the run id the engine answers with.
 *
 * Starting a workflow is not idempotent on most engines, so the plugin does not retry by
 * default, and every attempt carries the same `X-Plugform-Idempotency-Key` for engines (or
 * workflows) that can drop duplicates. The connection test does not start a workflow unless
 * asked to (see `testMode`).
 */
import { randomUUID } from 'node:crypto';
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf, type WorkflowRun } from '../sdk/index.ts';
import {
  attemptsNote,
  healthReportOf,
  isRecord,
  kindOfStatus,
  PluginHttpError,
  redactDeep,
  redactedError,
  redactSecrets,
  requestWithRetry,
  runCheck,
  snippet,
  testReportOf,
  type CheckResult,
  type HttpAnswer,
} from '../sdk/http-helpers.ts';

const PATH_PATTERN = '^[A-Za-z0-9_$-]+(\\[\\d+\\]|\\.[A-Za-z0-9_$-]+)*$';
const PLACEHOLDER = '{workflowId}';

const fields = [
  {
    key: 'triggerUrl',
    label: 'Trigger URL',
    // Not a URL field: a literal {workflowId} is not a valid URL until it is filled in.
    type: 'STRING',
    destination: true,
    required: true,
    maxLength: 2048,
    validationRules: [{ type: 'pattern', value: '^https?://[^\\s/?#]+[^\\s]*$', message: 'An http(s) URL, which may contain {workflowId}' }],
    placeholder: 'https://n8n.example.com/webhook/{workflowId}',
    description: 'The webhook that starts the workflow. {workflowId} is replaced by the workflow id of each call.',
    helpText: 'n8n: the production URL of the Webhook node. Zapier: the Catch Hook URL. Without {workflowId}, the id travels in the X-Plugform-Workflow-Id header.',
    group: 'Trigger',
    order: 1,
  },
  {
    key: 'method',
    label: 'HTTP Method',
    type: 'SELECT',
    default: 'POST',
    options: [
      { value: 'POST', label: 'POST' },
      { value: 'PUT', label: 'PUT' },
    ],
    group: 'Trigger',
    order: 2,
  },
  {
    key: 'authHeaderName',
    label: 'Auth Header Name',
    type: 'STRING',
    default: 'Authorization',
    validationRules: [{ type: 'pattern', value: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", message: 'A header name, such as Authorization or X-N8N-Auth' }],
    helpText: 'The header your webhook checks (n8n: the name of its Header Auth credential).',
    group: 'Authentication',
    order: 1,
  },
  {
    key: 'authHeaderValue',
    label: 'Auth Header Value',
    type: 'SECRET',
    description: 'Sent in the auth header (e.g. "Bearer …" or a shared token). Leave empty for an unauthenticated webhook.',
    group: 'Authentication',
    order: 2,
  },
  {
    key: 'runIdPath',
    label: 'Run ID Path',
    type: 'STRING',
    validationRules: [{ type: 'pattern', value: PATH_PATTERN, message: 'A dotted path such as executionId, data.id or runs[0].id' }],
    placeholder: 'executionId',
    helpText: 'Where the run id is in the JSON answer. Empty: executionId, then id; if neither is there, the run id is the request\'s idempotency key.',
    group: 'Response',
    order: 1,
  },
  {
    key: 'statusPath',
    label: 'Status Path',
    type: 'STRING',
    validationRules: [{ type: 'pattern', value: PATH_PATTERN, message: 'A dotted path such as status or data.state' }],
    placeholder: 'status',
    helpText: 'Where the run status is in the answer. Empty: status, else "started".',
    group: 'Response',
    order: 2,
  },
  {
    key: 'testMode',
    label: 'Connection Test',
    type: 'SELECT',
    default: 'reachability',
    options: [
      { value: 'reachability', label: 'Reachability only (starts nothing)', description: 'A HEAD request: proves the host answers, not that the workflow exists.' },
      { value: 'dry-run', label: 'Dry run (starts the workflow)', description: 'POSTs {"dryRun": true}: your workflow must check the flag and stop.' },
    ],
    group: 'Testing',
    order: 1,
  },
  {
    key: 'testWorkflowId',
    label: 'Test Workflow ID',
    type: 'STRING',
    destination: true,
    helpText: 'Fills {workflowId} for the connection test and health checks.',
    group: 'Testing',
    order: 2,
  },
  retryCountField({
    default: 0,
    helpText: 'Extra attempts after 429, 502, 503, 504 or no answer. A timed-out attempt may have started the workflow, so only raise this if your workflow drops duplicate idempotency keys.',
  }),
  timeoutSecondsField({
    default: 30,
    maxValue: 300,
    helpText: 'Engines that answer when the workflow finishes need a timeout longer than the workflow.',
  }),
] as const;

export type HttpWorkflowConfig = ConfigOf<typeof fields>;

const LABEL = 'Workflow trigger';
const DEFAULT_RUN_ID_PATHS = ['executionId', 'id'];

export default definePlugin({
  name: 'http-workflow',
  displayName: 'HTTP Workflow Trigger',
  type: 'WORKFLOW',
  version: '1.0.0',
  description: 'Start n8n, Zapier or other webhook-triggered workflows and get their run id.',
  author: 'Plugform',
  homepage: 'https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/',
  tags: ['workflow', 'automation', 'n8n', 'zapier', 'webhook'],
  groups: ['Trigger', 'Authentication', 'Response', 'Testing', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,

  createProvider(config, context) {
    if (config.authHeaderName.toLowerCase() === 'content-type') throw new Error('Auth Header Name cannot be Content-Type');
    if (config.authHeaderValue && /[\r\n]/.test(config.authHeaderValue)) throw new Error('Auth Header Value must not contain line breaks');
    triggerUrlFor(config, 'check');
    const secrets = () => [config.authHeaderValue];
    const redact = (text: string) => redactSecrets(text, secrets());

    function send(settings: HttpWorkflowConfig, url: URL, init: RequestInit): Promise<HttpAnswer> {
      return requestWithRetry({
        fetch: context.http.fetch,
        url,
        label: LABEL,
        timeoutMs: settings.timeoutSeconds * 1000,
        retry: { retries: settings.retryCount },
        isRetryable: ({ status }) => [429, 502, 503, 504].includes(status),
        onRetry: ({ attempt, delayMs, reason }) => context.logger.warn('Workflow trigger failed, retrying', { host: url.host, attempt, delayMs, reason }),
        init: { ...init, headers: { ...authHeader(settings), ...init.headers } },
      });
    }

    /** Reachability: a HEAD request, which webhook engines do not treat as a trigger. */
    async function probe(settings: HttpWorkflowConfig): Promise<CheckResult> {
      const url = triggerUrlFor(settings, testWorkflowId(settings));
      const answer = await send(settings, url, { method: 'HEAD' });
      if (answer.status === 401 || answer.status === 403 || answer.status === 407) {
        throw new PluginHttpError(`${LABEL}: ${url.host} refused the credentials (HTTP ${answer.status})`, { kind: 'auth', status: answer.status });
      }
      if (answer.status >= 500) throw refused(answer, secrets());
      return {
        message: `${url.host} answers (HTTP ${answer.status} to HEAD); the workflow itself is only checked by a dry run`,
        details: { httpStatus: answer.status, checked: 'reachability' },
      };
    }

    async function trigger(settings: HttpWorkflowConfig, workflowId: string, input: Record<string, unknown>, extraHeaders: Record<string, string> = {}): Promise<WorkflowRun> {
      const url = triggerUrlFor(settings, workflowId);
      const idempotencyKey = randomUUID();
      const answer = await send(settings, url, {
        method: settings.method,
        headers: {
          'Content-Type': 'application/json',
          'X-Plugform-Idempotency-Key': idempotencyKey,
          ...(settings.triggerUrl.includes(PLACEHOLDER) ? {} : { 'X-Plugform-Workflow-Id': workflowId }),
          ...extraHeaders,
        },
        body: JSON.stringify(input),
      });
      if (answer.status < 200 || answer.status >= 300) throw refused(answer, secrets());
      const run = readRun(settings, answer, idempotencyKey);
      context.logger.info('Workflow started', { workflowId, runId: run.runId, status: run.status });
      return run;
    }

    /** The dry-run test: starts the test workflow with `{ dryRun: true }`; the workflow must check the flag and stop. */
    async function dryRun(settings: HttpWorkflowConfig): Promise<CheckResult> {
      const run = await trigger(settings, testWorkflowId(settings), { dryRun: true, source: 'plugform-connection-test' }, { 'X-Plugform-Dry-Run': 'true' });
      return {
        message: `Dry run started (run ${run.runId}, ${run.status})`,
        details: redactDeep({ checked: 'dry-run', ...run.details, runId: run.runId }, secrets()),
      };
    }

    return {
      async executeWorkflow(workflowId, input) {
        try {
          if (workflowId.trim() === '') throw new Error(`${LABEL}: the workflow id is empty`);
          const run = await trigger(config, workflowId, input);
          return { ...run, details: redactDeep(run.details, secrets()) };
        } catch (error) {
          throw redactedError(error, redact);
        }
      },

      async healthCheck() {
        return healthReportOf(await runCheck(() => probe(config), redact));
      },

      async testConnection() {
        return testReportOf(await runCheck(() => (config.testMode === 'reachability' ? probe(config) : dryRun(config)), redact));
      },
    };
  },
});

// ---------------------------------------------------------------------------------------

function authHeader(settings: HttpWorkflowConfig): Record<string, string> {
  return settings.authHeaderValue ? { [settings.authHeaderName]: settings.authHeaderValue } : {};
}

function testWorkflowId(settings: HttpWorkflowConfig): string {
  if (settings.triggerUrl.includes(PLACEHOLDER) && !settings.testWorkflowId) {
    throw new Error(`${LABEL}: the Trigger URL contains ${PLACEHOLDER}: set a Test Workflow ID to test it`);
  }
  return settings.testWorkflowId ?? '';
}

function triggerUrlFor(settings: HttpWorkflowConfig, workflowId: string): URL {
  const filled = settings.triggerUrl.split(PLACEHOLDER).join(encodeURIComponent(workflowId));
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new Error(`${LABEL}: the Trigger URL is not a valid URL once ${PLACEHOLDER} is filled in`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${LABEL}: the Trigger URL must be an http or https URL`);
  return url;
}

/**
 * The run id and status from the answer. A configured path must be there; without one the
 * usual places are tried, and an engine that answers no id at all (n8n's "Workflow was
 * started") gets the request's idempotency key as run id, marked as such in the details.
 */
function readRun(settings: HttpWorkflowConfig, answer: HttpAnswer, idempotencyKey: string): WorkflowRun {
  const body = parseLoosely(answer.body);
  const details: Record<string, unknown> = { httpStatus: answer.status, attempts: answer.attempts, response: body };
  const status = stringAt(body, settings.statusPath ?? 'status') ?? 'started';
  if (settings.runIdPath) {
    const runId = stringAt(body, settings.runIdPath);
    if (runId === undefined) {
      throw new PluginHttpError(
        `${LABEL}: the workflow was triggered (HTTP ${answer.status}) but the answer has no run id at "${settings.runIdPath}": "${snippet(answer.body, [], 200)}"`,
        { kind: 'response', status: answer.status },
      );
    }
    return { runId, status, details: { ...details, runIdSource: 'response' } };
  }
  for (const path of DEFAULT_RUN_ID_PATHS) {
    const runId = stringAt(body, path);
    if (runId !== undefined) return { runId, status, details: { ...details, runIdSource: 'response' } };
  }
  return { runId: idempotencyKey, status, details: { ...details, runIdSource: 'idempotency-key' } };
}

function parseLoosely(body: string): unknown {
  if (body.trim() === '') return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body.length > 2000 ? `${body.slice(0, 2000)}…` : body;
  }
}

/** Follows `data.runs[0].id` through objects and arrays; a number at the end becomes a string. */
export function readPath(value: unknown, path: string): unknown {
  const steps = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let current = value;
  for (const step of steps) {
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else if (isRecord(current)) current = current[step];
    else return undefined;
  }
  return current;
}

function stringAt(value: unknown, path: string): string | undefined {
  const found = readPath(value, path);
  if (typeof found === 'string' && found !== '') return found;
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  return undefined;
}

function refused(answer: HttpAnswer, secrets: readonly (string | undefined)[]): PluginHttpError {
  const said = answer.body.trim() === '' ? '' : `: "${snippet(answer.body, secrets, 200)}"`;
  const kind = kindOfStatus(answer.status);
  const hint =
    answer.status === 404 ? ' (is the workflow active and the URL its production URL?)' : kind === 'auth' ? ' (check the auth header name and value)' : '';
  return new PluginHttpError(`${LABEL}: the engine answered HTTP ${answer.status}${said}${hint}${attemptsNote(answer)}`, { kind, status: answer.status });
}
