/**
 * Meilisearch, as its API reference documents it (https://www.meilisearch.com/docs/reference/api):
 * `GET /health` needs no key; everything else wants `Authorization: Bearer <key>` and answers
 * 401 `missing_authorization_header` without one and 403 `invalid_api_key` for a wrong key or
 * one lacking the action (`search`, `documents.add`, `tasks.get`, `indexes.get` …). Errors are
 * `{ message, code, type, link }`. Adding documents is asynchronous: 202 with a summarized task
 * (`taskUid`, `status: "enqueued"`), processed shortly after; `GET /tasks/{uid}` reports
 * `succeeded` or `failed` with an `error` (`missing_document_id`, `invalid_document_id`,
 * `index_primary_key_already_exists` …). A missing index is created by the first addition;
 * searching one that does not exist is 404 `index_not_found`. Bodies must be
 * `application/json` (415 `invalid_content_type` otherwise). A search's `filter` applies only
 * to the index settings' `filterableAttributes` (400 `invalid_search_filter` otherwise); the
 * double understands conditions `attribute <op> value` (`=`, `!=`, `>`, `>=`, `<`, `<=`)
 * joined by `AND`, and answers 400 `invalid_search_filter` to anything else (OR, NOT, groups).
 */
import { jsonBody, routes, startHttpDouble, type HttpDouble, type RecordedRequest, type Reply } from './http-double.ts';

export interface MeiliKey {
  key: string;
  /** `*` or actions such as `search`, `documents.add`, `tasks.get`, `indexes.get`. */
  actions: string[];
}

export interface MeilisearchDoubleOptions {
  masterKey: string;
  keys?: MeiliKey[];
  /** How long an enqueued task waits before it is processed (default 20 ms). */
  taskDelayMs?: number;
  /** Leave tasks enqueued forever (a busy instance). */
  stallTasks?: boolean;
  /** Every index's `filterableAttributes` setting (default none: any filter is refused). */
  filterableAttributes?: string[];
}

interface Index {
  uid: string;
  primaryKey: string | null;
  documents: Map<string, Record<string, unknown>>;
  createdAt: string;
  updatedAt: string;
}

