/**
 * Scheduled health checks. Every enabled instance (read from the database every few seconds,
 * plus those this process just started: providers start on first use, so the pool alone does
 * not list them; disabled or deleted instances drop out) is checked once per
 * interval — the platform's, or the plugin's own `healthIntervalMs` — with jitter so
 * checks do not arrive in bursts, with at most `concurrency` checks at a time, and never
 * two checks of one instance at once.
 *
 * One process only: this is the scheduler of embedded PGlite. With PostgreSQL, replicas share
 * the job queue of cluster-scheduler.ts instead (same ScheduledHealthChecks interface).
 */
import pLimit from 'p-limit';
import type { ProviderPool } from '../instances/provider-pool.ts';
import type { Logger } from '../logger.ts';
import type { PluginLookup } from '../instances/instance-service.ts';
import type { HealthService } from './health-service.ts';
import type { ScheduledHealthChecks } from './scheduled-checks.ts';

export interface HealthSchedulerOptions {
  health: HealthService;
  pool: ProviderPool;
  /**
   * The enabled instances, from the database. Without it the scheduler checks the instances
   * with a live provider in `pool` only.
   */
  instances?: () => Promise<{ id: string; pluginName: string }[]>;
  /** How often `instances` is read again (default: the interval, 1 to 5 s). */
  refreshMs?: number;
  plugins: PluginLookup;
  logger: Logger;
  intervalMs: number;
  concurrency: number;
  /** ± this share of the interval is added at random to each next check (default 0.1). */
  jitter?: number;
  /** How often due checks are looked for (default: a tenth of the interval, 100 ms to 1 s). */
  tickMs?: number;
}

export class HealthScheduler implements ScheduledHealthChecks {
  readonly mode = 'process';
  readonly #options: HealthSchedulerOptions;
  readonly #nextDue = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  /** Due checks waiting for a slot, in the order they became due. */
  readonly #queue = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running = 0;
  /** The enabled instances last read (id → plugin name), and when. */
  #known = new Map<string, string>();
  #knownAt = -Infinity;
  #refreshing: Promise<void> | undefined;

  constructor(options: HealthSchedulerOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#timer) return;
    const { intervalMs } = this.#options;
    const tickMs = this.#options.tickMs ?? Math.min(1000, Math.max(100, Math.floor(intervalMs / 10)));
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
    this.#options.logger.info(`health checks every ${intervalMs / 1000} s, ${this.#options.concurrency} at a time`);
  }

  /** Stops scheduling; checks already running get up to `graceMs` to finish. */
  async stop(graceMs = 0): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#queue.clear();
    const deadline = Date.now() + graceMs;
    while (this.#inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // The results already taken are written before the database closes.
    await this.#options.health.drain();
  }

  /**
   * Checks every live instance once, now, with the scheduler's concurrency, and resolves
   * when all are done (bench/health-fanout measures one sweep).
   */
  async sweep(): Promise<number> {
    if (this.#options.instances) await this.#refresh();
    const ids = [...this.#live()];
    await pLimit(this.#options.concurrency).map(ids, (id) => this.#checkOne(id));
    await this.#options.health.drain();
    return ids.length;
  }

  /** The instances to check: the enabled ones last read, and every live provider of this process. */
  #live(): Set<string> {
    const live = new Set(this.#known.keys());
    for (const id of this.#options.pool.ids()) live.add(id);
    return live;
  }

  #refresh(): Promise<void> {
    const list = this.#options.instances;
    if (!list) return Promise.resolve();
    this.#refreshing ??= list()
      .then((rows) => {
        this.#known = new Map(rows.map((row) => [row.id, row.pluginName]));
        this.#knownAt = Date.now();
      })
      .catch((error: unknown) => this.#options.logger.debug('could not list the instances to check', { reason: String(error) }))
      .finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  #tick(): void {
    const now = Date.now();
    const refreshMs = this.#options.refreshMs ?? Math.min(5000, Math.max(1000, this.#options.intervalMs));
    if (this.#options.instances && now - this.#knownAt >= refreshMs) void this.#refresh();
    const live = this.#live();
    for (const id of this.#nextDue.keys()) if (!live.has(id)) this.#nextDue.delete(id);
    for (const id of live) {
      const due = this.#nextDue.get(id);
      if (due === undefined) {
        // A new instance: its first check lands somewhere in the first interval, spreading load.
        this.#nextDue.set(id, now + Math.random() * this.#intervalOf(id));
      } else if (due <= now && !this.#inFlight.has(id) && !this.#queue.has(id)) {
        this.#queue.add(id);
      }
    }
    this.#drain();
  }

  #drain(): void {
    for (const id of this.#queue) {
      if (this.#running >= this.#options.concurrency) break;
      this.#queue.delete(id);
      this.#running++;
      void this.#checkOne(id).finally(() => {
        this.#running--;
        this.#drain();
      });
    }
  }

  async #checkOne(id: string): Promise<void> {
    if (this.#inFlight.has(id)) return;
    this.#inFlight.add(id);
    try {
      await this.#options.health.checkScheduled(id);
    } catch (error) {
      // Deleted meanwhile, or the database is briefly unavailable: the next round tries again.
      this.#options.logger.debug('scheduled health check failed', { instanceId: id, reason: String(error) });
    } finally {
      this.#inFlight.delete(id);
      const jitter = this.#options.jitter ?? 0.1;
      const interval = this.#intervalOf(id);
      this.#nextDue.set(id, Date.now() + interval * (1 + (Math.random() * 2 - 1) * jitter));
    }
  }

  #intervalOf(id: string): number {
    const pluginName = this.#options.pool.get(id)?.pluginName ?? this.#known.get(id);
    const own = pluginName ? this.#options.plugins.get(pluginName)?.schema.healthIntervalMs : undefined;
    return own ?? this.#options.intervalMs;
  }
}
