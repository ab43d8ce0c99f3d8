/**
 * bench/health-fanout: one full health sweep of N instances against a local vendor that answers
 * every check in 50 ms, next to its ideal (N / (concurrency × replicas) × 50 ms), and the API's
 * latency for another query during the sweep next to the same query on the idle server.
 *
 *   npm run bench:health -- [--instances 1000] [--concurrency 16] [--delay 50] [--write]
 *       embedded PGlite, the server in this process (its single-process scheduler)
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
 *     npm run bench:health -- --instances 10000 --replicas 1,3 [--write]
 *       PostgreSQL: for each replica count, a fresh database is created on that server (the
 *       database in the URL is not touched), N instances are stored in it and in a Vault double,
 *       then that many real server processes start on it (test/support/replicas.ts) and share
 *       the sweep through the cluster's job queue (server/health/cluster-scheduler.ts).
 *
 * The vendor and the API client each run in a thread of their own (health-fanout/peers.ts), off
 * the server's event loop, as they would be in production.
 *
 * Every table says which database it ran on. `--write` replaces the table of this mode in
 * bench/README.md (`health-fanout` for PGlite, `health-fanout-postgres` for PostgreSQL).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startServer } from '../server/app/start-server.ts';
import pLimit from 'p-limit';
import { HEALTH_QUEUE, QUEUE_SCHEMA } from '../server/health/cluster-scheduler.ts';
import { VaultSecretStore } from '../server/secrets/index.ts';
import { startCluster, waitUntil } from '../test/support/replicas.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { createEventBus } from '../server/cluster/event-bus.ts';
import { createPostgresEventTarget } from '../server/cluster/postgres-event-target.ts';
import { startPeers } from './health-fanout/peers.ts';
import { writeSection } from './readme-section.ts';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    delay: { type: 'string', default: '50' },
    replicas: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    /** PostgreSQL: sweeps per replica count; the first starts every provider (on first use), the next ones find them cached. */
    sweeps: { type: 'string', default: '2' },
    /** PostgreSQL: how many of the stored instances each sweep checks (default all): e.g. 10,000 stored, 1,000 checked. */
    due: { type: 'string' },
    /** PostgreSQL: a folder where every replica writes a CPU profile (node --cpu-prof), stopped with SIGTERM. */
    'cpu-prof': { type: 'string' },
  },
});
const INSTANCES = Number(args.instances);
const CONCURRENCY = Number(args.concurrency);
const DELAY_MS = Number(args.delay);
const REPLICAS = args.replicas.split(',').map(Number);
const SWEEPS = Number(args.sweeps);
/** Checks per sweep (PostgreSQL): the first DUE instances by id, the same ones every sweep. */
const DUE = Math.min(INSTANCES, Number(args.due ?? INSTANCES));
const DATABASE_URL = process.env['DATABASE_URL']?.trim() || undefined;
const ADMIN = 'bench-admin-token';
const QUERY = JSON.stringify({ query: '{ pluginInstances(first: 20) { edges { node { id name healthStatus } } } }' });

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function latencyRows(busy: number[], idle: number[]): string[][] {
  const row = (label: string, pick: (s: number[]) => number) => [
    label,
    `${pick(busy).toFixed(1)} ms during sweep`,
    `${pick(idle).toFixed(1)} ms idle`,
    `${(pick(busy) / pick(idle)).toFixed(2)}×`,
  ];
  return [
    row('API query p50 (pluginInstances first 20)', (s) => percentile(s, 50)),
    row('API query p95', (s) => percentile(s, 95)),
    row('API query max', (s) => Math.max(...s)),
  ];
}

