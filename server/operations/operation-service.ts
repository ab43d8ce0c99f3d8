/**
 * Calling an instance's operations: the one path every call takes, whatever API it came in
 * through (GraphQL, REST, a download link):
 *   scope check → instance and plugin type → input check → idempotency claim → the live
 *   provider (InstanceService.providerFor) → the call, under a timeout (callPlugin) →
 *   result and errors redacted of the instance's secrets → call log row and metrics.
 * The provider's HTTP goes through the platform client it was created with (egress policy,
 * per-request timeouts), exactly as health checks and connection tests do.
 */
import { createHash } from 'node:crypto';
import { errorCode, errorMessage, redact, type PluginType, type StorageProvider, type StoredFile } from '../../plugins/sdk/index.ts';
import type { CallOutcome } from '../../prisma/generated/client/enums.ts';
import type { Prisma, PrismaClient } from '../../prisma/generated/client/client.ts';
import type { Principal } from '../access/roles.ts';
import { actorLabel, actorOf } from '../audit/audit-log.ts';
import { callPlugin, PluginCallError } from '../instances/guarded-call.ts';
import { NotFoundError, PluginUnavailableError, ValidationError } from '../instances/errors.ts';
import type { InstanceService } from '../instances/instance-service.ts';
import type { Logger } from '../logger.ts';
import type { CallContext, OperationSpec } from './catalog.ts';
import type { DownloadLinks, DownloadTarget } from './download-links.ts';
import { IdempotencyConflictError, OperationFailedError, OperationNotSupportedError } from './errors.ts';
import type { OperationMetrics } from './metrics.ts';
import { assertMayInvoke } from './scopes.ts';

export interface PluginTypeLookup {
  get(name: string): { schema: { name: string; type: PluginType } } | undefined;
}

export interface OperationServiceDeps {
  prisma: PrismaClient;
  instances: InstanceService;
  plugins: PluginTypeLookup;
  logger: Logger;
  metrics: OperationMetrics;
  links: DownloadLinks;
  /** Upper bound of one operation call, the vendor round trips included. */
  timeoutMs: number;
  /** How long an idempotency key's first result is kept and returned for repeats. */
  idempotencyTtlMs: number;
}

export interface InvokeOptions {
  idempotencyKey?: string | null | undefined;
  /** Where download links point (`https://plugform.example.com`). */
  baseUrl: string;
}

/** success · error (the vendor or plugin failed) · rejected (bad input, refused) · replayed (an idempotent repeat). */
export type { CallOutcome };

const MAX_IDEMPOTENCY_KEY = 255;

export class OperationService {
  readonly #deps: OperationServiceDeps;

  constructor(deps: OperationServiceDeps) {
    this.#deps = deps;
  }

  get links(): DownloadLinks {
    return this.#deps.links;
  }

