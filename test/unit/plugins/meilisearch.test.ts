import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import plugin, { type MeilisearchConfig } from '../../../plugins/meilisearch/index.ts';
import { checkPluginSchema, validateConfig } from '../../../plugins/sdk/index.ts';
import { createTestPluginContext, everythingSaid, thrownBy, type TestPluginContext } from '../../support/plugin-context.ts';
import { runThroughWaits } from '../../support/fake-clock.ts';
import { closedPortUrl } from '../../support/vendors/http-double.ts';
import { meilisearchFaults, startMeilisearchDouble, type MeilisearchDouble } from '../../support/vendors/meilisearch.ts';

const MASTER = 'CANARY-meili-master-8c1f2e3d4a5b';
const APP_KEY = 'CANARY-meili-app-key-0f9e8d7c6b5a';
const SEARCH_ONLY = 'CANARY-meili-add-and-search-only';

let meili: MeilisearchDouble;
const contexts: TestPluginContext[] = [];
const outputs: unknown[] = [];

beforeAll(async () => {
  meili = await startMeilisearchDouble({
    masterKey: MASTER,
    keys: [
      { key: APP_KEY, actions: ['search', 'documents.add', 'tasks.get', 'indexes.get'] },
      { key: SEARCH_ONLY, actions: ['search', 'documents.add'] },
    ],
  });
});
afterEach(() => {
  meili.reset();
  meili.options.stallTasks = false;
});
afterAll(async () => {
  await meili.close();
  for (const context of contexts) {
    const said = everythingSaid(context, ...outputs);
    for (const secret of [MASTER, APP_KEY, SEARCH_ONLY]) expect(said).not.toContain(secret);
  }
});

function config(overrides: Partial<MeilisearchConfig> = {}): MeilisearchConfig {
  return { host: meili.url, apiKey: APP_KEY, primaryKey: 'id', waitForTasks: true, taskTimeoutSeconds: 5, searchLimit: 20, retryCount: 2, timeoutSeconds: 5, ...overrides };
}

async function provider(overrides: Partial<MeilisearchConfig> = {}) {
  const context = createTestPluginContext();
  contexts.push(context);
  const instance = await plugin.createProvider(config(overrides), context);
  return { instance, context };
}

function said<T>(output: T): T {
  outputs.push(output);
  return output;
}

describe('meilisearch: indexing and search', () => {
  it('indexes a document, waits for its task, and finds it', async () => {
    const { instance } = await provider();
    await instance.indexDocument('movies', 'shazam-2019', { title: 'Shazam!', year: 2019 });
    const hits = said(await instance.search('movies', 'shazam'));

    expect(hits).toEqual([{ id: 'shazam-2019', score: 1, document: { title: 'Shazam!', year: 2019, id: 'shazam-2019' } }]);
    const add = meili.requests[0]!;
    expect(add.method).toBe('POST');
    expect(add.path).toBe('/indexes/movies/documents');
    expect(add.url.searchParams.get('primaryKey')).toBe('id');
    expect(add.headers.authorization).toBe(`Bearer ${APP_KEY}`);
    expect(add.headers['content-type']).toBe('application/json');
    expect(JSON.parse(add.body)).toEqual([{ title: 'Shazam!', year: 2019, id: 'shazam-2019' }]);
    expect(meili.requests.some((r) => /^\/tasks\/\d+$/.test(r.path))).toBe(true);
    const search = meili.requests.at(-1)!;
    expect(JSON.parse(search.body)).toEqual({ q: 'shazam', limit: 20, showRankingScore: true });
  });

  it('passes the limit and uses the configured primary key', async () => {
    const { instance } = await provider({ primaryKey: 'sku' });
    for (const n of [1, 2, 3]) await instance.indexDocument('products', `p-${n}`, { name: `Lamp ${n}` });
    const hits = said(await instance.search('products', 'lamp', { limit: 2 }));
    expect(hits.map((hit) => hit.id)).toEqual(['p-1', 'p-2']);
    expect(meili.indexes.get('products')?.primaryKey).toBe('sku');
  });

  it('without waiting, returns once the task is enqueued', async () => {
    meili.options.stallTasks = true;
    const { instance } = await provider({ waitForTasks: false });
    await instance.indexDocument('movies', '1', { title: 'Up' });
    expect(meili.requests.map((r) => r.path)).toEqual(['/indexes/movies/documents']);
  });

  it('a task Meilisearch fails is an error naming the reason and the task', async () => {
    const first = await provider();
    await first.instance.indexDocument('movies', '1', { title: 'Up' });
    const other = await provider({ primaryKey: 'slug' });
    const error = said(await thrownBy(() => other.instance.indexDocument('movies', 'up', { title: 'Up' })));
    expect(error.message).toMatch(
      /^Meilisearch: indexing document "up" into "movies" failed: Index `movies`: Index already has a primary key: `id`\. \(index_primary_key_already_exists, task \d+\)$/,
    );
  });

  it('a task still running after the wait limit is reported as such', async () => {
    meili.options.stallTasks = true;
    const { instance } = await provider({ taskTimeoutSeconds: 1 });
    const error = said(await thrownBy(() => instance.indexDocument('movies', '1', { title: 'Up' })));
    expect(error.message).toMatch(/^Meilisearch: task \d+ is still enqueued after 1 s; the document will be searchable once Meilisearch processes it$/);
  });

  it('refuses bad index names and document ids before calling Meilisearch', async () => {
    const { instance } = await provider();
    expect(said(await thrownBy(() => instance.indexDocument('my movies', '1', {}))).message).toBe(
      'Meilisearch: index name "my movies" is invalid: use letters, digits, dashes and underscores',
    );
    expect(said(await thrownBy(() => instance.indexDocument('movies', 'a/b', {}))).message).toBe(
      'Meilisearch: document id "a/b" is invalid: use up to 511 letters, digits, dashes and underscores',
    );
    expect(meili.requests).toHaveLength(0);
  });

  it('searching an index that does not exist is explained', async () => {
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.search('nope', 'x')));
    expect(error.message).toBe('Meilisearch: the index does not exist yet (it is created by the first indexed document): Index `nope` not found. (index_not_found)');
  });

  it('a key without tasks.get can add but not wait: the message says why', async () => {
    // A stalled task leaves no timer behind to create the index after this test's reset.
    meili.options.stallTasks = true;
    const { instance } = await provider({ apiKey: SEARCH_ONLY });
    const error = said(await thrownBy(() => instance.indexDocument('movies', '1', { title: 'Up' })));
    expect(error.message).toBe('Meilisearch: the API key is invalid or lacks the permission for this action: The provided API key is invalid. (invalid_api_key)');
  });
});

