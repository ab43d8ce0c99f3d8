/**
 * Health checks of live instances, on demand and (through the scheduler) on an interval.
 * Each check asks the instance's live provider, records the result in the history (trimmed
 * to the configured length), updates the instance's current status, and announces a status
 * change to subscribers. Never two checks of one instance at once: a second caller joins the
 * check already running.
 */
import { EventEmitter } from 'node:events';
import { errorMessage, type HealthReport, type HealthStatus, type PluginHealthCheck } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import { NotFoundError } from '../instances/errors.ts';
import { callPlugin } from '../instances/guarded-call.ts';
import type { ProviderPool } from '../instances/provider-pool.ts';
import type { Logger } from '../logger.ts';
import { normalizeHealthReport, resultMessage } from './results.ts';

export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;

export interface HealthChange {
  instanceId: string;
  previous: HealthStatus;
  current: PluginHealthCheck;
}

export interface HealthServiceDeps {
  prisma: PrismaClient;
  pool: ProviderPool;
  logger: Logger;
  historyLimit: number;
  timeoutMs?: number;
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

  async #check(instanceId: string): Promise<PluginHealthCheck> {
    const { prisma, pool } = this.#deps;
    const instance = await prisma.pluginInstance.findUnique({ where: { id: instanceId } });
    if (!instance) throw new NotFoundError('Plugin instance', instanceId);
    const started = performance.now();
    const live = pool.get(instanceId);
    let report: HealthReport;
    if (!instance.enabled) {
      report = { status: 'unknown', message: 'Instance is disabled; it is not checked' };
    } else if (!live) {
      report = { status: 'unhealthy', message: `Instance is not running${instance.statusMessage ? `: ${instance.statusMessage}` : ''}` };
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
    try {
      // One batched transaction (no round trips in between): it holds the embedded
      // database's single connection for as short as possible, so API queries are not
      // starved during a sweep. The trim keeps the newest `historyLimit` checks.
      await prisma.$transaction([
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
    } catch (error) {
      // The instance may have been deleted while it was being checked: nothing to record.
      this.#deps.logger.debug('health result not recorded', { instanceId, reason: errorMessage(error) });
      return;
    }
    if (changed) this.events.emit('change', { instanceId: result.pluginInstanceId, previous, current: result });
  }
}
