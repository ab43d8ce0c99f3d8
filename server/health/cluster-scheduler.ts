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
 *   due may be any replica. A replica that dies therefore holds only the checks it had claimed
 *   at that moment; its waiting ones are claimed by the others when due.
 * - A replica claims ahead of its free slots and runs every claimed check through one limiter
 *   of its concurrency, so a slot freed by any check is filled at once (`#claim`); the
 *   providers those checks need start while they wait (`HealthService.prepare`).
 * - A claimed job whose replica died expires after twice the health timeout plus a margin
 *   (pg-boss's supervisor fails it); a graceful stop hands back what it still holds.
 * - Every replica reconciles on a timer: an enabled instance with no waiting or running job
 *   (new, re-enabled, or whose job failed as above) gets one, due one interval after its last
 *   recorded check, or at a random point of the first interval when it was never checked.
 *   Disabled and deleted instances drop out: their job ends the chain.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { PgBoss, type Job } from 'pg-boss';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { errorMessage } from '../../plugins/sdk/index.ts';
import type { EventBus } from '../cluster/event-bus.ts';
import type { Logger } from '../logger.ts';
import type { PluginLookup } from '../instances/instance-service.ts';
import type { HealthService } from './health-service.ts';
import type { ScheduledHealthChecks } from './scheduled-checks.ts';

/** The queue's name and the schema pg-boss keeps its tables in (next to Plugform's). */
export const HEALTH_QUEUE = 'plugform-health-check';
export const QUEUE_SCHEMA = 'pgboss';

interface CheckJob {
  instanceId: string;
  /** Its interval comes from the plugin. Absent from jobs queued before it was added: those get the platform's interval once. */
  pluginName?: string;
}

interface QueuedCheck {
  instanceId: string;
  pluginName: string | undefined;
  startAfter: Date;
}

/**
 * How often a replica looks for due checks when none were left at its last look. A fetch that
 * finds nothing is one cheap indexed query. A sweep (every check due at once) does not wait for
 * it: it is announced on the bus (`health.due`), which wakes every replica.
 */
const IDLE_POLL_MS = 250;

/**
 * Checks done within this window are settled together (their next checks queued, their jobs
 * completed: two statements), so a sweep costs a statement pair per window, not per check or
 * two. A job completed this much later changes nothing: its slot was freed when its check ended.
 */
const SETTLE_WINDOW_MS = 50;

export interface ClusterHealthSchedulerOptions {
  databaseUrl: string;
  prisma: PrismaClient;
  health: HealthService;
  plugins: PluginLookup;
  logger: Logger;
  /** Announces checks made due now to every replica, and wakes this one when another does. */
  bus?: EventBus;
  intervalMs: number;
  /** Checks one replica runs at a time. */
  concurrency: number;
  /** A check's own timeout; a claimed job is given twice this plus a margin before it expires (`#expireInSeconds`). */
  checkTimeoutMs: number;
  /** ± this share of the interval is added at random to each next check (default 0.1). */
  jitter?: number;
  /** How often each replica reconciles (default: the interval, at most 10 s, at least 1 s). */
  reconcileMs?: number;
  /** How often an idle replica looks for due checks (default 250 ms). */
  idlePollMs?: number;
}

/** A job failed by a replica's graceful stop: the reconciler of another one queues it again. */
export const HANDED_BACK = 'handed back: the replica holding it stopped';

export class ClusterHealthScheduler implements ScheduledHealthChecks {
  readonly mode = 'cluster';
  readonly #options: ClusterHealthSchedulerOptions;
  readonly #boss: PgBoss;
  /**
   * Every claimed check goes through this one limiter: a slot freed by any check is taken at
   * once by the next claimed one, whichever fetch brought it.
   */
  readonly #slots: LimitFunction;
  /** Jobs claimed and not yet settled (completed or handed back), by job id. */
  readonly #held = new Map<string, Job<CheckJob>>();
  /** Claimed jobs waiting for a slot (a subset of `#held`), by id. */
  readonly #waiting = new Set<string>();
  /** Jobs whose check is running now (a subset of `#held`): when each ends. */
  readonly #running = new Map<string, Promise<void>>();
  /** Checks done, waiting for the next settle: their next check queued, their job completed. */
  readonly #done: { job: Job<CheckJob>; next?: QueuedCheck }[] = [];
  #settling: Promise<void> | undefined;
  #settleTimer: NodeJS.Timeout | undefined;
  #claiming: Promise<void> | undefined;
  /** Wakes the claim loop early: a sweep made checks due, or a stop began. */
  #wakeClaimer: (() => void) | undefined;
  /**
   * Set while the claim loop waits for claimed checks to get a slot: each one that does wakes
   * it. (Not while it waits for checks to come due: a fetch per started check would cost a
   * query per check.)
   */
  #wakeForRoom: (() => void) | undefined;
  #reconcileTimer: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;
  #lastErrorLog = 0;

  constructor(options: ClusterHealthSchedulerOptions) {
    this.#options = options;
    this.#slots = pLimit(options.concurrency);
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
    const { intervalMs, concurrency } = this.#options;
    await this.#boss.start();
    await this.#boss.createQueue(HEALTH_QUEUE, {
      policy: 'stately',
      // No retry: a failed or expired check is re-created by the reconciler, due at the right
      // time (a retry would also be a second waiting job next to the chained one).
      retryLimit: 0,
      expireInSeconds: this.#expireInSeconds(),
      // Finished checks are only bookkeeping: the result is in health_check.
      deleteAfterSeconds: 3600,
      retentionSeconds: Math.max(3600, Math.ceil((intervalMs / 1000) * 3)),
    });
    this.#started = true;
    this.#stopListening = this.#options.bus?.on('health.due', () => this.#wakeClaimer?.());
    this.#claiming = this.#claim();
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
      this.#stopListening?.();
      this.#wakeClaimer?.();
      await this.#claiming;
      // Claimed checks that have no slot yet are handed back at once; running ones get up to
      // graceMs to finish, and what is left is handed back too. Another replica's reconcile
      // queues them again, due by their last check (not after the claim's expiry).
      await this.#handBack([...this.#held.values()].filter((job) => this.#waiting.has(job.id)));
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.#running.values()),
        new Promise((resolve) => (graceTimer = setTimeout(resolve, Math.max(1000, graceMs)))),
      ]);
      clearTimeout(graceTimer);
      await this.#handBack([...this.#held.values()].filter((job) => this.#running.has(job.id)));
      // The checks that did finish are settled before the queue closes.
      if (this.#done.length > 0) this.#settleDone({ now: true });
      while (this.#settling) await this.#settling;
      await this.#boss.stop({ graceful: true, timeout: 1000, close: true }).catch((error: unknown) => {
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
    this.#wakeClaimer?.();
    this.#options.bus?.publish('health.due', { count: ids.length });
    for (;;) {
      const pending = await prisma.pluginInstance.count({
        where: { id: { in: ids }, OR: [{ lastHealthAt: null }, { lastHealthAt: { lt: started } }] },
      });
      if (pending === 0) return ids.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Claims due jobs ahead of the free slots: up to `concurrency` claimed checks wait for a slot,
   * and the next fetch starts when half of them have one, so a slot that frees up never waits
   * for a round trip to the queue. (At most `concurrency` waiting is what `#expireInSeconds`
   * counts on.) When nothing more is due it polls every `IDLE_POLL_MS`, or sooner when woken.
   */
  async #claim(): Promise<void> {
    const { concurrency } = this.#options;
    while (!this.#stopping) {
      const room = concurrency - this.#waiting.size;
      if (this.#waiting.size > concurrency / 2) {
        await this.#sleep(this.#idlePollMs, { forRoom: true });
        continue;
      }
      let jobs: Job<CheckJob>[] = [];
      try {
        jobs = await this.#boss.fetch<CheckJob>(HEALTH_QUEUE, { batchSize: room });
      } catch (error) {
        // The database may be briefly unreachable: the next poll tries again.
        this.#logError('scheduled health checks not claimed', error);
      }
      for (const job of jobs) {
        this.#held.set(job.id, job);
        this.#waiting.add(job.id);
        void this.#slots(() => this.#check(job));
      }
      // While they wait for a slot, the providers they need start (after a restart: all).
      if (jobs.length > 0) void this.#options.health.prepare(jobs.map((job) => job.data.instanceId));
      if (jobs.length < room) await this.#sleep(this.#idlePollMs, { forRoom: false });
    }
  }

  get #idlePollMs(): number {
    return this.#options.idlePollMs ?? IDLE_POLL_MS;
  }

  /** Waits `ms`, or less when woken (a sweep announced on the bus, a stop, and with `forRoom` a claimed check that got its slot). */
  #sleep(ms: number, { forRoom }: { forRoom: boolean }): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeClaimer = wake;
      this.#wakeForRoom = forRoom ? wake : undefined;
    });
  }

  /**
   * One claimed check, in a slot. A job handed back while it waited is not run. Nothing is
   * read first: a disabled or deleted instance's check answers nothing (`checkScheduled`), and
   * its chain ends here (enabling it again is picked up by a reconcile).
   */
  async #check(job: Job<CheckJob>): Promise<void> {
    if (!this.#waiting.delete(job.id)) return;
    if (this.#waiting.size <= this.#options.concurrency / 2) this.#wakeForRoom?.();
    const { health, logger } = this.#options;
    const { instanceId, pluginName } = job.data;
    let finished!: () => void;
    this.#running.set(job.id, new Promise<void>((resolve) => (finished = resolve)));
    // Which replica ran which check: the multi-replica test and the bench read this line.
    logger.debug('scheduled health check', { instanceId });
    let skipped = false;
    try {
      skipped = (await health.checkScheduled(instanceId)) === undefined;
    } catch (error) {
      // This replica could not start the provider: the chain goes on, the next check may work.
      logger.debug('scheduled health check failed', { instanceId, reason: errorMessage(error) });
    } finally {
      this.#running.delete(job.id);
      finished();
    }
    if (!this.#held.has(job.id)) return; // handed back meanwhile (a stop whose grace ran out)
    const next = skipped ? undefined : { instanceId, pluginName, startAfter: new Date(Date.now() + this.#nextInterval(pluginName)) };
    this.#done.push({ job, next });
    this.#settleDone();
  }

  /** Settles what is done after the window (at once when stopping), one settle at a time. */
  #settleDone({ now = false } = {}): void {
    if (this.#settling) return; // what is done meanwhile is settled after it
    if (now) clearTimeout(this.#settleTimer);
    else if (this.#settleTimer) return;
    const settle = () => {
      this.#settleTimer = undefined;
      this.#settling = this.#settle().finally(() => {
        this.#settling = undefined;
        if (this.#done.length > 0) this.#settleDone({ now: Boolean(this.#stopping) });
      });
    };
    if (now) settle();
    else this.#settleTimer = setTimeout(settle, SETTLE_WINDOW_MS);
  }

  /**
   * The checks done so far: their next checks queued (while their jobs are still active: the
   * stately policy allows one waiting next to one running), then their jobs completed, each in
   * one statement. One settle at a time, each after its window (`SETTLE_WINDOW_MS`); what
   * finishes meanwhile waits for the next, so under load a settle carries many checks. If the
   * queueing fails the reconciler queues them from their last check.
   */
  async #settle(): Promise<void> {
    const batch = this.#done.splice(0);
    const next = batch.flatMap((done) => (done.next ? [done.next] : []));
    if (next.length > 0) await this.#queue(next).catch((error: unknown) => this.#logError('next health checks not queued', error));
    await this.#boss
      .complete(HEALTH_QUEUE, batch.map(({ job }) => ({ id: job.id, retryCount: job.retryCount })))
      .catch((error: unknown) => this.#logError('health check jobs not completed (they expire)', error));
    for (const { job } of batch) this.#held.delete(job.id);
  }

  /** Fails `jobs` at once (a stopping replica), so the others' reconcile queues them again. */
  async #handBack(jobs: Job<CheckJob>[]): Promise<void> {
    if (jobs.length === 0) return;
    for (const job of jobs) {
      this.#held.delete(job.id);
      this.#waiting.delete(job.id); // never started when its slot comes
    }
    await this.#boss
      .fail(HEALTH_QUEUE, jobs.map((job) => ({ id: job.id, retryCount: job.retryCount })), { reason: HANDED_BACK })
      .catch((error: unknown) => this.#logError('health check jobs not handed back (they expire)', error));
  }

  /**
   * A claimed job may wait for a slot while the `concurrency` checks ahead of it run (each ends
   * within the check timeout, so it waits at most one), then runs its own check: two check
   * timeouts, plus a margin for starting the provider and settling the job. A replica that dies
   * gives its checks back after this.
   */
  #expireInSeconds(): number {
    return 2 * Math.ceil(this.#options.checkTimeoutMs / 1000) + 2;
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
          return { instanceId: row.id, pluginName: row.plugin_name, startAfter: new Date(due) };
        }),
      );
    } catch (error) {
      this.#logError('health queue reconcile failed', error);
    }
  }

  async #queue(jobs: QueuedCheck[]): Promise<void> {
    // The stately policy turns a second waiting job of one instance into a no-op. The expiry is
    // given with each job, so a queue created by an older version gets it too.
    const expireInSeconds = this.#expireInSeconds();
    await this.#boss.insert(
      HEALTH_QUEUE,
      jobs.map(({ instanceId, pluginName, startAfter }) => ({ data: { instanceId, pluginName }, singletonKey: instanceId, startAfter, expireInSeconds })),
    );
  }

  #nextInterval(pluginName: string | undefined): number {
    const jitter = this.#options.jitter ?? 0.1;
    return this.#intervalOf(pluginName) * (1 + (Math.random() * 2 - 1) * jitter);
  }

  #intervalOf(pluginName: string | undefined): number {
    const own = pluginName ? this.#options.plugins.get(pluginName)?.schema.healthIntervalMs : undefined;
    return own ?? this.#options.intervalMs;
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