async function main(): Promise<void> {
  if (DATABASE_URL) return mainPostgres(DATABASE_URL);
  if (REPLICAS.length !== 1 || REPLICAS[0] !== 1) throw new Error('--replicas needs PostgreSQL: set DATABASE_URL (embedded PGlite is one process)');
  const peers = await startPeers({ delayMs: DELAY_MS, query: QUERY, token: ADMIN });
  const vendorUrl = peers.vendorUrl;

  const dataDir = await mkdtemp(join(tmpdir(), 'plugform-bench-'));
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    PLUGFORM_DATA_DIR: dataDir,
    PLUGFORM_ADMIN_TOKEN: ADMIN,
    PLUGIN_PATHS: resolve(import.meta.dirname, 'fixtures'),
    // The scheduler must not run on its own during the measurement: one interval of a day.
    PLUGFORM_HEALTH_INTERVAL: '86400',
    PLUGFORM_HEALTH_CONCURRENCY: String(CONCURRENCY),
  };
  const server = await startServer({ config: loadConfig(env), logger: createLogger({ level: 'warn' }), announce: () => undefined });
  try {
    process.stdout.write(`creating ${INSTANCES} instances`);
    for (let i = 0; i < INSTANCES; i++) {
      await server.services.instances.create(
        { pluginName: 'bench-probe', name: `probe-${i}`, configuration: { url: vendorUrl, token: `token-${i}` } },
        'bench',
      );
      if (i % 100 === 99) process.stdout.write('.');
    }
    process.stdout.write(' done\n');

    const graphqlUrl = `${server.url}/graphql`;
    await peers.sample(graphqlUrl, { atLeast: 20 }); // warm-up
    const idle = await peers.sample(graphqlUrl, { atLeast: 200 });

    console.log(`sweeping ${INSTANCES} instances, ${CONCURRENCY} at a time, vendor answers in ${DELAY_MS} ms`);
    const profiler = args['cpu-prof'] ? await startProfile() : undefined;
    // The server's thread only: the vendor and the API client run in a thread of their own.
    const cpuBefore = process.threadCpuUsage();
    const started = performance.now();
    const sweep = server.services.scheduler.sweep();
    const busy = await peers.sample(graphqlUrl, { atLeast: 20, until: sweep });
    const checked = await sweep;
    const sweepMs = performance.now() - started;
    const cpu = process.threadCpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (profiler) console.log(`CPU profile of the sweep: ${await profiler.stop(resolve(args['cpu-prof']!))}`);
    const idealMs = (INSTANCES / CONCURRENCY) * DELAY_MS;
    const healthy = await server.services.prisma.pluginInstance.count({ where: { healthStatus: 'healthy' } });
    // The bench's thread shares this process with the server: its resident memory is an upper bound.
    const rss = process.memoryUsage().rss;

    const rows = [
      ['full sweep wall time', `${(sweepMs / 1000).toFixed(2)} s`, `${(idealMs / 1000).toFixed(2)} s (ideal: ${INSTANCES} / ${CONCURRENCY} × ${DELAY_MS} ms)`, `${(sweepMs / idealMs).toFixed(2)}×`],
      ...latencyRows(busy, idle),
      [
        "CPU time of the server's thread during the sweep (answering the API queries too)",
        `${(cpuMs / 1000).toFixed(2)} s (${(cpuMs / INSTANCES).toFixed(1)} ms per check)`,
        `${(sweepMs / 1000).toFixed(2)} s wall`,
        `${(cpuMs / sweepMs).toFixed(2)}× of one core`,
      ],
      [
        'resident memory at the end (process.memoryUsage().rss, of the process that also runs the bench and its thread)',
        `${(rss / 2 ** 20).toFixed(0)} MiB with ${server.services.instances.pool.size} live providers`,
        '—',
        '—',
      ],
    ];
    const table = [
      `Run ${new Date().toISOString().slice(0, 10)}, ${INSTANCES} instances (${checked} checked, ${healthy} healthy), concurrency ${CONCURRENCY}, embedded PGlite (${server.services.database.location}), Node ${process.version}, ${busy.length} queries during the sweep, ${idle.length} idle, load average at the end ${loadavg().map((n) => n.toFixed(1)).join(' / ')}.`,
      '',
      '| measure | Plugform | baseline | ratio |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(`\n${table}\n`);
    if (args.write) await writeSection('health-fanout', table);
  } finally {
    await server.close();
    await peers.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL: per replica count, a fresh database with N stored instances (rows and Vault
 * documents written directly, which is what N creates would leave), R server processes on it,
 * then every instance's queued check is made due at once and the sweep ends when every
 * instance has a check recorded after that moment.
 */
async function mainPostgres(serverUrl: string): Promise<void> {
  const peers = await startPeers({ delayMs: DELAY_MS, query: QUERY, token: ADMIN });
  const results: {
    replicas: number;
    sweepMs: number;
    idealMs: number;
    hits: number;
    perReplica: number[];
    recorded: number;
    busy: number[];
    idle: number[];
    seedMs: number;
    bootMs: number;
    rssBefore: number[];
    rssAfter: number[];
    cpuMs: number[];
    sweep: number;
  }[] = [];
  try {
    for (const replicas of REPLICAS) {
      const started = performance.now();
      let seedMs = 0;
      process.stdout.write(`${replicas} replica(s): storing ${INSTANCES} instances`);
      const cluster = await startCluster({
        replicas,
        postgresUrl: serverUrl,
        adminToken: ADMIN,
        pluginPaths: [resolve(import.meta.dirname, 'fixtures')],
        startTimeoutMs: 900_000,
        env: {
          // Nothing is due before the sweep: the queued checks wait a day.
          PLUGFORM_HEALTH_INTERVAL: '86400',
          PLUGFORM_HEALTH_CONCURRENCY: String(CONCURRENCY),
          // As in production (the test clusters log at debug): a line per check costs a write.
          PLUGFORM_LOG_LEVEL: 'info',
          ...(args['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(args['cpu-prof'])}` } : {}),
        },
        seed: async ({ databaseUrl, vault }) => {
          const seeding = performance.now();
          await seedInstances(databaseUrl, vault.url, vault.rootToken, peers.vendorUrl);
          seedMs = performance.now() - seeding;
        },
      });
      const bootMs = performance.now() - started - seedMs;
      process.stdout.write(` (${(seedMs / 1000).toFixed(0)} s) and starting the replicas: ${(bootMs / 1000).toFixed(1)} s\n`);
      try {
        const queued = async () =>
          Number((await cluster.sql<{ n: string }>(`SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'created'`, [HEALTH_QUEUE]))[0]!.n);
        await waitUntil('every instance to have a queued check', async () => (await queued()) >= INSTANCES, { timeoutMs: 120_000, everyMs: 250 });
        // The queue and the instances were filled in bulk a moment ago: their statistics are
        // what autovacuum would have gathered by now on a live cluster. (Without them the
        // planner took the sweep's own UPDATE below as a 1,000-times sequential scan: 0.5 s.)
        await cluster.sql(`ANALYZE ${QUEUE_SCHEMA}.job`);
        await cluster.sql('ANALYZE plugin_instance');
        // Sweeps are announced as the scheduler's own sweep() does: on the cluster's bus, which
        // wakes every replica at once (without it they would find the checks at their next poll).
        const busTarget = createPostgresEventTarget({ connectionString: cluster.databaseUrl, logger: createLogger({ level: 'warn' }) });
        await busTarget.ready();
        const bus = createEventBus('postgres', busTarget);
        // The instances each sweep checks: the first DUE by id, the same ones every time.
        const dueIds = (await cluster.sql<{ id: string }>('SELECT id FROM plugin_instance ORDER BY id LIMIT $1', [DUE])).map((row) => row.id);

        await peers.sample(cluster.graphqlUrl, { atLeast: 20 }); // warm-up
        const idle = await peers.sample(cluster.graphqlUrl, { atLeast: 200 });
        for (let sweep = 1; sweep <= SWEEPS; sweep++) {
          // The next checks (queued by the previous sweep, a day later) wait again.
          if (sweep > 1) await waitUntil('every instance to have its next check queued', async () => (await queued()) >= INSTANCES, { timeoutMs: 120_000, everyMs: 250 });
          const rssBefore = await Promise.all(cluster.replicas.map((replica) => residentMemory(replica.pid)));
          const cpuBefore = await Promise.all(cluster.replicas.map((replica) => cpuTime(replica.pid)));

          console.log(`sweeping ${DUE} of ${INSTANCES} instances with ${replicas} replica(s), ${CONCURRENCY} at a time each, vendor answers in ${DELAY_MS} ms`);
          // From here: a check that came due on its own before the sweep (its first one lands at a
          // random point of the day-long interval) is not counted.
          const hitsBefore = await peers.hits();
          const sweepStart = new Date();
          const t0 = performance.now();
          await cluster.sql(
            `UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE name = $1 AND state = 'created' AND singleton_key = ANY($2::text[])`,
            [HEALTH_QUEUE, dueIds],
          );
          bus.publish('health.due', { count: DUE });
          const recorded = async () =>
            Number((await cluster.sql<{ n: string }>('SELECT count(*) AS n FROM plugin_instance WHERE last_health_at >= $1', [sweepStart]))[0]!.n);
          // Done when every instance has a check recorded after the start, or when the queue has
          // nothing due or running any more (a check whose result could not be recorded is counted
          // as such, instead of the sweep waiting for it forever).
          const drained = async () =>
            Number(
              (
                await cluster.sql<{ n: string }>(
                  `SELECT count(*) AS n FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND (state = 'active' OR (state IN ('created', 'retry') AND start_after <= now()))`,
                  [HEALTH_QUEUE],
                )
              )[0]!.n,
            ) === 0;
          // Asked every 25 ms, so the end is seen within that; the database is asked only once
          // the vendor has seen every check (a count over 10,000 rows 40 times a second would
          // load the database the sweep runs on), and every half second whether the queue drained.
          let polls = 0;
          const done = waitUntil(
            'every instance checked',
            async () =>
              ((await peers.hits()).hits - hitsBefore.hits >= DUE && (await recorded()) >= DUE) || (++polls % 20 === 0 && (await drained())),
            { timeoutMs: 1_800_000, everyMs: 25 },
          );
          const busy = await peers.sample(cluster.graphqlUrl, { atLeast: 20, until: done });
          await done;
          const sweepMs = performance.now() - t0;
          // A check's job completes before its result is written (in the next batch, within
          // ~20 ms plus one write): a queue drained before every result landed gets a second.
          let recordedCount = await recorded();
          if (recordedCount < DUE) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            recordedCount = await recorded();
          }
          const rssAfter = await Promise.all(cluster.replicas.map((replica) => residentMemory(replica.pid)));
          const cpuMs = (await Promise.all(cluster.replicas.map((replica) => cpuTime(replica.pid)))).map((ms, i) => ms - cpuBefore[i]!);
          const hitsAfter = await peers.hits();
          const hits = hitsAfter.hits - hitsBefore.hits;
          const perReplica = cluster.replicas.map((replica) => (hitsAfter.byPid[replica.pid] ?? 0) - (hitsBefore.byPid[replica.pid] ?? 0));
          results.push({ replicas, sweepMs, idealMs: (DUE / (CONCURRENCY * replicas)) * DELAY_MS, hits, perReplica, recorded: recordedCount, busy, idle, seedMs, bootMs, rssBefore, rssAfter, cpuMs, sweep });
          console.log(
            `  ${(sweepMs / 1000).toFixed(2)} s; checks per replica ${perReplica.join(' / ')}; vendor calls ${hits}; results recorded ${recordedCount}`,
          );
        }
        await bus.close();
      } finally {
        // A CPU profile is written when the process exits on its own (SIGTERM), not on SIGKILL.
        if (args['cpu-prof']) for (const replica of cluster.replicas) await cluster.stop(replica.index).catch(() => undefined);
        await cluster.close();
      }
    }
  } finally {
    await peers.close();
  }

  const host = new URL(serverUrl);
  const version = await serverVersion(serverUrl);
  const rows = results.flatMap((r) => {
    const label = `${r.replicas} replica(s), sweep ${r.sweep} (${r.sweep === 1 ? 'providers start on first use' : 'providers cached'})`;
    return [
    [
      `${label}: full sweep wall time`,
      `${(r.sweepMs / 1000).toFixed(2)} s`,
      `${(r.idealMs / 1000).toFixed(2)} s (ideal: ${DUE} / (${CONCURRENCY} × ${r.replicas}) × ${DELAY_MS} ms)`,
      `${(r.sweepMs / r.idealMs).toFixed(2)}×`,
    ],
    [`${label}: checks run (per replica)`, `${r.hits} (${r.perReplica.join(' / ')})`, `${DUE} (each instance once)`, `${(r.hits / DUE).toFixed(2)}×`],
    [`${label}: results recorded`, `${r.recorded}`, `${DUE}`, `${(r.recorded / DUE).toFixed(4)}×`],
    ...latencyRows(r.busy, r.idle).map(([name, ...rest]) => [`${label}: ${name}`, ...rest] as string[]),
    [
      `${label}: CPU time of the replica(s) during the sweep`,
      r.cpuMs.map((ms, i) => `${(ms / 1000).toFixed(1)} s (${(ms / (r.perReplica[i] || 1)).toFixed(1)} ms per check)`).join(' / '),
      `${(r.sweepMs / 1000).toFixed(1)} s wall`,
      `${(r.cpuMs.reduce((a, b) => a + b, 0) / r.sweepMs / r.replicas).toFixed(2)}× of one core per replica`,
    ],
    ...(r.sweep === 1 ? [[`${r.replicas} replica(s): starting the replicas on ${INSTANCES} stored instances`, `${(r.bootMs / 1000).toFixed(1)} s`, '—', '—']] : []),
    [
      `${label}: resident memory per replica (rss) before → after the sweep`,
      r.rssBefore.map((bytes, i) => `${mib(bytes)} → ${mib(r.rssAfter[i]!)} (this sweep: ${r.perReplica[i]} checks)`).join(' / '),
      '—',
      '—',
    ],
  ];
  });
  const load = loadavg().map((n) => n.toFixed(1)).join(' / ');
  const table = [
    `Run ${new Date().toISOString().slice(0, 10)}, ${INSTANCES} instances stored${DUE < INSTANCES ? `, ${DUE} of them checked per sweep (the same ones each time)` : ''}, concurrency ${CONCURRENCY} per replica, vendor ${DELAY_MS} ms, PostgreSQL ${version} at ${host.host} (a fresh database per run), secrets in the Vault double, Node ${process.version}, load average at the end ${load}.`,
    '',
    '| measure | Plugform | baseline | ratio |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log(`\n${table}\n`);
  if (args.write) await writeSection('health-fanout-postgres', table);
}

/** The CPU profile of this process (bench/health-fanout --cpu-prof with PGlite: the sweep only). */
async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(dir: string): Promise<string> {
      const { profile } = await session.post('Profiler.stop');
      const file = join(dir, `sweep-${Date.now()}.cpuprofile`);
      await mkdir(dir, { recursive: true });
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}

/** A process's CPU time (user + system) so far, in ms, from /proc (clock ticks of 10 ms). */
async function cpuTime(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's resident memory (what its own process.memoryUsage().rss reports), from /proc. */
async function residentMemory(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** N bench-probe instances: rows in PostgreSQL, their token in the Vault double (Plugform's own store code). */
async function seedInstances(databaseUrl: string, vaultUrl: string, vaultToken: string, vendorUrl: string): Promise<void> {
  const store = new VaultSecretStore({ addr: vaultUrl, auth: { method: 'token', token: vaultToken }, log: () => undefined });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = Array.from({ length: INSTANCES }, () => randomUUID());
    for (let from = 0; from < ids.length; from += 1000) {
      const chunk = ids.slice(from, from + 1000);
      await client.query(
        `INSERT INTO plugin_instance (id, plugin_name, name, enabled, status, config, version, updated_at)
         SELECT id, 'bench-probe', 'probe-' || ($3::int + n), true, 'active', jsonb_build_object('url', $2::text), 1, now()
           FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
        [chunk, vendorUrl, from],
      );
      await client.query(`INSERT INTO plugin_instance_secret (instance_id, key) SELECT id, 'token' FROM unnest($1::text[]) AS t(id)`, [chunk]);
    }
    let written = 0;
    await pLimit(16).map(ids, async (id) => {
      await store.write(id, { token: `token-${id.slice(0, 8)}` }, { cas: 0 });
      if (++written % 1000 === 0) process.stdout.write('.');
    });
  } finally {
    await client.end();
    await store.close?.();
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

await main();
