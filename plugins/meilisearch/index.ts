/**
 * Meilisearch: indexes documents and searches them.
 *
 * Adding documents is asynchronous in Meilisearch: the API answers 202 with a task, and the
 * document is searchable once the task has succeeded. By default the plugin waits for that
 * task, so `indexDocument()` resolving means "searchable", and a document Meilisearch refuses
 * (a bad id, a primary key clash) is an error here rather than a silent failed task.
 * https://www.meilisearch.com/docs/reference/api/documents
 */
import { definePlugin, retryCountField, timeoutSecondsField, type ConfigOf, type HttpFetch, type PluginLogger, type SearchHit, type SearchOptions } from '../sdk/index.ts';
import {
  attemptsNote,
  describeBody,
  healthReportOf,
  isRecord,
  joinUrl,
  PluginHttpError,
  redactSecrets,
  runCheck,
  testReportOf,
  type FailureKind,
  type HttpAnswer,
  vendorClient,
} from '../sdk/http-helpers.ts';

const fields = [
  {
    key: 'host',
    label: 'Host URL',
    type: 'URL',
    destination: true,
    required: true,
    placeholder: 'http://localhost:7700',
    description: 'The address of your Meilisearch instance or Meilisearch Cloud project.',
    group: 'Connection',
    order: 1,
  },
  {
    key: 'apiKey',
    label: 'API Key',
    type: 'SECRET',
    description: 'A key with the search, documents.add, tasks.get and indexes.get actions.',
    helpText: 'Use a dedicated API key rather than the master key. Leave empty only for an instance started without a master key.',
    group: 'Connection',
    order: 2,
  },
  {
    key: 'primaryKey',
    label: 'Primary Key Attribute',
    type: 'STRING',
    default: 'id',
    validationRules: [{ type: 'pattern', value: '^[A-Za-z0-9_-]+$', message: 'An attribute name: letters, digits, dashes and underscores' }],
    helpText: "The attribute that holds each document's id. It must match the index's primary key if the index already exists.",
    group: 'Indexing',
    order: 1,
  },
  {
    key: 'waitForTasks',
    label: 'Wait Until Searchable',
    type: 'BOOLEAN',
    default: true,
    description: 'Wait for the indexing task to finish, so failures are reported and the document is searchable on return.',
    group: 'Indexing',
    order: 2,
  },
  {
    key: 'taskTimeoutSeconds',
    label: 'Indexing Wait Limit (seconds)',
    type: 'INTEGER',
    default: 30,
    minValue: 1,
    maxValue: 600,
    helpText: 'How long to wait for an indexing task before reporting it as still running.',
    group: 'Indexing',
    order: 3,
  },
  {
    key: 'searchLimit',
    label: 'Default Result Limit',
    type: 'INTEGER',
    default: 20,
    minValue: 1,
    maxValue: 1000,
    group: 'Search',
    order: 1,
  },
  retryCountField({ helpText: 'Extra attempts after a 429, 5xx or no answer.' }),
  timeoutSecondsField({ maxValue: 120 }),
] as const;

export type MeilisearchConfig = ConfigOf<typeof fields>;

const LABEL = 'Meilisearch';
const UID_PATTERN = /^[A-Za-z0-9_-]{1,400}$/;
const DOCUMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,511}$/;
/** Attributes Meilisearch adds to hits; they are not part of the document. */
const HIT_EXTRAS = ['_rankingScore', '_rankingScoreDetails', '_formatted', '_matchesPosition', '_vectors', '_geoDistance'];

export default definePlugin({
  name: 'meilisearch',
  displayName: 'Meilisearch',
  type: 'SEARCH',
  version: '1.0.0',
  description: 'Index documents in Meilisearch and search them with typo-tolerant full-text search.',
  author: 'Plugform',
  homepage: 'https://www.meilisearch.com/docs/reference/api/overview',
  tags: ['search', 'full-text', 'meilisearch'],
  groups: ['Connection', 'Indexing', 'Search', 'Advanced'],
  fields,
  supportsHealthCheck: true,
  supportsTestConnection: true,

  createProvider(config, context) {
    const meili = createMeiliApi(config, context.http.fetch, context.logger);
    return {
      indexDocument(index, id, document) {
        return meili.guard(() => meili.indexDocument(index, id, document));
      },

      search(index, query, options) {
        return meili.guard(() => meili.search(index, query, options));
      },

      async healthCheck() {
        return healthReportOf(await runCheck(() => meili.check(), meili.redact));
      },

      async testConnection() {
        return testReportOf(await runCheck(() => meili.check(), meili.redact));
      },
    };
  },
});

// ---------------------------------------------------------------------------------------


