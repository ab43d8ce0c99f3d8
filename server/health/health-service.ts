/**
 * Health checks of live instances, on demand and (through the scheduler) on an interval.
 * Each check asks the instance's live provider, records the result in the history (trimmed
 * to the configured length), updates the instance's current status, and announces a status
 * change to subscribers — on every replica, through the event bus. Never two checks of one
 * instance at once on a replica: a second caller joins the check already running.
 *
 * Results are written in batches: those that finish within a short window (20 ms) share one
 * statement (status updates, check rows and history trim in one), so a sweep of thousands of
 * instances costs a few hundred writes, not three per check. A check someone
 * waits for is written at once (with whatever else is waiting).
 *
 * The provider comes from this replica's cache (started on demand from the stored state). A
 * scheduled check whose provider is cached reads nothing (`checkScheduled`); a check asked for
 * reads the instance row first, so it always sees the stored version. A
 * replica that cannot start it records nothing: the failure is its own (logged, and in
 * `replicaProvider`), and the caller gets the reason as an error, so one replica's missing
 * secret or plugin never paints the shared history of a working instance red.
 *
 * A check someone asks for (`checkFor`) is audited: who, which instance, the status it found
 * (or the kind of error that stopped it); scheduled checks are the system's and are not.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pRetry from 'p-retry';
import { errorMessage, type HealthReport, type HealthStatus, type PluginHealthCheck } from '../../plugins/sdk/index.ts';
import { Prisma, type PrismaClient } from '../../prisma/generated/client/client.ts';
import { recordAuditOrLog, type Actor } from '../audit/audit-log.ts';
import { NotFoundError } from '../instances/errors.ts';
import { callPlugin } from '../instances/guarded-call.ts';
import type { EventBus, HealthChange } from '../cluster/event-bus.ts';
import type { ProviderSource } from '../instances/instance-service.ts';
import type { Logger } from '../logger.ts';
import { normalizeHealthReport, resultMessage } from './results.ts';

export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;

/** Recording a result retries 4 times, 0.1 s to 0.8 s apart (1.5 s in all), then logs an error. */
const DEFAULT_RECORD_RETRY = { retries: 4, minTimeoutMs: 100 } as const;
/** Scheduled results are collected this long before they are written together. */
const DEFAULT_BATCH_WINDOW_MS = 20;
/** At most this many results per write. */
const DEFAULT_BATCH_MAX = 200;
/** How long a start that `prepare` saw fail stands in for its check's own attempt. */
const PREPARE_FAILURE_MS = 30_000;

// The event's shape belongs to the bus that carries it (cluster sits below health).
export type { HealthChange };

export interface HealthServiceDeps {
  prisma: PrismaClient;
  providers: ProviderSource;
  logger: Logger;
  /** Announces status changes to every replica's subscribers. */
  bus?: EventBus;
  historyLimit: number;
  timeoutMs?: number;
  /** Retries of a failed recording of a result (attempts = retries + 1), the first delay doubling after each. */
  recordRetry?: { retries: number; minTimeoutMs: number };
  /** How long scheduled results are collected before one write of them all (default 20 ms). */
  batchWindowMs?: number;
  /** The most results one write carries (default 200). */
  batchMax?: number;
}

export class HealthService {
  /** Emits `change` with a `HealthChange` whenever an instance's status changes. */
  readonly events = new EventEmitter<{ change: [HealthChange] }>();
  readonly #deps: HealthServiceDeps;
  readonly #running = new Map<string, Promise<PluginHealthCheck | undefined>>();
  /** Results waiting for the next batched write. */
  readonly #pending: { result: PluginHealthCheck; resolve: () => void; urgent: boolean }[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing = false;
  /** Writes of scheduled results whose checks have already returned. */
  readonly #unwritten = new Set<Promise<void>>();
  /**
   * Starts `prepare` saw fail, by instance: its check reports that failure instead of trying
   * again a moment later (one attempt, one log line and one secret read per check, as without
   * `prepare`). Kept for the version it failed at, until its check or `PREPARE_FAILURE_MS`.
   */
  readonly #failedAhead = new Map<string, { version: number; error: unknown; until: number }>();