  async invoke<O extends object>(spec: OperationSpec<unknown, O>, instanceId: string, rawInput: Record<string, unknown>, principal: Principal | null, options: InvokeOptions): Promise<O> {
    const started = performance.now();
    const caller = actorLabel(actorOf(principal));
    let pluginName = '';
    try {
      assertMayInvoke(principal, spec.name, instanceId);
      const row = await this.#deps.instances.get(instanceId);
      pluginName = row.pluginName;
      const plugin = this.#deps.plugins.get(row.pluginName);
      if (!plugin) throw new PluginUnavailableError(row.pluginName, 'no plugin with this name is loaded (see pluginLoadErrors)');
      if (plugin.schema.type !== spec.type) {
        throw new OperationNotSupportedError(spec.name, row.pluginName, `it is a ${plugin.schema.type} plugin; ${spec.name} is an operation of ${spec.type} plugins`);
      }
      const input = spec.validate(rawInput);
      const key = spec.sideEffect ? checkIdempotencyKey(options.idempotencyKey) : undefined;
      const claim = key === undefined || principal === null ? undefined : await this.#claim(principal, instanceId, spec.name, key, input);
      if (claim?.replay) {
        this.#record({ instanceId, pluginName, operation: spec.name, caller, outcome: 'replayed', started });
        return claim.replay as O;
      }
      try {
        const result = await this.#call(spec, instanceId, row.pluginName, input, {
          instanceId,
          idempotencyKey: claim?.vendorKey,
          signDownload: (id, fileKey) => {
            const link = this.#deps.links.sign({ instanceId: id, key: fileKey });
            return { url: `${options.baseUrl.replace(/\/$/, '')}${link.path}`, expiresAt: link.expiresAt };
          },
        });
        if (claim) await this.#complete(claim.id, result);
        this.#record({ instanceId, pluginName, operation: spec.name, caller, outcome: 'success', started });
        return result;
      } catch (error) {
        // A failed first call frees its key, so the caller can retry with it.
        if (claim) await this.#release(claim.id);
        throw error;
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        const failed = error instanceof OperationFailedError;
        this.#record({
          instanceId,
          pluginName,
          operation: spec.name,
          caller,
          outcome: failed ? 'error' : 'rejected',
          started,
          error: error instanceof Error ? error : new Error(String(error)),
          ...failureOf(error),
        });
      }
      throw error;
    }
  }

  /** A file behind a verified download link: the same path as an operation, recorded as `retrieveFile` by `download-link`. */
  async download(target: DownloadTarget): Promise<StoredFile> {
    const started = performance.now();
    let pluginName = '';
    const record = (outcome: CallOutcome, error?: Error) =>
      this.#record({ instanceId: target.instanceId, pluginName, operation: 'retrieveFile', caller: 'download-link', outcome, started, ...(error ? { error } : {}), ...failureOf(error) });
    try {
      const row = await this.#deps.instances.get(target.instanceId);
      pluginName = row.pluginName;
      const live = await this.#deps.instances.providerFor(target.instanceId);
      const provider = live.provider as Partial<StorageProvider>;
      if (typeof provider.retrieveFile !== 'function') throw new OperationNotSupportedError('retrieveFile', row.pluginName, 'it does not store files');
      const file = await this.#guarded('retrieveFile', row.pluginName, live.secretValues, [], () => provider.retrieveFile!(target.key));
      record('success');
      return file;
    } catch (error) {
      if (!(error instanceof NotFoundError)) record(error instanceof OperationFailedError ? 'error' : 'rejected', error as Error);
      throw error;
    }
  }

  async #call<I, O extends object>(spec: OperationSpec<I, O>, instanceId: string, pluginName: string, input: I, context: CallContext): Promise<O> {
    const live = await this.#deps.instances.providerFor(instanceId);
    if (spec.method && typeof (live.provider as unknown as Record<string, unknown>)[spec.method] !== 'function') {
      throw new OperationNotSupportedError(spec.name, pluginName, `the plugin does not implement ${spec.method}()`);
    }
    const sensitive = spec.sensitive?.(input) ?? [];
    // A vendor's error may quote what it was sent: failures never echo the caller's values.
    const echoes = [...sensitive, ...stringValuesOf(input)];
    const result = await this.#guarded(spec.name, pluginName, live.secretValues, echoes, () => spec.run(live.provider, input, context));
    // A plugin may echo its configuration into a result: never let a secret through.
    return redact(result, [...live.secretValues, ...sensitive]);
  }

  /** Runs a plugin call under the operation timeout; its failure becomes an OperationFailedError with secrets redacted. */
  async #guarded<T>(operation: string, pluginName: string, secrets: readonly string[], sensitive: readonly string[], call: () => Promise<T>): Promise<T> {
    try {
      return await callPlugin(pluginName, operation, this.#deps.timeoutMs, call);
    } catch (error) {
      const cause = error instanceof PluginCallError ? error.cause : error;
      const reason = error instanceof PluginCallError ? error.reason : 'threw';
      const message = redact(errorMessage(error), [...secrets, ...sensitive]);
      const vendor = cause as { status?: unknown; code?: unknown } | null | undefined;
      throw new OperationFailedError(operation, pluginName, `${pluginName}: ${operation} failed: ${message}`, {
        reason,
        vendorStatus: typeof vendor?.status === 'number' ? vendor.status : undefined,
        vendorCode: typeof vendor?.code === 'string' && !sensitive.includes(vendor.code) ? vendor.code : undefined,
      });
    }
  }

  // -------------------------------------------------------------------------------------
  // Idempotency: a row per (caller, instance, operation, key), claimed before the call

  async #claim(principal: Principal, instanceId: string, operation: string, key: string, input: unknown) {
    const id = sha256(`${principal.tokenId}\u0000${instanceId}\u0000${operation}\u0000${key}`);
    const inputHash = sha256(canonical(input));
    const prisma = this.#deps.prisma;
    const now = new Date();
    // Stale rows go first, so an expired key (and one whose first call's replica died) can be used again.
    await prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: now } } });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await prisma.idempotencyRecord.create({
          data: { id, instanceId, operation, inputHash, state: 'pending', expiresAt: new Date(now.getTime() + this.#deps.timeoutMs + 60_000) },
        });
        // The vendor sees a key that is unique per caller too (Stripe keys are per account).
        return { id, vendorKey: id, replay: undefined };
      } catch (error) {
        if (errorCode(error) !== 'P2002') throw error;
      }
      const existing = await prisma.idempotencyRecord.findUnique({ where: { id } });
      if (!existing) continue; // released meanwhile: claim again
      if (existing.inputHash !== inputHash || existing.instanceId !== instanceId || existing.operation !== operation) throw new IdempotencyConflictError(false);
      if (existing.state !== 'done') throw new IdempotencyConflictError(true);
      return { id, vendorKey: id, replay: existing.result as object };
    }
    throw new IdempotencyConflictError(true);
  }

  async #complete(id: string, result: object): Promise<void> {
    await this.#deps.prisma.idempotencyRecord.update({
      where: { id },
      data: { state: 'done', result: result as Prisma.InputJsonObject, expiresAt: new Date(Date.now() + this.#deps.idempotencyTtlMs) },
    });
  }

  async #release(id: string): Promise<void> {
    await this.#deps.prisma.idempotencyRecord.deleteMany({ where: { id, state: 'pending' } }).catch((error: unknown) =>
      this.#deps.logger.error('could not release an idempotency key after a failed call', { reason: errorMessage(error) }),
    );
  }

  // -------------------------------------------------------------------------------------
  // Call log and metrics

  #record(entry: {
    instanceId: string;
    pluginName: string;
    operation: string;
    caller: string;
    outcome: CallOutcome;
    started: number;
    error?: Error;
    vendorStatus?: number;
    timedOut?: boolean;
  }): void {
    const durationMs = Math.max(0, Math.round(performance.now() - entry.started));
    this.#deps.metrics.observe({ instanceId: entry.instanceId, pluginName: entry.pluginName, operation: entry.operation, outcome: entry.outcome, durationMs });
    // Error messages are already redacted, name fields not values (ValidationError), or are ours.
    const errorMessageText = entry.error ? (entry.error instanceof ValidationError ? entry.error.message : errorMessage(entry.error)).slice(0, 1000) : null;
    void this.#deps.prisma.operationCall
      .create({
        data: {
          instanceId: entry.instanceId,
          pluginName: entry.pluginName,
          operation: entry.operation,
          caller: entry.caller,
          outcome: entry.outcome,
          errorType: entry.error?.name ?? null,
          errorMessage: errorMessageText,
          vendorStatus: entry.vendorStatus ?? null,
          timedOut: entry.timedOut ?? false,
          durationMs,
        },
      })
      .catch((error: unknown) => this.#deps.logger.error('could not record an operation call', { reason: errorMessage(error) }));
    this.#deps.logger.info(`operation ${entry.operation}: ${entry.outcome}`, {
      instanceId: entry.instanceId,
      caller: entry.caller,
      durationMs,
      ...(entry.error ? { errorType: entry.error.name } : {}),
    });
  }

  /** Per-instance statistics over the last `hours` hours, for the console and dashboards. */
  async stats(instanceId: string, hours = 24): Promise<OperationStats> {
    const since = new Date(Date.now() - hours * 3_600_000);
    const prisma = this.#deps.prisma;
    const perHour = await prisma.$queryRaw<{ hour: Date; calls: number; errors: number }[]>`
      SELECT date_trunc('hour', at) AS hour, count(*)::int AS calls, (count(*) FILTER (WHERE outcome = 'error'))::int AS errors
      FROM operation_call WHERE instance_id = ${instanceId} AND at >= ${since}
      GROUP BY 1 ORDER BY 1`;
    const [totals] = await prisma.$queryRaw<{ calls: number; reached: number; errors: number; p95: number | null }[]>`
      SELECT count(*)::int AS calls,
             (count(*) FILTER (WHERE outcome IN ('success', 'error')))::int AS reached,
             (count(*) FILTER (WHERE outcome = 'error'))::int AS errors,
             (percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome IN ('success', 'error')))::float8 AS p95
      FROM operation_call WHERE instance_id = ${instanceId} AND at >= ${since}`;
    const lastFailures = await prisma.operationCall.findMany({
      where: { instanceId, outcome: { in: ['error', 'rejected'] } },
      orderBy: { at: 'desc' },
      take: 10,
    });
    const reached = totals?.reached ?? 0;
    return {
      windowHours: hours,
      calls: totals?.calls ?? 0,
      errors: totals?.errors ?? 0,
      errorRate: reached === 0 ? 0 : (totals?.errors ?? 0) / reached,
      p95LatencyMs: totals?.p95 === null || totals?.p95 === undefined ? null : Math.round(totals.p95),
      perHour: perHour.map((h) => ({ hour: new Date(h.hour), calls: h.calls, errors: h.errors })),
      lastFailures,
    };
  }
}

