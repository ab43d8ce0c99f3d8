/**
 * Scheduled health checks. Every live instance (enabled and running: disabled or deleted
 * instances have no live provider, so they drop out by themselves) is checked once per
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
  }

  /**
   * Checks every live instance once, now, with the scheduler's concurrency, and resolves
   * when all are done (bench/health-fanout measures one sweep).
   */
  async sweep(): Promise<number> {
    const ids = this.#options.pool.ids();
    await pLimit(this.#options.concurrency).map(ids, (id) => this.#checkOne(id));
    return ids.length;
  }

  #tick(): void {
    const now = Date.now();
    const live = new Set(this.#options.pool.ids());
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
      await this.#options.health.check(id);
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
    const pluginName = this.#options.pool.get(id)?.pluginName;
    const own = pluginName ? this.#options.plugins.get(pluginName)?.schema.healthIntervalMs : undefined;
    return own ?? this.#options.intervalMs;
  }
}
