/**
 * The cluster scheduler's hand-back on a graceful stop, on a real PostgreSQL and pg-boss: a
 * replica that stops while a check it claimed is still running gives that check up once its
 * grace is spent (pg-boss fails the job, so it is not left to expire), and another replica's
 * reconcile runs it next. The multi-process version, with SIGTERM: test/replicas/cluster.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterHealthScheduler, HEALTH_QUEUE, QUEUE_SCHEMA } from '../../../server/health/cluster-scheduler.ts';
import { HealthService } from '../../../server/health/health-service.ts';
import { createService, gate, lookup, openTestDatabase, postgresGate, probePlugin, tempDir, type TestDatabase } from '../../support/instances.ts';
import { waitUntil } from '../../support/replicas.ts';

const postgres = await postgresGate();

describe.skipIf(!postgres.available)('the cluster scheduler stopping with a check in hand', () => {
  let testDb: TestDatabase;
  let storeDir: { dir: string; cleanup: () => Promise<void> };
  const schedulers: ClusterHealthScheduler[] = [];

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    storeDir = await tempDir('plugform-cluster-scheduler-');
  });
  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.stop(1000);
  });
  afterAll(async () => {
    await testDb?.dispose();
    await storeDir?.cleanup();
  });

  it('fails the job it still runs when its grace is spent; another replica runs the check next', async () => {
    const probe = probePlugin();
    const plugins = lookup(probe.plugin);
    const fx = createService({ prisma: testDb.db.prisma, storeDir: storeDir.dir, plugins });
    const replica = () => {
      // Each replica its own health service: one joins a check already running in it.
      const health = new HealthService({ prisma: testDb.db.prisma, providers: fx.service, logger: fx.logger, historyLimit: 5, timeoutMs: 30_000 });
      const scheduler = new ClusterHealthScheduler({
        databaseUrl: testDb.url!,
        prisma: testDb.db.prisma,
        health,
        plugins,
        logger: fx.logger,
        intervalMs: 1000,
        concurrency: 2,
        checkTimeoutMs: 30_000,
        reconcileMs: 200,
      });
      schedulers.push(scheduler);
      return scheduler;
    };
    // The first check hangs (until the test ends); later ones answer.
    const hanging = gate();
    let checks = 0;
    probe.hooks.healthCheck = async () => {
      if (++checks === 1) await hanging.promise;
      return { status: 'healthy', message: 'fine' };
    };
    const instance = await fx.service.create({ pluginName: 'probe', name: 'held', configuration: { host: 'a.example.com', apiKey: 'k' } }, 'test');

    const first = replica();
    await first.start();
    await waitUntil('the first replica to run the check', () => checks === 1, { timeoutMs: 10_000, everyMs: 20 });
    const [held] = await testDb.db.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'active' AND singleton_key = $2`,
      HEALTH_QUEUE,
      instance.id,
    );
    expect(held).toBeDefined();

    await first.stop(1000);
    const [after] = await testDb.db.prisma.$queryRawUnsafe<{ state: string; output: unknown }[]>(
      `SELECT state, output FROM ${QUEUE_SCHEMA}.job WHERE id = $1::uuid`,
      held!.id,
    );
    expect(after).toEqual({ state: 'failed', output: { value: 'pg-boss shut down while active' } });

    const second = replica();
    await second.start();
    await waitUntil('another replica to record the check', async () => (await testDb.db.prisma.healthCheck.count({ where: { instanceId: instance.id } })) > 0, {
      timeoutMs: 10_000,
    });
    expect(checks).toBeGreaterThanOrEqual(2);
    hanging.open();
    await fx.service.stopAll();
  });
});