export interface OperationStats {
  windowHours: number;
  /** Every recorded call, refused and replayed ones included. */
  calls: number;
  /** Calls the plugin or vendor failed. */
  errors: number;
  /** errors / calls that reached the plugin (successes and errors). */
  errorRate: number;
  p95LatencyMs: number | null;
  perHour: { hour: Date; calls: number; errors: number }[];
  lastFailures: Awaited<ReturnType<PrismaClient['operationCall']['findMany']>>;
}

function checkIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new ValidationError([{ field: 'idempotencyKey', rule: 'maxLength', message: `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY} characters` }]);
  }
  return key;
}

/** What the call log keeps of a failure: the vendor's status and whether the call timed out. */
function failureOf(error: unknown): { vendorStatus?: number; timedOut?: boolean } {
  if (!(error instanceof OperationFailedError)) return {};
  return { ...(error.vendorStatus === undefined ? {} : { vendorStatus: error.vendorStatus }), ...(error.reason === 'timeout' ? { timedOut: true } : {}) };
}

/** The string values of an input worth redacting (short ones such as "EUR" would only blur the message). */
function stringValuesOf(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.length >= 6) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) stringValuesOf(item, found);
  } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const item of Object.values(value)) stringValuesOf(item, found);
  }
  return found;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys and byte arrays as their hash: equal inputs give equal text. */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify({ $bytes: createHash('sha256').update(value).digest('hex') });
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
