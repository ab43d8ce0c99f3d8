/**
 * The cluster scheduler on a real PostgreSQL and pg-boss: its slots stay busy (a slot freed by
 * any check is taken at once by the next claimed one, while a slow check still runs), a claimed
 * job outlives its wait for a slot plus its own check, and a stop hands back what it holds: the
 * claimed checks without a slot at once (never run), a check still running once its grace is
 * spent (failed, so it is not left to expire), and another replica's reconcile runs them next.
 * The multi-process version, with SIGTERM: test/replicas/cluster.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterHealthScheduler, HANDED_BACK, HEALTH_QUEUE, QUEUE_SCHEMA } from '../../../server/health/cluster-scheduler.ts';
import { HealthService } from '../../../server/health/health-service.ts';
import { createService, gate, lookup, openTestDatabase, postgresGate, probePlugin, tempDir, type TestDatabase } from '../../support/instances.ts';
import { waitUntil } from '../../support/replicas.ts';
import { createInProcessBus, type EventBus } from '../../../server/cluster/event-bus.ts';

const postgres = await postgresGate();

/** Makes every check of `probe` healthy; the returned list fills with the checked instances' ids, in order. */
function recordChecks(probe: ReturnType<typeof probePlugin>): string[] {
  const checked: string[] = [];
  probe.hooks.healthCheck = async (provider) => {
    checked.push(String(provider.context.instanceId));
    return { status: 'healthy', message: 'fine' };
  };
  return checked;
}