  constructor(deps: HealthServiceDeps) {
    this.#deps = deps;
    this.events.setMaxListeners(0);
  }

  check(instanceId: string): Promise<PluginHealthCheck> {
    const running = this.#running.get(instanceId);
    // A scheduled check that found the instance disabled or gone answers nothing: ask again.
    // One someone waits for also waits until the result is written (a scheduled one hands it
    // over before).
    if (running) return running.then(async (result) => (result ? (await this.drain(), result) : this.check(instanceId)));
    const check = this.#check(instanceId).finally(() => this.#running.delete(instanceId));
    this.#running.set(instanceId, check);
    return check;
  }

  /** A check asked for by `actor` (the API's "check now"), recorded in the audit trail. */
  async checkFor(instanceId: string, actor: Actor): Promise<PluginHealthCheck> {
    try {
      const result = await this.check(instanceId);
      await this.#audit(instanceId, actor, { outcome: 'ran', status: result.status });
      return result;
    } catch (error) {
      if (!(error instanceof NotFoundError)) await this.#audit(instanceId, actor, { outcome: 'failed', error: error instanceof Error ? error.name : 'Error' });
      throw error;
    }
  }

  async #audit(instanceId: string, actor: Actor, details: Record<string, string>): Promise<void> {
    const { prisma, logger } = this.#deps;
    // The check is reported to the caller whatever happens to its record (the log says so).
    const instance = await prisma.pluginInstance
      .findUnique({ where: { id: instanceId }, select: { id: true, pluginName: true, name: true } })
      .catch((error: unknown) => {
        logger.error('could not record a health check in the audit trail', { instanceId, reason: errorMessage(error) });
        return null;
      });
    // Deleted meanwhile (or unreadable): nothing left to name.
    if (!instance) return;
    await recordAuditOrLog(prisma, { actor, action: 'instance.check', instance, details: { name: instance.name, ...details } }, logger);
  }

  /**
   * A scheduled check: the cached provider when this replica has one (no read of the instance
   * row nor of its secrets: the cache is kept current by the change announcements), else the
   * row is read and the provider started. A disabled or deleted instance is skipped
   * (undefined), nothing recorded. Joins a check of the instance already running. Resolves
   * with the result before it is written (see `drain`), unless writes are falling behind.
   */
  checkScheduled(instanceId: string): Promise<PluginHealthCheck | undefined> {
    const running = this.#running.get(instanceId);
    if (running) return running;
    const check = this.#check(instanceId, true).finally(() => this.#running.delete(instanceId));
    this.#running.set(instanceId, check);
    return check;
  }

  /**
   * Starts, ahead of their checks, the providers of scheduled checks that wait for a slot: the
   * rows of those not cached are read in one query and their providers started (each reads its
   * secrets), so a sweep after a restart does not start them one by one inside the slots. A
   * provider that cannot start is reported by its check (which does not try again at the same
   * version); a disabled or deleted instance is skipped.
   */
  async prepare(instanceIds: readonly string[]): Promise<void> {
    const { prisma, providers, logger } = this.#deps;
    const now = Date.now();
    for (const [id, failure] of this.#failedAhead) if (failure.until <= now) this.#failedAhead.delete(id);
    const missing = instanceIds.filter((id) => !this.#running.has(id) && !providers.cached?.(id));
    if (missing.length === 0) return;
    try {
      const rows = await prisma.pluginInstance.findMany({ where: { id: { in: missing }, enabled: true } });
      await Promise.all(
        rows.map((row) =>
          providers.acquire(row).catch((error: unknown) => {
            this.#failedAhead.set(row.id, { version: row.version, error, until: Date.now() + PREPARE_FAILURE_MS });
          }),
        ),
      );
    } catch (error) {
      logger.debug('providers of claimed health checks not started ahead', { reason: errorMessage(error) });
    }
  }

  async #check(instanceId: string, scheduled: true): Promise<PluginHealthCheck | undefined>;
  async #check(instanceId: string, scheduled?: false): Promise<PluginHealthCheck>;
  async #check(instanceId: string, scheduled = false): Promise<PluginHealthCheck | undefined> {
    const { prisma, providers } = this.#deps;
    let live = scheduled ? providers.cached?.(instanceId) : undefined;
    let enabled = true;
    if (!live) {
      const instance = await prisma.pluginInstance.findUnique({ where: { id: instanceId } });
      if (!instance) {
        if (scheduled) return undefined;
        throw new NotFoundError('Plugin instance', instanceId);
      }
      if (scheduled && !instance.enabled) return undefined;
      enabled = instance.enabled;
      const failedAhead = scheduled ? this.#failedAhead.get(instanceId) : undefined;
      this.#failedAhead.delete(instanceId);
      if (failedAhead && failedAhead.version === instance.version && failedAhead.until > Date.now()) throw failedAhead.error;
      // Throws (recording nothing) when this replica cannot start the provider.
      live = await providers.acquire(instance);
    }
    const started = performance.now();
    let report: HealthReport;
    if (!enabled || !live) {
      report = { status: 'unknown', message: 'Instance is disabled; it is not checked' };
    } else if (!live.provider.healthCheck) {
      report = { status: 'unknown', message: 'This plugin has no health check' };
    } else {
      const provider = live.provider;
      try {
        const raw = await callPlugin(live.pluginName, 'healthCheck', this.#deps.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS, () =>
          provider.healthCheck!(),
        );
        report = normalizeHealthReport(raw, live.pluginName, live.secretValues);
      } catch (error) {
        report = { status: 'unhealthy', message: resultMessage(errorMessage(error), live.secretValues) };
      }
    }
    const result: PluginHealthCheck = {
      ...report,
      pluginInstanceId: instanceId,
      responseTimeMs: Math.round(performance.now() - started),
      timestamp: new Date().toISOString(),
    };
    const written = this.#record(result, !scheduled);
    // A scheduled check gives its slot back once it has its result: the write follows in the
    // next batch (`drain` waits for it). Only when writes fall behind does the check wait.
    if (!scheduled || this.#pending.length > (this.#deps.batchMax ?? DEFAULT_BATCH_MAX)) {
      await written;
    } else {
      this.#unwritten.add(written);
      void written.finally(() => this.#unwritten.delete(written));
    }
    return result;
  }

  /** Resolves once every result taken so far is written (or given up): before the database closes, and at the end of a sweep. */
  async drain(): Promise<void> {
    while (this.#unwritten.size > 0 || this.#pending.length > 0 || this.#flushing) {
      if (this.#unwritten.size > 0) await Promise.all(this.#unwritten);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Queues a result for the next batched write and resolves once it is written (or given up).
   * Results are collected for `batchWindowMs` (a check someone waits for: at once) and written
   * by one statement, whatever their number; one batch is written at a time, and what arrives
   * meanwhile forms the next one, written after its own window.
   */
  #record(result: PluginHealthCheck, urgent: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#pending.push({ result, resolve, urgent });
      this.#scheduleFlush(urgent);
    });
  }

  #scheduleFlush(urgent = false): void {
    if (this.#flushing) return;
    const max = this.#deps.batchMax ?? DEFAULT_BATCH_MAX;
    if (urgent || this.#pending.length >= max) {
      if (this.#flushTimer) clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
      void this.#flush();
      return;
    }
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush();
    }, this.#deps.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS);
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    const batch = this.#pending.splice(0, this.#deps.batchMax ?? DEFAULT_BATCH_MAX);
    try {
      if (batch.length > 0) await this.#writeBatch(batch.map((entry) => entry.result));
    } finally {
      this.#flushing = false;
      for (const entry of batch) entry.resolve();
      // What arrived meanwhile waits for its window too (unless someone waits for a result):
      // back-to-back batches would hold the database (PGlite has one connection) between
      // every query the API sends.
      if (this.#pending.length > 0) this.#scheduleFlush(this.#pending.some((entry) => entry.urgent));
    }
  }

  async #writeBatch(results: PluginHealthCheck[]): Promise<void> {
    const { logger } = this.#deps;
    const { retries, minTimeoutMs } = this.#deps.recordRetry ?? DEFAULT_RECORD_RETRY;
    let previous: Map<string, HealthStatus>;
    try {
      // A dropped connection, a failover or a full pool passes: the results are worth a retry.
      previous = await pRetry(() => this.#write(results), { retries, minTimeout: minTimeoutMs, factor: 2 });
    } catch (error) {
      for (const result of results) {
        logger.error('health result not recorded: the database kept failing', {
          instanceId: result.pluginInstanceId,
          status: result.status,
          attempts: retries + 1,
          reason: errorMessage(error),
        });
      }
      return;
    }
    for (const result of results) {
      const instanceId = result.pluginInstanceId;
      const before = previous.get(instanceId);
      if (before === undefined) {
        logger.debug('health result not recorded: the instance was deleted while it was checked', { instanceId });
        continue;
      }
      if (before === result.status) continue;
      const change: HealthChange = { instanceId, previous: before, current: result };
      this.events.emit('change', change);
      this.#deps.bus?.publish('health.changed', forNotify(change));
    }
  }

  /**
   * One statement, so one round trip whatever the batch (each round trip costs the database
   * and this process alike: Prisma, the driver, a socket write). Its data-modifying CTEs update
   * the instances' status (by each one's newest result in the batch, answering its previous
   * status), insert the check rows of the instances that still exist, and trim their
   * histories to the newest `historyLimit`.
   * They all see the table as it was before the statement, so the trim does not see the rows
   * it inserts: of an instance's older rows it keeps `historyLimit` minus the number added.
   * An instance deleted meanwhile is left out: absent from the answer. Built anew for each
   * attempt.
   */
  async #write(results: PluginHealthCheck[]): Promise<Map<string, HealthStatus>> {
    const { prisma, historyLimit } = this.#deps;
    const rows = Prisma.join(
      results.map(
        (r) =>
          Prisma.sql`(${randomUUID()}, ${r.pluginInstanceId}, ${r.status}::health_status, ${r.message}, ${r.details === undefined ? null : JSON.stringify(r.details)}::jsonb, ${r.responseTimeMs}::int, ${r.timestamp}::timestamptz AT TIME ZONE 'UTC')`,
      ),
    );
    const updated = await prisma.$queryRaw<{ id: string; previous: string }[]>`
      WITH v (id, instance_id, status, message, details, response_time_ms, checked_at) AS (VALUES ${rows}),
      updated AS (
        UPDATE plugin_instance p
           SET health_status = v.status,
               last_health_at = v.checked_at,
               health_since = CASE WHEN old.health_status = v.status THEN p.health_since ELSE v.checked_at END
          FROM (SELECT DISTINCT ON (instance_id) * FROM v ORDER BY instance_id, checked_at DESC) v, plugin_instance old
         WHERE p.id = v.instance_id AND old.id = v.instance_id
        RETURNING p.id, old.health_status AS previous),
      inserted AS (
        INSERT INTO health_check (id, instance_id, status, message, details, response_time_ms, checked_at)
        SELECT v.id, v.instance_id, v.status, v.message, v.details, v.response_time_ms, v.checked_at
          FROM v JOIN plugin_instance p ON p.id = v.instance_id),
      added AS (SELECT instance_id, count(*) AS n FROM v GROUP BY instance_id),
      trimmed AS (
        DELETE FROM health_check h USING (
          SELECT ranked.id FROM (
            SELECT id, instance_id, row_number() OVER (PARTITION BY instance_id ORDER BY checked_at DESC, id DESC) AS n
              FROM health_check WHERE instance_id IN (SELECT instance_id FROM added)) ranked
            JOIN added USING (instance_id)
           WHERE ranked.n > ${historyLimit} - added.n) old
         WHERE h.id = old.id)
      SELECT id, previous::text AS previous FROM updated`;
    return new Map(updated.map((row) => [row.id, row.previous as HealthStatus]));
  }
}

/**
 * A change as it crosses replicas: PostgreSQL's NOTIFY carries under 8 kB, so plugin details
 * over 4 kB and messages over 2,000 characters are cut (the recorded check keeps them whole).
 */
function forNotify(change: HealthChange): HealthChange {
  const { details, ...current } = change.current;
  const small = details !== undefined && JSON.stringify(details).length <= 4096;
  return {
    ...change,
    current: { ...current, message: current.message.slice(0, 2000), ...(small ? { details } : {}) },
  };
}