interface Task {
  uid: number;
  batchUid: number | null;
  indexUid: string;
  status: 'enqueued' | 'processing' | 'succeeded' | 'failed';
  type: 'documentAdditionOrUpdate';
  canceledBy: null;
  details: { receivedDocuments: number; indexedDocuments: number | null };
  error: MeiliError | null;
  duration: string | null;
  enqueuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface MeiliError {
  message: string;
  code: string;
  type: string;
  link: string;
}

export interface MeilisearchDouble extends HttpDouble {
  readonly indexes: Map<string, Index>;
  readonly tasks: Map<number, Task>;
  readonly options: MeilisearchDoubleOptions;
}

function meiliError(code: string, message: string, type = 'invalid_request'): MeiliError {
  return { message, code, type, link: `https://docs.meilisearch.com/errors#${code}` };
}

function errorReply(status: number, code: string, message: string, type = 'invalid_request'): Reply {
  return { status, body: meiliError(code, message, type) };
}

export const meilisearchFaults = {
  internal: (): Reply => errorReply(500, 'internal', 'An internal error has occurred. `Corrupted task queue.`.', 'internal'),
};

const ID_PATTERN = /^[A-Za-z0-9_-]{1,511}$/;
const INDEX_UID_PATTERN = /^[A-Za-z0-9_-]{1,400}$/;

export async function startMeilisearchDouble(initial: MeilisearchDoubleOptions): Promise<MeilisearchDouble> {
  const options = { ...initial };
  const indexes = new Map<string, Index>();
  const tasks = new Map<number, Task>();
  let nextTaskUid = 0;

  const authorize = (request: RecordedRequest, action: string): Reply | undefined => {
    const header = request.headers.authorization;
    if (typeof header !== 'string') {
      return errorReply(401, 'missing_authorization_header', 'The Authorization header is missing. It must use the bearer authorization method.', 'auth');
    }
    const key = /^Bearer (.+)$/.exec(header)?.[1];
    if (key === options.masterKey) return undefined;
    const known = options.keys?.find((candidate) => candidate.key === key);
    if (known && (known.actions.includes('*') || known.actions.includes(action))) return undefined;
    return errorReply(403, 'invalid_api_key', 'The provided API key is invalid.', 'auth');
  };

  const requireJson = (request: RecordedRequest): Reply | undefined => {
    const type = String(request.headers['content-type'] ?? '');
    if (type.startsWith('application/json')) return undefined;
    return errorReply(
      415,
      'invalid_content_type',
      `The Content-Type \`${type}\` is invalid. Accepted values for the Content-Type header are: \`application/json\`, \`application/x-ndjson\`, \`text/csv\``,
    );
  };

  const addDocuments = (request: RecordedRequest, { uid }: Record<string, string>): Reply => {
    const denied = authorize(request, 'documents.add') ?? requireJson(request);
    if (denied) return denied;
    const indexUid = uid ?? '';
    if (!INDEX_UID_PATTERN.test(indexUid)) {
      return errorReply(400, 'invalid_index_uid', `\`${indexUid}\` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes.`);
    }
    const body = jsonBody(request);
    const documents = Array.isArray(body) ? body : typeof body === 'object' && body !== null ? [body] : undefined;
    if (documents === undefined) return errorReply(400, 'malformed_payload', 'The `json` payload provided is malformed. `Couldn\'t serialize document value`.');
    const now = new Date().toISOString();
    const task: Task = {
      uid: nextTaskUid++,
      batchUid: null,
      indexUid,
      status: 'enqueued',
      type: 'documentAdditionOrUpdate',
      canceledBy: null,
      details: { receivedDocuments: documents.length, indexedDocuments: null },
      error: null,
      duration: null,
      enqueuedAt: now,
      startedAt: null,
      finishedAt: null,
    };
    tasks.set(task.uid, task);
    const primaryKey = request.url.searchParams.get('primaryKey');
    if (!options.stallTasks) {
      setTimeout(() => process(task, documents as Record<string, unknown>[], primaryKey), options.taskDelayMs ?? 20);
    }
    return { status: 202, body: { taskUid: task.uid, indexUid, status: 'enqueued', type: task.type, enqueuedAt: now } };
  };

  const process = (task: Task, documents: Record<string, unknown>[], primaryKey: string | null): void => {
    task.startedAt = new Date().toISOString();
    const failure = indexDocuments(task.indexUid, documents, primaryKey);
    task.finishedAt = new Date().toISOString();
    task.duration = 'PT0.01S';
    if (failure) {
      task.status = 'failed';
      task.error = failure;
      task.details.indexedDocuments = 0;
    } else {
      task.status = 'succeeded';
      task.details.indexedDocuments = documents.length;
    }
  };

  const indexDocuments = (uid: string, documents: Record<string, unknown>[], wantedKey: string | null): MeiliError | undefined => {
    const existing = indexes.get(uid);
    if (existing?.primaryKey && wantedKey && existing.primaryKey !== wantedKey) {
      return meiliError('index_primary_key_already_exists', `Index \`${uid}\`: Index already has a primary key: \`${existing.primaryKey}\`.`);
    }
    const primaryKey = existing?.primaryKey ?? wantedKey ?? inferPrimaryKey(documents[0] ?? {});
    if (primaryKey === undefined) {
      return meiliError('index_primary_key_no_candidate_found', `Index \`${uid}\`: The primary key inference failed as the engine did not find any field ending with \`id\` in its name. Please specify the primary key manually using the \`primaryKey\` query parameter.`);
    }
    for (const document of documents) {
      const id = document[primaryKey];
      if (id === undefined) return meiliError('missing_document_id', `Document doesn't have a \`${primaryKey}\` attribute: \`${JSON.stringify(document)}\`.`);
      if (!((typeof id === 'string' && ID_PATTERN.test(id)) || (typeof id === 'number' && Number.isInteger(id)))) {
        return meiliError(
          'invalid_document_id',
          `Document identifier \`${JSON.stringify(id)}\` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.`,
        );
      }
    }
    const now = new Date().toISOString();
    const index = existing ?? { uid, primaryKey, documents: new Map(), createdAt: now, updatedAt: now };
    index.primaryKey = primaryKey;
    index.updatedAt = now;
    for (const document of documents) index.documents.set(String(document[primaryKey]), document);
    indexes.set(uid, index);
    return undefined;
  };

  const getTask = (request: RecordedRequest, { uid }: Record<string, string>): Reply => {
    const denied = authorize(request, 'tasks.get');
    if (denied) return denied;
    const task = tasks.get(Number(uid));
    if (task === undefined) return errorReply(404, 'task_not_found', `Task \`${uid}\` not found.`);
    return { status: 200, body: task };
  };

  const search = (request: RecordedRequest, { uid }: Record<string, string>): Reply => {
    const denied = authorize(request, 'search') ?? requireJson(request);
    if (denied) return denied;
    const index = indexes.get(uid ?? '');
    if (index === undefined) return errorReply(404, 'index_not_found', `Index \`${uid}\` not found.`);
    const params = (jsonBody(request) ?? {}) as { q?: string; limit?: number; offset?: number; filter?: unknown; showRankingScore?: boolean };
    const limit = params.limit ?? 20;
    const offset = params.offset ?? 0;
    const filter = params.filter === undefined || params.filter === null ? () => true : parseFilter(params.filter, options.filterableAttributes ?? []);
    if (typeof filter !== 'function') return filter;
    const scored = [...index.documents.values()]
      .filter(filter)
      .map((document) => ({ document, score: relevance(document, params.q ?? '') }))
      .filter(({ score }) => score > 0)
      .sort((a, b) => b.score - a.score);
    const hits = scored.slice(offset, offset + limit).map(({ document, score }) => (params.showRankingScore ? { ...document, _rankingScore: score } : document));
    return { status: 200, body: { hits, query: params.q ?? '', processingTimeMs: 1, limit, offset, estimatedTotalHits: scored.length } };
  };

  const listIndexes = (request: RecordedRequest): Reply => {
    const denied = authorize(request, 'indexes.get');
    if (denied) return denied;
    const limit = Number(request.url.searchParams.get('limit') ?? 20);
    const results = [...indexes.values()].slice(0, limit).map(({ uid, primaryKey, createdAt, updatedAt }) => ({ uid, primaryKey, createdAt, updatedAt }));
    return { status: 200, body: { results, offset: 0, limit, total: indexes.size } };
  };

  const version = (request: RecordedRequest): Reply =>
    authorize(request, 'version') ?? { status: 200, body: { commitSha: 'b46889b5f0f2f8b91438a08a358ba8f05fc09fc1', commitDate: '2025-01-01T00:00:00Z', pkgVersion: '1.12.0' } };

  const handler = routes(
    {
      'GET /health': () => ({ status: 200, body: { status: 'available' } }),
      'GET /version': version,
      'GET /indexes': listIndexes,
      'POST /indexes/:uid/documents': addDocuments,
      'POST /indexes/:uid/search': search,
      'GET /tasks/:uid': getTask,
    },
    () => ({ status: 404, body: '' }),
  );
  const double = await startHttpDouble(handler);
  const resetRequests = double.reset;
  double.reset = () => {
    resetRequests();
    indexes.clear();
    tasks.clear();
  };
  return Object.assign(double, { indexes, tasks, options });
}

/** Exactly one attribute ending in "id" (case-insensitive) becomes the primary key. */
function inferPrimaryKey(document: Record<string, unknown>): string | undefined {
  const candidates = Object.keys(document).filter((key) => key.toLowerCase().endsWith('id'));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** A toy ranking: the share of query words found in the document's strings (1 = all). */
function relevance(document: Record<string, unknown>, query: string): number {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return 1;
  const text = Object.values(document).filter((value) => typeof value === 'string').join(' ').toLowerCase();
  return words.filter((word) => text.includes(word)).length / words.length;
}

const CONDITION = /^([A-Za-z0-9_.-]+)\s*(!=|>=|<=|=|>|<)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))$/;

