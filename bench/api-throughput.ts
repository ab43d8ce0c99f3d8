/**
 * bench/api-throughput: requests per second and latency of three API queries on the real
 * Plugform server next to a bare graphql-yoga serving the same committed schema.graphql with
 * the same answers from memory (bench/api-throughput/baseline.ts).
 *
 *   npm run bench:api -- [--rounds 3] [--duration 5] [--connections 16] [--instances 200] [--write] [--profile DIR] [--queries viewer,catalog,instances]
 *       embedded PGlite (a temporary data dir)
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:api -- [--write]
 *       PostgreSQL: a fresh database on that server for the run (the one in the URL is not
 *       touched), dropped at the end
 *
 * The queries: `{ viewer { role } }`, the console's catalog query (web/src/catalog/documents.ts)
 * and the console's instances list (web/src/instances/documents.ts) with `first: 50`. Both
 * servers run in their own processes; the load (autocannon, `--connections` keep-alive
 * connections, `--duration` seconds per measurement) comes from this one. Each round measures
 * every query on the baseline, then on Plugform. Every answer is compared with the one captured
 * from Plugform at the start: an error, a non-200 or a different body fails the run.
 * `--profile DIR` writes CPU profiles of both servers' serving (from ready to exit) into DIR.
 * `--write` replaces the table of this database in bench/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { print } from 'graphql';
import pg from 'pg';
import { CatalogDocument, InstancesDocument } from '../web/src/gql/graphql.ts';
import { writeSection } from './readme-section.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    instances: { type: 'string', default: '200' },
    profile: { type: 'string' },
    queries: { type: 'string', default: 'viewer,catalog,instances' },
    write: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const INSTANCES = Number(args.instances);
const DATABASE_URL = process.env['DATABASE_URL']?.trim() || undefined;
const ADMIN = `pf_bench_${randomBytes(16).toString('hex')}`;

const instancesQuery = print(InstancesDocument).replace('pluginInstances(first: 100)', 'pluginInstances(first: 50)');
if (!instancesQuery.includes('first: 50')) throw new Error("the console's instances query no longer asks for first: 100; update the bench");

interface Query {
  key: string;
  name: string;
  body: string;
  /** Checks Plugform's captured answer is the expected one (not only error-free). */
  check(data: any): void;
  /** The top-level fields the baseline answers from memory. */
  fields: string[];
}

