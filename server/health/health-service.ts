/**
 * Health checks of live instances, on demand and (through the scheduler) on an interval.
 * Each check asks the instance's live provider, records the result in the history (trimmed
 * to the configured length), updates the instance's current status, and announces a status
 * change to subscribers — on every replica, through the event bus. Never two checks of one
 * instance at once on a replica: a second caller joins the check already running.
 *
 * The provider comes from this replica's cache (started on demand from the stored state). A
 * replica that cannot start it records nothing: the failure is its own (logged, and in
 * `replicaProvider`), and the caller gets the reason as an error, so one replica's missing
 * secret or plugin never paints the shared history of a working instance red.
 *
 * A check someone asks for (`checkFor`) is audited: who, which instance, the status it found
 * (or the kind of error that stopped it); scheduled checks are the system's and are not.
 */
import { EventEmitter } from 'node:events';
import pRetry from 'p-retry';
import { errorCode, errorMessage, type HealthReport, type HealthStatus, type PluginHealthCheck } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { recordAuditOrLog, type Actor } from '../audit/audit-log.ts';
import { NotFoundError } from '../instances/errors.ts';
import { callPlugin } from '../instances/guarded-call.ts';
import type { EventBus } from '../cluster/event-bus.ts';
import type { ProviderSource } from '../instances/instance-service.ts';
import type { Logger } from '../logger.ts';
import { normalizeHealthReport, resultMessage } from './results.ts';

export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;

/** Recording a result retries 4 times, 0.1 s to 0.8 s apart (1.5 s in all), then logs an error. */
const DEFAULT_RECORD_RETRY = { retries: 4, minTimeoutMs: 100 } as const;

export interface HealthChange {
  instanceId: string;
  previous: HealthStatus;
  current: PluginHealthCheck;
}

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
}

export class HealthService {
  /** Emits `change` with a `HealthChange` whenever an instance's status changes. */
  readonly events = new EventEmitter<{ change: [HealthChange] }>();
  readonly #deps: HealthServiceDeps;
  readonly #running = new Map<string, Promise<PluginHealthCheck>>();

  constructor(deps: HealthServiceDeps) {
    this.#deps = deps;
    this.events.setMaxListeners(0);
  }

  check(instanceId: string): Promise<PluginHealthCheck> {
    const running = this.#running.get(instanceId);
    if (running) return running;
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

  async #check(instanceId: string): Promise<PluginHealthCheck> {
    const { prisma, providers } = this.#deps;
    const instance = await prisma.pluginInstance.findUnique({ where: { id: instanceId } });
    if (!instance) throw new NotFoundError('Plugin instance', instanceId);
    // Throws (recording nothing) when this replica cannot start the provider.
    const live = await providers.acquire(instance);
    const started = performance.now();
    let report: HealthReport;
    if (!instance.enabled || !live) {
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
    await this.#record(instance.healthStatus as HealthStatus, result);
    return result;
  }

  async #record(previous: HealthStatus, result: PluginHealthCheck): Promise<void> {
    const { prisma, historyLimit } = this.#deps;
    const checkedAt = new Date(result.timestamp);
    const changed = previous !== result.status;
    const instanceId = result.pluginInstanceId;
    // One batched transaction (no round trips in between): it holds the embedded database's
    // single connection for as short as possible, so API queries are not starved during a
    // sweep. The trim keeps the newest `historyLimit` checks. Built anew for each attempt.
    const write = () =>
      prisma.$transaction([
        prisma.healthCheck.create({
          data: {
            instanceId,
            status: result.status,
            message: result.message,
            ...(result.details ? { details: result.details as object } : {}),
            responseTimeMs: result.responseTimeMs,
            checkedAt,
          },
        }),
        prisma.pluginInstance.update({
          where: { id: instanceId },
          data: { healthStatus: result.status, lastHealthAt: checkedAt, ...(changed ? { healthSince: checkedAt } : {}) },
        }),
        prisma.$executeRaw`DELETE FROM health_check WHERE instance_id = ${instanceId} AND id NOT IN (
          SELECT id FROM health_check WHERE instance_id = ${instanceId} ORDER BY checked_at DESC, id DESC LIMIT ${historyLimit})`,
      ]);
    const { retries, minTimeoutMs } = this.#deps.recordRetry ?? DEFAULT_RECORD_RETRY;
    try {
      // A dropped connection, a failover or a full pool passes: the result is worth a retry.
      await pRetry(write, { retries, minTimeout: minTimeoutMs, factor: 2, shouldRetry: ({ error }) => !instanceGone(error) });
    } catch (error) {
      if (instanceGone(error)) {
        this.#deps.logger.debug('health result not recorded: the instance was deleted while it was checked', { instanceId });
      } else {
        this.#deps.logger.error('health result not recorded: the database kept failing', {
          instanceId,
          status: result.status,
          attempts: retries + 1,
          reason: errorMessage(error),
        });
      }
      return;
    }
    if (!changed) return;
    const change: HealthChange = { instanceId: result.pluginInstanceId, previous, current: result };
    this.events.emit('change', change);
    this.#deps.bus?.publish('health.changed', forNotify(change));
  }
}

/**
 * The recording failed because the instance is gone (deleted while it was checked): the new
 * row's foreign key (P2003) or the update (P2025) found no instance. Nothing to record, nor retry.
 */
function instanceGone(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'P2003' || code === 'P2025';
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
