/**
 * bench/api-throughput's Plugform: the real server (server/app/start-server.ts), as `npm start`
 * runs it (production settings, built-in plugins), in its own process so the load generator and
 * the server do not share an event loop. Embedded PGlite in a temporary data dir, or the
 * PostgreSQL database in DATABASE_URL. BENCH_PROFILE=<dir> writes a CPU profile of the serving there. Seeds BENCH_INSTANCES example-echo instances (each with
 * one health check recorded) when the database has none, then prints `READY <url>`.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { startServer } from '../../server/app/start-server.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';

const instances = Number(process.env['BENCH_INSTANCES'] ?? '200');
const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', PLUGFORM_HEALTH_INTERVAL: '86400' };
const server = await startServer({ config: loadConfig(env), logger: createLogger({ level: 'warn' }), announce: () => undefined });
const { prisma } = server.services;
if ((await prisma.pluginInstance.count()) === 0) {
  for (let i = 0; i < instances; i++) {
    const created = await server.services.instances.create(
      {
        pluginName: 'example-echo',
        name: `echo-${String(i).padStart(4, '0')}`,
        configuration: { senderName: `Sender ${i}`, apiToken: `echo-bench-${i}` },
      },
      'system',
    );
    await server.services.health.check(created.id);
  }
}
// BENCH_PROFILE=<dir>: a CPU profile of the serving only (start-up and seeding left out).
const profileDir = process.env['BENCH_PROFILE'];
const profiler = profileDir ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
process.stdout.write(`READY ${server.url}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(join(profileDir!, `plugform-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  }
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
