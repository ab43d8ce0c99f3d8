/**
 * Scheduled health checks for a cluster of replicas on one PostgreSQL: each check is a pg-boss
 * job, so it runs once in the cluster, on whichever live replica claims it first (pg-boss claims
 * with `FOR UPDATE SKIP LOCKED`, so replicas never block each other and never take the same
 * job). Why pg-boss and how the jobs chain: server/health/README.md.
 *
 * - The queue's policy is `stately`, keyed by instance id: per instance at most one job waits
 *   and at most one runs, whatever the number of replicas.
 * - The job of a check, once the check is recorded, queues the instance's next check one
 *   interval (± jitter) later, while it is still active; the worker that claims it when it is
 *   due may be any replica. A replica that dies therefore holds only the checks it was running
 *   at that moment; its waiting ones are claimed by the others when due.
 * - A running job whose replica died expires after the health timeout plus a margin
 *   (pg-boss's supervisor fails it); a graceful stop fails what it still holds at once.
 * - Every replica reconciles on a timer: an enabled instance with no waiting or running job
 *   (new, re-enabled, or whose job failed as above) gets one, due one interval after its last
 *   recorded check, or at a random point of the first interval when it was never checked.
 *   Disabled and deleted instances drop out: their job ends the chain.
 */
import { PgBoss, type Job } from 'pg-boss';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { errorMessage } from '../../plugins/sdk/index.ts';
import type { Logger } from '../logger.ts';
import type { PluginLookup } from '../instances/instance-service.ts';
import type { HealthService } from './health-service.ts';
import type { ScheduledHealthChecks } from './scheduled-checks.ts';

/** The queue's name and the schema pg-boss keeps its tables in (next to Plugform's). */
export const HEALTH_QUEUE = 'plugform-health-check';
export const QUEUE_SCHEMA = 'pgboss';

interface CheckJob {
  instanceId: string;
}

export interface ClusterHealthSchedulerOptions {
  databaseUrl: string;
  prisma: PrismaClient;
  health: HealthService;
  plugins: PluginLookup;
  logger: Logger;
  intervalMs: number;
  /** Checks one replica runs at a time. */
  concurrency: number;
  /** A check's own timeout; a claimed job is given this plus a margin before it expires. */
  checkTimeoutMs: number;
  /** ± this share of the interval is added at random to each next check (default 0.1). */
  jitter?: number;
  /** How often each replica reconciles (default: the interval, at most 10 s, at least 1 s). */
  reconcileMs?: number;
}

export class ClusterHealthScheduler implements ScheduledHealthChecks {
  readonly mode = 'cluster';
  readonly #options: ClusterHealthSchedulerOptions;
  readonly #boss: PgBoss;
  #reconcileTimer: NodeJS.Timeout | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;
  #lastErrorLog = 0;