/** A filter string as a predicate over documents, or Meilisearch's 400 `invalid_search_filter`. */
function parseFilter(filter: unknown, filterable: readonly string[]): ((document: Record<string, unknown>) => boolean) | Reply {
  if (typeof filter !== 'string') return errorReply(400, 'invalid_search_filter', 'Invalid value type at `.filter`: expected a string or an array, but found something else.');
  const conditions = filter.trim().split(/\s+AND\s+/).map((part) => CONDITION.exec(part.trim()));
  const broken = conditions.findIndex((match) => match === null);
  if (broken !== -1) return errorReply(400, 'invalid_search_filter', `Was expecting an operation \`=\`, \`!=\`, \`>=\`, \`>\`, \`<=\`, \`<\`, \`IN\`, \`NOT IN\`, \`TO\`, \`EXISTS\`, \`NOT EXISTS\`, \`IS NULL\`, \`IS NOT NULL\`, \`IS EMPTY\`, \`IS NOT EMPTY\`, \`_geoRadius\`, or \`_geoBoundingBox\` at \`${filter}\`.`);
  const parsed = conditions.map((match) => ({ attribute: match![1]!, op: match![2]!, value: match![3] ?? match![4] ?? match![5]! }));
  const unknown = parsed.find(({ attribute }) => !filterable.includes(attribute));
  if (unknown) {
    return errorReply(400, 'invalid_search_filter', `Attribute \`${unknown.attribute}\` is not filterable. Available filterable attributes are: \`${filterable.join(', ')}\`.`);
  }
  return (document) =>
    parsed.every(({ attribute, op, value }) => {
      const actual = document[attribute];
      const numeric = typeof actual === 'number' && value.trim() !== '' && !Number.isNaN(Number(value));
      if (op === '=' || op === '!=') {
        const equal = numeric ? actual === Number(value) : String(actual ?? '').toLowerCase() === value.toLowerCase();
        return op === '=' ? equal : !equal;
      }
      if (!numeric) return false;
      const target = Number(value);
      return op === '>' ? actual > target : op === '>=' ? actual >= target : op === '<' ? actual < target : actual <= target;
    });
}