describe('meilisearch: health and test', () => {
  it('checks /health without the key, then an authenticated /indexes', async () => {
    const { instance } = await provider();
    const report = said(await instance.healthCheck!());
    expect(report).toEqual({
      status: 'healthy',
      message: 'Meilisearch is available and the API key works (0 indexes)',
      details: { status: 'available', indexes: 0, authenticated: true },
    });
    expect(meili.requests[0]?.path).toBe('/health');
    expect(meili.requests[0]?.headers.authorization).toBeUndefined();
    expect(meili.requests[1]?.path).toBe('/indexes');
    expect(meili.requests[1]?.url.searchParams.get('limit')).toBe('1');
    expect(meili.requests[1]?.headers.authorization).toBe(`Bearer ${APP_KEY}`);
    expect(said(await instance.testConnection!())).toMatchObject({ success: true });
  });

  it('a wrong key, or none where one is needed, is explained', async () => {
    const wrong = await provider({ apiKey: 'CANARY-meili-wrong-key-123' });
    const report = said(await wrong.instance.healthCheck!());
    expect(report).toMatchObject({ status: 'unhealthy', message: 'Meilisearch: the API key is invalid or lacks the permission for this action: The provided API key is invalid. (invalid_api_key)' });

    const none = await provider({ apiKey: undefined });
    const test = said(await none.instance.testConnection!());
    expect(test).toEqual({
      success: false,
      message: 'Meilisearch: the instance requires an API key and none is configured: The Authorization header is missing. It must use the bearer authorization method. (missing_authorization_header)',
    });
    expect(everythingSaid(wrong.context, report)).not.toContain('CANARY-meili-wrong-key-123');
  });
});

describe('meilisearch: failures', () => {
  it('retries internal errors and gives up with a clear message', async () => {
    meili.inject({ kind: 'reply', reply: meilisearchFaults.internal() }, 3);
    const { instance } = await provider();
    const error = said(await thrownBy(() => instance.search('movies', 'x')));
    expect(error.message).toBe('Meilisearch: An internal error has occurred. `Corrupted task queue.`. (internal) (after 3 attempts)');
    expect(meili.requests).toHaveLength(3);
  });

  it('honours Retry-After from a rate-limiting proxy (Meilisearch Cloud)', async () => {
    meili.inject({ kind: 'reply', reply: { status: 429, headers: { 'retry-after': '1' }, body: 'Too Many Requests' } });
    const { instance, context } = await provider();
    const { result, waits } = await runThroughWaits({ context, requests: meili.requests }, () => instance.healthCheck!());
    expect(waits).toEqual([1000]);
    expect(said(result)).toMatchObject({ status: 'healthy' });
  });

  it('timeouts, unreachable hosts and garbage are explained', async () => {
    meili.inject({ kind: 'hang' });
    const { instance } = await provider({ timeoutSeconds: 1, retryCount: 0 });
    const timeout = said(await instance.healthCheck!());
    expect(timeout).toMatchObject({ status: 'unhealthy', message: `Meilisearch: request to ${new URL(meili.url).host} timed out after 1000 ms` });

    meili.inject({ kind: 'garbage' });
    const garbage = said(await thrownBy(() => instance.search('movies', 'x')));
    expect(garbage.message).toMatch(/^Meilisearch: expected JSON but got HTTP 200, text\/html: "<html>/);

    const offline = await provider({ host: await closedPortUrl(), retryCount: 0 });
    const refused = said(await offline.instance.testConnection!());
    expect(refused.success).toBe(false);
    expect(refused.message).toMatch(/^Meilisearch: could not connect to 127\.0\.0\.1:\d+: connection refused$/);
  });
});

describe('meilisearch: schema', () => {
  it('passes the registry checks; defaults complete a minimal configuration', () => {
    expect(checkPluginSchema(plugin)).toEqual([]);
    expect(validateConfig(plugin, { host: 'http://localhost:7700' })).toEqual({
      ok: true,
      value: { host: 'http://localhost:7700', primaryKey: 'id', waitForTasks: true, taskTimeoutSeconds: 30, searchLimit: 20, retryCount: 2, timeoutSeconds: 10 },
    });
    expect(validateConfig(plugin, config())).toMatchObject({ ok: true });
  });
});