  constructor(options: ClusterHealthSchedulerOptions) {
    this.#options = options;
    const intervalS = options.intervalMs / 1000;
    this.#boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: QUEUE_SCHEMA,
      application_name: 'plugform-health-queue',
      max: 3,
      // Cron schedules are not used (each instance has its own chain); their timers would
      // only poll.
      schedule: false,
      // Expired claims (a replica that died mid-check) are failed by whichever replica
      // supervises next: at least once an interval, so their checks come back within it.
      superviseIntervalSeconds: Math.max(1, Math.min(60, Math.floor(intervalS / 2))),
      monitorIntervalSeconds: Math.max(1, Math.min(60, Math.floor(intervalS))),
    });
    this.#boss.on('error', (error: unknown) => this.#logError('health queue error', error));
  }

  async start(): Promise<void> {
    if (this.#started) return;
    const { intervalMs, concurrency, checkTimeoutMs } = this.#options;
    await this.#boss.start();
    await this.#boss.createQueue(HEALTH_QUEUE, {
      policy: 'stately',
      // No retry: a failed or expired check is re-created by the reconciler, due at the right
      // time (a retry would also be a second waiting job next to the chained one).
      retryLimit: 0,
      expireInSeconds: Math.ceil(checkTimeoutMs / 1000) + 2,
      // Finished checks are only bookkeeping: the result is in health_check.
      deleteAfterSeconds: 3600,
      retentionSeconds: Math.max(3600, Math.ceil((intervalMs / 1000) * 3)),
    });
    const pollingIntervalSeconds = Math.min(2, Math.max(0.5, intervalMs / 10_000));
    // Two workers share the replica's concurrency, so one fetches while the other's batch runs
    // (four workers of quarter batches cost more queries per check: slower on a loaded
    // machine). The results are written in batches behind the checks (HealthService).
    const workers = Math.min(2, concurrency);
    await this.#boss.work<CheckJob>(
      HEALTH_QUEUE,
      { batchSize: Math.ceil(concurrency / workers), localConcurrency: workers, pollingIntervalSeconds, burstWhenBatchFull: true },
      (jobs) => this.#run(jobs),
    );
    this.#started = true;
    await this.#reconcile();
    const reconcileMs = this.#options.reconcileMs ?? Math.max(1000, Math.min(10_000, intervalMs));
    this.#reconcileTimer = setInterval(() => void this.#reconcile(), reconcileMs);
    this.#reconcileTimer.unref();
    this.#options.logger.info(
      `health checks every ${intervalMs / 1000} s from the cluster queue ${QUEUE_SCHEMA}.${HEALTH_QUEUE}, ${concurrency} at a time on this replica`,
    );
  }

  stop(graceMs = 10_000): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#reconcileTimer);
      // Graceful: running checks finish (up to graceMs); what is still held is failed, and the
      // reconciler of another replica queues it again.
      await this.#boss.stop({ graceful: true, timeout: Math.max(1000, graceMs), close: true }).catch((error: unknown) => {
        this.#logError('health queue did not stop cleanly', error);
      });
      // The results already taken are written before the database closes.
      await this.#options.health.drain();
    })();
    return this.#stopping;
  }

  /**
   * Makes every enabled instance's check due now and resolves once each has been checked after
   * this call, by whichever replicas (bench/health-fanout).
   */
  async sweep(): Promise<number> {
    const { prisma } = this.#options;
    const started = new Date();
    const ids = (await prisma.pluginInstance.findMany({ where: { enabled: true }, select: { id: true } })).map((row) => row.id);
    await makeAllDue(prisma);
    await this.#reconcile({ dueNow: true });
    for (;;) {
      const pending = await prisma.pluginInstance.count({
        where: { id: { in: ids }, OR: [{ lastHealthAt: null }, { lastHealthAt: { lt: started } }] },
      });
      if (pending === 0) return ids.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One batch of claimed checks: one read of the instances, the checks, one insert of the next ones. */
  async #run(jobs: Job<CheckJob>[]): Promise<void> {
    const { prisma, health, logger } = this.#options;
    const ids = jobs.map((job) => job.data.instanceId);
    let enabled: Map<string, string>;
    try {
      const rows = await prisma.pluginInstance.findMany({ where: { id: { in: ids }, enabled: true }, select: { id: true, pluginName: true } });
      enabled = new Map(rows.map((row) => [row.id, row.pluginName]));
    } catch (error) {
      // The database may be briefly unreachable: the reconciler restores the chains.
      this.#logError('scheduled health checks not run', error);
      return;
    }
    // Deleted or disabled instances are not checked and get no next job: their chain ends here
    // (enabling one again is picked up by a reconcile).
    const next: { instanceId: string; startAfter: Date }[] = [];
    await Promise.all(
      [...enabled].map(async ([instanceId, pluginName]) => {
        // Which replica ran which check: the multi-replica test and the bench read this line.
        logger.debug('scheduled health check', { instanceId });
        try {
          await health.checkScheduled(instanceId);
        } catch (error) {
          logger.debug('scheduled health check failed', { instanceId, reason: errorMessage(error) });
        }
        next.push({ instanceId, startAfter: new Date(Date.now() + this.#nextInterval(pluginName)) });
      }),
    );
    // Queued while these jobs are still active (the stately policy allows one waiting next to
    // one running); if this fails the reconciler queues them from their last check.
    if (next.length > 0) await this.#queue(next).catch((error: unknown) => this.#logError('next health checks not queued', error));
  }

  /** Queues a job for every enabled instance that has none waiting or running. */
  async #reconcile({ dueNow = false } = {}): Promise<void> {
    if (!this.#started || this.#stopping) return;
    const { prisma } = this.#options;
    try {
      const orphans = await prisma.$queryRawUnsafe<{ id: string; plugin_name: string; last_health_at: Date | null }[]>(
        `SELECT i.id, i.plugin_name, i.last_health_at FROM plugin_instance i
          WHERE i.enabled AND NOT EXISTS (
            SELECT 1 FROM ${QUEUE_SCHEMA}.job j
             WHERE j.name = $1 AND j.singleton_key = i.id AND j.state IN ('created', 'retry', 'active'))`,
        HEALTH_QUEUE,
      );
      if (orphans.length === 0) return;
      const now = Date.now();
      await this.#queue(
        orphans.map((row) => {
          const interval = this.#intervalOf(row.plugin_name);
          const due = dueNow
            ? now
            : row.last_health_at
              ? Math.max(now, row.last_health_at.getTime() + interval)
              : now + Math.random() * interval; // never checked: spread over the first interval
          return { instanceId: row.id, startAfter: new Date(due) };
        }),
      );
    } catch (error) {
      this.#logError('health queue reconcile failed', error);
    }
  }

  async #queue(jobs: { instanceId: string; startAfter: Date }[]): Promise<void> {
    // The stately policy turns a second waiting job of one instance into a no-op.
    await this.#boss.insert(
      HEALTH_QUEUE,
      jobs.map(({ instanceId, startAfter }) => ({ data: { instanceId }, singletonKey: instanceId, startAfter })),
    );
  }

  #nextInterval(pluginName: string): number {
    const jitter = this.#options.jitter ?? 0.1;
    return this.#intervalOf(pluginName) * (1 + (Math.random() * 2 - 1) * jitter);
  }

  #intervalOf(pluginName: string): number {
    return this.#options.plugins.get(pluginName)?.schema.healthIntervalMs ?? this.#options.intervalMs;
  }

  /** While the database is down every poll fails: one line per 10 s is enough. */
  #logError(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.#lastErrorLog < 10_000) return;
    this.#lastErrorLog = now;
    this.#options.logger.warn(message, { reason: errorMessage(error) });
  }
}

/** Every waiting check becomes due now (a sweep). */
async function makeAllDue(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE name = $1 AND state IN ('created', 'retry') AND start_after > now()`,
    HEALTH_QUEUE,
  );
}