const ALL_QUERIES: Query[] = [
  {
    key: 'viewer',
    name: '`{ viewer { role } }`',
    body: JSON.stringify({ query: '{ viewer { role } }' }),
    check: (data) => expect(data.viewer?.role === 'ADMIN', 'viewer.role is ADMIN'),
    fields: ['viewer'],
  },
  {
    key: 'catalog',
    name: 'catalog (console `Catalog`)',
    body: JSON.stringify({ query: print(CatalogDocument), operationName: 'Catalog' }),
    check: (data) => expect(data.plugins?.length >= 10 && data.plugins.some((p: any) => p.name === 'example-echo'), 'the catalog lists the built-in plugins'),
    fields: ['plugins', 'pluginLoadErrors'],
  },
  {
    key: 'instances',
    name: 'instances list (console `Instances`, first 50)',
    body: JSON.stringify({ query: instancesQuery, operationName: 'Instances' }),
    check: (data) => {
      const nodes = data.pluginInstances?.edges?.map((e: any) => e.node) ?? [];
      expect(nodes.length === Math.min(50, INSTANCES), `50 instances in the page (got ${nodes.length})`);
      expect(
        nodes.every((n: any) => n.plugin?.name === 'example-echo' && n.healthHistory.length === 1 && n.healthStatus === 'HEALTHY'),
        'every instance complete: its plugin and its latest check',
      );
    },
    fields: ['pluginInstances'],
  },
];
const QUERIES = ALL_QUERIES.filter((query) => args.queries.split(',').includes(query.key));

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong answer from Plugform: expected ${what}`);
}

interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `script` with tsx in its own process and waits for its `READY <url>` line. */
async function startChild(script: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolveUrl(line.slice(6).trim());
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, query: Query, expected: string): Promise<Measure> {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: query.body,
    connections: CONNECTIONS,
    duration: DURATION_S,
    expectBody: expected,
  });
  const failures = result.errors + result.timeouts + result.non2xx + result.mismatches;
  if (failures > 0) {
    throw new Error(
      `${url}: ${query.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${result.mismatches} wrong bodies in ${result.requests.total} requests`,
    );
  }
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const load1 = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'plugform-bench-api-'));
  let database = 'embedded PGlite';
  let dropDatabase: (() => Promise<void>) | undefined;
  const env: Record<string, string> = {
    PLUGFORM_DATA_DIR: join(scratch, 'data'),
    PLUGFORM_ADMIN_TOKEN: ADMIN,
    BENCH_INSTANCES: String(INSTANCES),
  };
  // Both servers as deployed: graphql-js, like Plugform, runs its production code paths then.
  process.env['NODE_ENV'] = 'production';
  if (DATABASE_URL) {
    const name = `plugform_bench_api_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const { rows } = await admin.query<{ version: string }>('SELECT version()');
    await admin.end();
    const url = new URL(DATABASE_URL);
    url.pathname = `/${name}`;
    env['DATABASE_URL'] = url.toString();
    database = `PostgreSQL ${rows[0]!.version.split(' ')[1]} at ${url.host} (a fresh database)`;
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const children: Child[] = [];
  try {
    console.log(`starting Plugform (${database}) and seeding ${INSTANCES} example-echo instances …`);
    const plugform = await startChild('api-throughput/plugform.ts', { ...env, ...(args.profile ? { BENCH_PROFILE: resolve(args.profile) } : {}) });
    children.push(plugform);

    // The answers, captured from the real server; the baseline serves them from memory.
    const expected = new Map<Query, string>();
    const answers: Record<string, unknown> = {};
    for (const query of QUERIES) {
      const { status, text } = await post(plugform.url, query.body);
      const body = JSON.parse(text);
      if (status !== 200 || body.errors) throw new Error(`Plugform answered ${query.name} with ${status}: ${text.slice(0, 500)}`);
      query.check(body.data);
      expected.set(query, text);
      for (const field of query.fields) answers[field] = body.data[field];
    }
    const answersFile = join(scratch, 'answers.json');
    await writeFile(answersFile, JSON.stringify(answers));
    const baseline = await startChild('api-throughput/baseline.ts', { BENCH_ANSWERS: answersFile, ...(args.profile ? { BENCH_PROFILE: resolve(args.profile) } : {}) });
    children.push(baseline);
    for (const query of QUERIES) {
      const { status, text } = await post(baseline.url, query.body);
      if (status !== 200 || text !== expected.get(query)) throw new Error(`the baseline's answer to ${query.name} differs from Plugform's: ${text.slice(0, 500)}`);
    }

    const loadStart = load1();
    // Warm-up: one short run of each query on each server (JIT, connection pools, caches).
    for (const query of QUERIES) for (const server of [baseline, plugform]) await autocannon({ url: `${server.url}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: query.body, connections: CONNECTIONS, duration: 2 });
    const results = new Map<Query, { baseline: Measure[]; plugform: Measure[] }>(QUERIES.map((q) => [q, { baseline: [], plugform: [] }]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const query of QUERIES) {
        const entry = results.get(query)!;
        entry.baseline.push(await load(baseline.url, query, expected.get(query)!));
        entry.plugform.push(await load(plugform.url, query, expected.get(query)!));
        const b = entry.baseline.at(-1)!;
        const p = entry.plugform.at(-1)!;
        console.log(
          `round ${round} ${query.name}: baseline ${b.rps.toFixed(0)} req/s p99 ${b.p99} ms · Plugform ${p.rps.toFixed(0)} req/s p99 ${p.p99} ms · ${(p.rps / b.rps).toFixed(2)}× · load ${load1()}`,
        );
      }
    }
    const loadEnd = load1();

    const rows = QUERIES.map((query) => {
      const { baseline: b, plugform: p } = results.get(query)!;
      const ratios = p.map((m, i) => m.rps / b[i]!.rps);
      const [bRps, pRps, bP50, pP50, bP99, pP99] = [b.map((m) => m.rps), p.map((m) => m.rps), b.map((m) => m.p50), p.map((m) => m.p50), b.map((m) => m.p99), p.map((m) => m.p99)].map(median) as [number, number, number, number, number, number];
      return `| ${query.name} | ${pRps.toFixed(0)} | ${bRps.toFixed(0)} | **${median(ratios).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${pP50} / ${bP50} | ${pP99} / ${bP99} | **${(pP99 / bP99).toFixed(2)}×** |`;
    });
    const table = [
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${database}, ${INSTANCES} example-echo instances, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${DURATION_S} s per query and server (baseline, then Plugform), Node ${process.version}, **load average (1 / 5 / 15 min) ${loadStart} at the start, ${loadEnd} at the end**. Medians of the rounds; the throughput ratio's range is over the rounds.`,
      '',
      '| query | Plugform req/s | baseline req/s | throughput ratio (goal ≥ 0.8×) | p50 ms Plugform / baseline | p99 ms Plugform / baseline | p99 ratio (goal ≤ 2×) |',
      '| --- | ---: | ---: | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    console.log(`\n${table}\n`);
    if (args.write) await writeSection(DATABASE_URL ? 'api-throughput-postgres' : 'api-throughput', table);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await dropDatabase?.();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