function createMeiliApi(config: MeilisearchConfig, fetch: HttpFetch, logger: PluginLogger) {
  const client = vendorClient({ fetch, logger, label: LABEL, secrets: [config.apiKey], timeoutSeconds: config.timeoutSeconds, retryCount: config.retryCount });
  const { secrets, redact, guard } = client;

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, authenticated = true): Promise<Record<string, unknown>> {
    const init = {
      method,
      headers: {
        ...(authenticated && config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    const answer = await client.send(joinUrl(config.host, path), init, { logged: { path: path.split('?')[0] } });
    return client.objectOf(answer, (failed) => meiliFailure(failed, secrets, Boolean(config.apiKey)));
  }

  /** Polls a task until it finishes, backing off from 50 ms to 1 s between polls. */
  async function waitForTask(taskUid: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + config.taskTimeoutSeconds * 1000;
    for (let delay = 50; ; delay = Math.min(1000, delay * 2)) {
      const task = await call('GET', `tasks/${taskUid}`);
      if (task.status === 'succeeded' || task.status === 'failed' || task.status === 'canceled') return task;
      if (Date.now() + delay > deadline) {
        throw new PluginHttpError(
          `${LABEL}: task ${taskUid} is still ${String(task.status)} after ${config.taskTimeoutSeconds} s; the document will be searchable once Meilisearch processes it`,
          { kind: 'server' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  return {
    redact,

    guard,

    async indexDocument(index: string, id: string, document: Record<string, unknown>): Promise<void> {
      checkIndexUid(index);
      if (!DOCUMENT_ID_PATTERN.test(id)) {
        throw new Error(`${LABEL}: document id "${id.slice(0, 100)}" is invalid: use up to 511 letters, digits, dashes and underscores`);
      }
      const path = `indexes/${index}/documents?primaryKey=${encodeURIComponent(config.primaryKey)}`;
      const enqueued = await call('POST', path, [{ ...document, [config.primaryKey]: id }]);
      const taskUid = Number(enqueued.taskUid);
      if (!config.waitForTasks) {
        logger.info('Meilisearch document enqueued', { index, id, taskUid });
        return;
      }
      const task = await waitForTask(taskUid);
      if (task.status !== 'succeeded') {
        const error = isRecord(task.error) ? task.error : {};
        const code = typeof error.code === 'string' ? error.code : String(task.status);
        throw new PluginHttpError(`${LABEL}: indexing document "${id}" into "${index}" failed: ${String(error.message ?? task.status)} (${code}, task ${taskUid})`, {
          kind: 'request',
          code,
        });
      }
      logger.info('Meilisearch document indexed', { index, id, taskUid });
    },

    /** `POST /indexes/{uid}/search` with `q`, `limit`, `offset` and `filter` (Meilisearch's filter syntax). */
    async search(index: string, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
      checkIndexUid(index);
      const body = {
        q: query,
        limit: options.limit ?? config.searchLimit,
        ...(options.offset ? { offset: options.offset } : {}),
        ...(options.filter ? { filter: options.filter } : {}),
        showRankingScore: true,
      };
      const answer = await call('POST', `indexes/${index}/search`, body);
      const hits = Array.isArray(answer.hits) ? answer.hits.filter(isRecord) : [];
      return hits.map((hit) => toSearchHit(hit, config.primaryKey));
    },

    /**
     * Health and test: `GET /health` (no key needed: is the instance up?), then an
     * authenticated `GET /indexes?limit=1` (does the key work?). Two calls, so the message
     * can say which of the two is wrong.
     */
    async check() {
      const health = await call('GET', 'health', undefined, false);
      if (health.status !== 'available') throw new PluginHttpError(`${LABEL}: the instance reports status "${String(health.status)}"`, { kind: 'server' });
      const indexes = await call('GET', 'indexes?limit=1');
      return {
        message: `Meilisearch is available and the API key works (${String(indexes.total ?? 0)} indexes)`,
        details: { status: health.status, indexes: indexes.total, authenticated: Boolean(config.apiKey) },
      };
    },
  };
}

function checkIndexUid(index: string): void {
  if (!UID_PATTERN.test(index)) {
    throw new Error(`${LABEL}: index name "${index.slice(0, 100)}" is invalid: use letters, digits, dashes and underscores`);
  }
}

function toSearchHit(hit: Record<string, unknown>, primaryKey: string): SearchHit {
  const document = Object.fromEntries(Object.entries(hit).filter(([key]) => !HIT_EXTRAS.includes(key)));
  const score = typeof hit._rankingScore === 'number' ? hit._rankingScore : undefined;
  return { id: String(hit[primaryKey] ?? ''), ...(score === undefined ? {} : { score }), document };
}

const EXPLANATIONS: Record<string, string> = {
  missing_authorization_header: 'the instance requires an API key and none is configured',
  invalid_api_key: 'the API key is invalid or lacks the permission for this action',
  index_not_found: 'the index does not exist yet (it is created by the first indexed document)',
};

/** `{ message, code, type, link }` → "Meilisearch: <explanation>: <message> (<code>)". */
function meiliFailure(answer: HttpAnswer, secrets: readonly (string | undefined)[], hasKey: boolean): PluginHttpError {
  let error: { message?: unknown; code?: unknown; type?: unknown } | undefined;
  try {
    const parsed = JSON.parse(answer.body) as unknown;
    if (isRecord(parsed) && typeof parsed.code === 'string') error = parsed;
  } catch {
    // Not Meilisearch's error format: described from the raw answer below.
  }
  if (error === undefined) {
    const kind: FailureKind = answer.status === 429 ? 'rate-limit' : answer.status >= 500 ? 'server' : 'response';
    return new PluginHttpError(`${LABEL}: unexpected answer, ${describeBody(answer, secrets)}${attemptsNote(answer)}`, { kind, status: answer.status });
  }
  const code = String(error.code);
  const explanation = code === 'invalid_api_key' && !hasKey ? EXPLANATIONS.missing_authorization_header : EXPLANATIONS[code];
  const message = redactSecrets(String(error.message ?? ''), secrets);
  const text = explanation ? `${explanation}: ${message}` : message;
  const kind: FailureKind = error.type === 'auth' ? 'auth' : error.type === 'internal' || error.type === 'system' ? 'server' : answer.status === 429 ? 'rate-limit' : 'request';
  return new PluginHttpError(`${LABEL}: ${text} (${code})${attemptsNote(answer)}`, { kind, status: answer.status, code });
}
