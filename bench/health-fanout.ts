/**
 * bench/health-fanout: one full health sweep of N instances against a local server that
 * answers in 50 ms, next to its ideal (N / concurrency × 50 ms), and the API's latency for
 * other queries during the sweep next to the same queries on an idle server.
 *
 *   npm run bench:health -- [--instances 1000] [--concurrency 16] [--delay 50] [--write]
 *
 * `--write` replaces the health-fanout table in bench/README.md with this run's numbers.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../server/app/start-server.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    delay: { type: 'string', default: '50' },
    write: { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(args.instances);
const CONCURRENCY = Number(args.concurrency);
const DELAY_MS = Number(args.delay);
const ADMIN = 'bench-admin-token';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const vendor = createServer((_req, res) => void setTimeout(() => res.end('{"ok":true}'), DELAY_MS));
  vendor.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r));
  const vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/status`;

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
  const server = await startServer({ config: loadConfig(env), env, logger: createLogger({ level: 'warn' }), announce: () => undefined });
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

    const query = JSON.stringify({ query: '{ pluginInstances(first: 20) { edges { node { id name healthStatus } } } }' });
    const timedQuery = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: query,
      });
      await response.json();
      return performance.now() - started;
    };
    const sampleWhile = async (busy: () => boolean, atLeast: number) => {
      const samples: number[] = [];
      while (busy() || samples.length < atLeast) samples.push(await timedQuery());
      return samples;
    };

    for (let i = 0; i < 20; i++) await timedQuery(); // warm-up
    const idle = await sampleWhile(() => false, 200);

    let sweeping = true;
    console.log(`sweeping ${INSTANCES} instances, ${CONCURRENCY} at a time, vendor answers in ${DELAY_MS} ms`);
    const started = performance.now();
    const sweep = server.services.scheduler.sweep().finally(() => (sweeping = false));
    const busy = await sampleWhile(() => sweeping, 20);
    const checked = await sweep;
    const sweepMs = performance.now() - started;
    const idealMs = (INSTANCES / CONCURRENCY) * DELAY_MS;
    const healthy = await server.services.prisma.pluginInstance.count({ where: { healthStatus: 'healthy' } });

    const rows = [
      ['full sweep wall time', `${(sweepMs / 1000).toFixed(2)} s`, `${(idealMs / 1000).toFixed(2)} s (ideal: ${INSTANCES} / ${CONCURRENCY} × ${DELAY_MS} ms)`, `${(sweepMs / idealMs).toFixed(2)}×`],
      ['API query p50 (pluginInstances first 20)', `${percentile(busy, 50).toFixed(1)} ms during sweep`, `${percentile(idle, 50).toFixed(1)} ms idle`, `${(percentile(busy, 50) / percentile(idle, 50)).toFixed(2)}×`],
      ['API query p95', `${percentile(busy, 95).toFixed(1)} ms during sweep`, `${percentile(idle, 95).toFixed(1)} ms idle`, `${(percentile(busy, 95) / percentile(idle, 95)).toFixed(2)}×`],
      ['API query max', `${Math.max(...busy).toFixed(1)} ms during sweep`, `${Math.max(...idle).toFixed(1)} ms idle`, `${(Math.max(...busy) / Math.max(...idle)).toFixed(2)}×`],
    ];
    const table = [
      `Run ${new Date().toISOString().slice(0, 10)}, ${INSTANCES} instances (${checked} checked, ${healthy} healthy), concurrency ${CONCURRENCY}, embedded PGlite, Node ${process.version}, ${busy.length} queries during the sweep, ${idle.length} idle.`,
      '',
      '| measure | Plugform | baseline | ratio |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(`\n${table}\n`);
    if (args.write) await writeSection('health-fanout', table);
  } finally {
    await server.close();
    vendor.closeAllConnections();
    vendor.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in bench/README.md. */
export async function writeSection(name: string, content: string): Promise<void> {
  const path = resolve(import.meta.dirname, 'README.md');
  const text = await readFile(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`bench/README.md has no ${start} … ${end} markers`);
  await writeFile(path, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
  console.log(`wrote the ${name} table to bench/README.md`);
}

await main();