describe.skipIf(!postgres.available)('the cluster scheduler', () => {
  let testDb: TestDatabase;
  let storeDir: { dir: string; cleanup: () => Promise<void> };
  const schedulers: ClusterHealthScheduler[] = [];

  // A fresh database (and so a fresh queue) per test.
  beforeEach(async () => {
    testDb = await openTestDatabase('postgres');
    storeDir = await tempDir('plugform-cluster-scheduler-');
  });
  afterEach(async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.stop(1000);
    await testDb?.dispose();
    await storeDir?.cleanup();
  });

  /** A probe plugin, `count` instances of it, and a factory of replicas (each its own health service). */
  async function cluster(count: number, options: { concurrency: number; intervalMs?: number; checkTimeoutMs?: number; bus?: EventBus; idlePollMs?: number }) {
    const probe = probePlugin();
    const plugins = lookup(probe.plugin);
    const fx = createService({ prisma: testDb.db.prisma, storeDir: storeDir.dir, plugins });
    const checkTimeoutMs = options.checkTimeoutMs ?? 30_000;
    const replica = () => {
      // Each replica its own health service: one joins a check already running in it.
      const health = new HealthService({ prisma: testDb.db.prisma, providers: fx.service, logger: fx.logger, historyLimit: 5, timeoutMs: checkTimeoutMs });
      const scheduler = new ClusterHealthScheduler({
        databaseUrl: testDb.url!,
        prisma: testDb.db.prisma,
        health,
        plugins,
        logger: fx.logger,
        intervalMs: options.intervalMs ?? 60_000,
        concurrency: options.concurrency,
        checkTimeoutMs,
        jitter: 0,
        reconcileMs: 200,
        bus: options.bus,
        idlePollMs: options.idlePollMs,
      });
      schedulers.push(scheduler);
      return scheduler;
    };
    const instances = [];
    for (let i = 0; i < count; i++) {
      instances.push(await fx.service.create({ pluginName: 'probe', name: `probe-${i}`, configuration: { host: 'a.example.com', apiKey: 'k' } }, 'test'));
    }
    return { probe, fx, replica, instances };
  }

  const jobsOf = (state: string) =>
    testDb.db.prisma.$queryRawUnsafe<{ id: string; singleton_key: string; output: unknown }[]>(
      `SELECT id, singleton_key, output FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = $2`,
      HEALTH_QUEUE,
      state,
    );

  /** Every queued check due now (what a sweep does, without waiting for the checks). */
  const makeAllDue = () => testDb.db.prisma.$executeRawUnsafe(`UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE name = $1 AND state = 'created'`, HEALTH_QUEUE);

  it('fills a slot freed by any check with the next claimed one while a slow check still runs', async () => {
    const { probe, fx, replica } = await cluster(12, { concurrency: 4 });
    // The first check answers only at the end; each other one when the test lets it.
    const slow = gate();
    const quick: (() => void)[] = [];
    let calls = 0;
    let inFlight = 0;
    probe.hooks.healthCheck = async () => {
      inFlight++;
      try {
        if (++calls === 1) await slow.promise;
        else await new Promise<void>((resolve) => quick.push(resolve));
        return { status: 'healthy', message: 'fine' };
      } finally {
        inFlight--;
      }
    };
    const scheduler = replica();
    await scheduler.start();
    const sweep = scheduler.sweep();
    await waitUntil('four checks running', () => inFlight === 4, { timeoutMs: 10_000, everyMs: 10 });
    // Whichever quick check answers, its slot goes to the next claimed check at once: four run
    // next to the slow one until only the slow one is left (a batch that waited for its
    // slowest check would leave the freed slots empty).
    for (let answered = 1; answered <= 11; answered++) {
      quick.shift()!();
      const started = Math.min(12, 4 + answered);
      await waitUntil(`check ${started} to start after ${answered} answered`, () => calls === started && inFlight === Math.min(4, 12 - answered), {
        timeoutMs: 10_000,
        everyMs: 10,
      });
    }
    expect(calls).toBe(12);
    slow.open();
    expect(await sweep).toBe(12);
    await waitUntil('every job completed', async () => (await jobsOf('completed')).length === 12, { timeoutMs: 10_000 });
    await fx.service.stopAll();
  });

  it('ends the chain of an instance disabled while its check waited: nothing is read first, the check finds it so', async () => {
    const { probe, fx, replica, instances } = await cluster(2, { concurrency: 2 });
    const [kept, disabled] = instances;
    const checked = recordChecks(probe);
    const scheduler = replica();
    await scheduler.start();
    await fx.service.setEnabled(disabled!.id, false, 'test');
    await makeAllDue();
    await waitUntil('both jobs completed', async () => (await jobsOf('completed')).length === 2, { timeoutMs: 10_000, everyMs: 20 });
    expect(checked).toEqual([kept!.id]);
    // The next check is queued for the enabled instance only.
    expect((await jobsOf('created')).map((job) => job.singleton_key)).toEqual([kept!.id]);
    await fx.service.stopAll();
  });

  it("wakes every replica when another one's sweep makes the checks due, instead of waiting for its next poll", async () => {
    // The replica that runs the checks would look again only after a minute: only the sweep's
    // announcement on the bus can make it claim them within the test.
    const bus = createInProcessBus();
    const { probe, fx, replica, instances } = await cluster(3, { concurrency: 4, bus, idlePollMs: 60_000 });
    const checked = recordChecks(probe);
    const worker = replica();
    await worker.start();
    // Another replica, not started, so it claims nothing itself: it only sweeps.
    const sweeper = replica();
    schedulers.splice(schedulers.indexOf(sweeper), 1);
    const announced: number[] = [];
    bus.on('health.due', ({ count }) => announced.push(count));
    let unanswered: NodeJS.Timeout | undefined;
    const swept = await Promise.race([
      sweeper.sweep(),
      new Promise<never>((_, reject) => (unanswered = setTimeout(() => reject(new Error('no replica claimed the due checks')), 20_000))),
    ]).finally(() => clearTimeout(unanswered));
    expect(swept).toBe(3);
    expect(announced).toEqual([3]);
    expect(checked.sort()).toEqual(instances.map((instance) => instance.id).sort());
    await fx.service.stopAll();
  });

  it('keeps a claimed job alive while it waits for a slot and then runs to its timeout', async () => {
    // One slot; both checks hang until their 3 s timeout. The second is claimed while the first
    // runs, so its claim is held for two timeouts (6 s): longer than one timeout plus a margin.
    const { probe, fx, replica, instances } = await cluster(2, { concurrency: 1, intervalMs: 2000, checkTimeoutMs: 3000 });
    const never = gate();
    probe.hooks.healthCheck = async () => {
      await never.promise;
      return { status: 'healthy', message: 'never' };
    };
    const scheduler = replica();
    await scheduler.start();
    await scheduler.sweep();
    const finished = await waitUntil(
      'the first job of each instance to finish',
      async () => {
        const rows = await testDb.db.prisma.$queryRawUnsafe<{ singleton_key: string; state: string; output: unknown }[]>(
          `SELECT DISTINCT ON (singleton_key) singleton_key, state, output FROM ${QUEUE_SCHEMA}.job
            WHERE name = $1 AND state IN ('completed', 'failed') ORDER BY singleton_key, created_on`,
          HEALTH_QUEUE,
        );
        return rows.length === 2 ? rows : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(finished.map((row) => row.state)).toEqual(['completed', 'completed']);
    expect(await testDb.db.prisma.healthCheck.count({ where: { status: 'unhealthy' } })).toBe(instances.length);
    never.open();
    await fx.service.stopAll();
  });

  it('hands back the claimed checks without a slot at once, never running them', async () => {
    const { probe, fx, replica } = await cluster(6, { concurrency: 2 });
    const hanging = gate();
    let calls = 0;
    probe.hooks.healthCheck = async () => {
      calls++;
      await hanging.promise;
      return { status: 'healthy', message: 'fine' };
    };
    const scheduler = replica();
    await scheduler.start();
    await makeAllDue();
    // Two running, two more claimed ahead for the next free slots.
    await waitUntil('two checks running and two claimed ahead', async () => calls === 2 && (await jobsOf('active')).length === 4, { timeoutMs: 10_000, everyMs: 20 });
    const held = await jobsOf('active');
    await scheduler.stop(1000);
    expect(calls).toBe(2);
    const failed = await jobsOf('failed');
    expect(failed.map((job) => job.id).sort()).toEqual(held.map((job) => job.id).sort());
    for (const job of failed) expect(job.output).toEqual({ reason: HANDED_BACK });
    // The two that ran answer now (their results are still recorded); the slots they free
    // start nothing: the checks claimed ahead were handed back.
    hanging.open();
    await waitUntil('the two checks that ran to be recorded', async () => (await testDb.db.prisma.healthCheck.count()) === 2, { timeoutMs: 10_000, everyMs: 20 });
    await fx.service.stopAll();
    expect(calls).toBe(2);
  });

  it('fails the job it still runs when its grace is spent; another replica runs the check next', async () => {
    const { probe, fx, replica, instances: [instance] } = await cluster(1, { concurrency: 2, intervalMs: 1000 });
    // The first check hangs (until the test ends); later ones answer.
    const hanging = gate();
    let checks = 0;
    probe.hooks.healthCheck = async () => {
      if (++checks === 1) await hanging.promise;
      return { status: 'healthy', message: 'fine' };
    };

    const first = replica();
    await first.start();
    await waitUntil('the first replica to run the check', () => checks === 1, { timeoutMs: 10_000, everyMs: 20 });
    const [held] = await testDb.db.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'active' AND singleton_key = $2`,
      HEALTH_QUEUE,
      instance!.id,
    );
    expect(held).toBeDefined();

    await first.stop(1000);
    const [after] = await testDb.db.prisma.$queryRawUnsafe<{ state: string; output: unknown }[]>(
      `SELECT state, output FROM ${QUEUE_SCHEMA}.job WHERE id = $1::uuid`,
      held!.id,
    );
    expect(after).toEqual({ state: 'failed', output: { reason: HANDED_BACK } });

    const second = replica();
    await second.start();
    await waitUntil('another replica to record the check', async () => (await testDb.db.prisma.healthCheck.count({ where: { instanceId: instance!.id } })) > 0, {
      timeoutMs: 10_000,
    });
    expect(checks).toBeGreaterThanOrEqual(2);
    hanging.open();
    await fx.service.stopAll();
  });
});
