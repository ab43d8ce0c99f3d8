/**
 * The composition root: opens the database (migrating it), the secret store, discovers
 * plugins, wires the services, brings saved instances back, and serves the API and the
 * console on one port. Tests start it in-process on a free port; `main.ts` runs it for real.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase, type Database } from '../../prisma/database.ts';
import { readGenerationOf } from './read-cache.ts';
import { applyMigrations, readMigrations } from '../../prisma/migrate.ts';
import { CheckBudget } from '../access/check-budget.ts';
import { TokenService } from '../tokens/token-service.ts';
import { createEventBus, createInProcessBus, type EventBus } from '../cluster/event-bus.ts';
import { createPostgresEventTarget } from '../cluster/postgres-event-target.ts';
import { bindSecretStore } from '../secrets/binding.ts';
import { SecretFingerprints } from '../secrets/fingerprint.ts';
import { ConfigurationService } from '../instances/configuration-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Services } from '../graphql/context.ts';
import { createEgressGate } from '../egress/egress.ts';
import { HealthService } from '../health/health-service.ts';
import { ClusterHealthScheduler } from '../health/cluster-scheduler.ts';
import type { ScheduledHealthChecks } from '../health/scheduled-checks.ts';
import { HealthScheduler } from '../health/scheduler.ts';
import { TestingService } from '../health/testing-service.ts';
import { InstanceService } from '../instances/instance-service.ts';
import { DownloadLinks } from '../operations/download-links.ts';
import { OperationMetrics } from '../operations/metrics.ts';
import { OperationService } from '../operations/operation-service.ts';
import type { EgressGate, PluginContextSettings } from '../instances/plugin-context.ts';
import { createLogger, type Logger } from '../logger.ts';
import { discoverPlugins, type PluginRegistry } from '../registry/index.ts';
import { openSecretStore, type SecretStore } from '../secrets/index.ts';
import { HttpDrain } from './http-drain.ts';
import { handleOperations, isConsoleRoute, Readiness, sendNotFound } from './operations.ts';
import { withRequestId } from './request-id.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { createStaticHandler } from './static-console.ts';
import { createGraphQLServer } from './yoga.ts';
import { createApiRoutes } from './api-routes.ts';
import { REST_BASE_PATH, createRestServer } from './rest/rest-server.ts';

export interface StartOptions {
  config: ServerConfig;
  logger?: Logger;
  /** Where one-time announcements (a generated admin token) go; default stdout. */
  announce?: (text: string) => void;
  /** Replaces the configured secret store (tests inject failing stores). */
  secretStore?: SecretStore;
  /** Replaces the gate built from `config.egress` (tests inject a resolver). */
  egress?: EgressGate;
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services & { secrets: SecretStore; database: Database; scheduler: ScheduledHealthChecks; readiness: Readiness; bus: EventBus; metrics: OperationMetrics };
  /**
   * Graceful shutdown: /readyz turns 503, scheduled checks are handed back, requests in flight
   * finish (up to PLUGFORM_SHUTDOWN_GRACE), subscription streams end, then providers, the
   * secret store and the database close. Safe to call twice.
   */
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const log = (line: string) => logger.info(line);

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const prisma = database.prisma;
  const closers: Array<() => Promise<unknown>> = [() => database.close()];
  let closing: Promise<void> | undefined;
  const closeAll = () =>
    (closing ??= (async () => {
      for (const close of closers.reverse()) await close().catch((error: unknown) => logger.error('shutdown step failed', { error: String(error) }));
    })());
  try {
    logger.info(`database: ${database.kind} at ${database.location}`);
    await applyMigrations(database, { log });

    const secrets = options.secretStore ?? openSecretStore(config.secretStore, { dataDir: config.dataDir, log });
    await secrets.check();
    if (secrets.close) closers.push(() => secrets.close!());
    // A local store serves one replica: refuse a database another local store already serves.
    await bindSecretStore(prisma, secrets, config.replicaId);
    logger.info(`secrets: ${secrets.kind} store`);

    const bus = await openEventBus(database, config.databaseUrl, logger.child('cluster'));
    closers.push(() => bus.close());

    const registry: PluginRegistry = await discoverPlugins({
      builtinDir: config.builtinPluginsDir,
      localDir: config.localPluginsDir,
      extraPaths: config.extraPluginPaths,
      importTimeoutMs: config.pluginLoadTimeoutMs,
      logger: { info: log, warn: (line: string) => logger.warn(line) },
    });

    const egress = options.egress ?? createEgressGate(config.egress);
    if (!options.egress) closers.push(() => egress.close());
    const contextSettings: PluginContextSettings = { egress, fileRoots: config.localStorageRoots, maxResponseBytes: config.vendorResponseMaxBytes };
    const fingerprints = new SecretFingerprints(secrets, config.fingerprintKey);
    const instances = new InstanceService({
      prisma,
      secrets,
      fingerprints,
      plugins: registry,
      logger: logger.child('instances'),
      bus,
      replica: config.replicaId,
      limits: config.configurationLimits,
      contextSettings,
    });
    closers.push(() => instances.stopAll());
    bus.on('instance.changed', (change) => void instances.onChange(change));
    bus.onResync(() => void instances.revalidate().catch((error: unknown) => logger.warn('could not check cached providers', { reason: String(error) })));
    const health = new HealthService({
      prisma,
      providers: instances,
      bus,
      logger: logger.child('health'),
      historyLimit: config.healthHistoryLimit,
      timeoutMs: config.healthTimeoutMs,
    });
    const testing = new TestingService({ plugins: registry, instances, prisma, logger: logger.child('testing'), contextSettings });
    const tokens = new TokenService(prisma, logger.child('tokens'), {
      pluginTypes: (name) => registry.get(name)?.schema.type,
      cacheTtlMs: config.tokenCacheTtlMs,
    });
    // Every replica refuses the revoked token from its next request and ends its subscriptions
    // (server/app/subscriptions.ts); after a reconnection, missed announcements are assumed.
    tokens.revocations.on('revoked', (tokenId) => bus.publish('token.revoked', { tokenId }));
    bus.on('token.revoked', ({ tokenId }) => tokens.forget(tokenId));
    bus.onResync(() => tokens.forget());
    const metrics = new OperationMetrics({ processMetrics: true });
    const operations = new OperationService({
      prisma,
      instances,
      plugins: registry,
      logger: logger.child('operations'),
      metrics,
      links: new DownloadLinks({ key: config.signingKey ?? randomBytes(32), ttlMs: config.downloadUrlTtlMs }),
      timeoutMs: config.operationTimeoutMs,
      idempotencyTtlMs: config.idempotencyTtlMs,
    });
    await tokens.seedAdmin(config.adminToken, options.announce ?? ((text) => process.stdout.write(`${text}\n`)));
    await instances.migrateNewSecretFields();
    await instances.migrateStoredConfigurations();
    // Providers start on first use (a check, an operation): a start reads no secret, whatever the
    // number of instances. Only instances whose plugin is missing are reported at once.
    await instances.reportUnavailable();
    instances.pool.startIdleEviction(config.providerIdleMs);
    // Embedded PGlite is one process: it schedules its own checks. On PostgreSQL the replicas
    // share pg-boss's queue, so each check runs once in the cluster (server/health/README.md).
    const scheduler: ScheduledHealthChecks = config.databaseUrl
      ? new ClusterHealthScheduler({
          databaseUrl: config.databaseUrl,
          prisma,
          health,
          plugins: registry,
          logger: logger.child('health'),
          bus,
          intervalMs: config.healthIntervalMs,
          concurrency: config.healthConcurrency,
          checkTimeoutMs: config.healthTimeoutMs,
        })
      : new HealthScheduler({
          health,
          pool: instances.pool,
          instances: () => prisma.pluginInstance.findMany({ where: { enabled: true }, select: { id: true, pluginName: true } }),
          plugins: registry,
          logger: logger.child('health'),
          intervalMs: config.healthIntervalMs,
          concurrency: config.healthConcurrency,
        });
    closers.push(() => scheduler.stop(config.shutdownGraceMs));
    await scheduler.start();

    const readiness = new Readiness({
      prisma,
      secrets,
      expectedMigrations: (await readMigrations()).map((migration) => migration.name),
      timeoutMs: 2_000,
    });
    const checkBudget = new CheckBudget({ perRequest: config.limits.maxChecksPerRequest, perMinute: config.limits.maxChecksPerMinute });
    const configuration = new ConfigurationService({ prisma, instances, plugins: registry, fingerprints });
    const services = { prisma, registry, instances, configuration, health, testing, tokens, checkBudget, operations, metrics, publicUrl: config.publicUrl, logger, secrets, database, scheduler, readiness, bus };
    const stack = {
      services,
      anonymousIntrospection: config.anonymousIntrospection,
      production: config.environment === 'production',
      limits: config.limits,
      sessionCheckIntervalMs: config.sessionCheckIntervalMs,
      allowedOrigins: config.allowedOrigins,
    };
    // storeFile takes its file as a GraphQL multipart upload.
    const yoga = createGraphQLServer({ ...stack, graphiql: config.graphiql, multipart: true, readCache: config.readCache && { ...config.readCache, generation: readGenerationOf(database) },
    });
    const serveConsole = createStaticHandler(undefined, isConsoleRoute);
    // REST: the same stack (tokens, CSRF, limits) over its own schema.
    const restApi = createRestServer(stack);
    const serveApi = createApiRoutes({ operations, metrics, links: operations.links, metricsToken: config.metricsToken, logger: logger.child('api') });
    let drain: HttpDrain | undefined;
    const server: Server = createServer((req, res) => {
      drain?.track(req, res);
      withRequestId(req, res, () => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const graphql = path === '/graphql' || path.startsWith('/graphql/');
        const rest = path === REST_BASE_PATH || path.startsWith(`${REST_BASE_PATH}/`);
        const routes = serveApi.handles(path);
        setSecurityHeaders(req, res, { api: graphql || rest || routes, graphiql: graphql && config.graphiql });
        if (graphql) return yoga(req, res);
        if (routes) return serveApi.handle(req, res);
        if (rest) return restApi(req, res);
        if (handleOperations(req, res, path, readiness)) return;
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          if (!isConsoleRoute(path)) return sendNotFound(res);
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        return serveConsole(req, res).then(
          (served) => served || sendNotFound(res),
          () => res.writeHead(500).end(),
        );
      });
    });
    drain = new HttpDrain(server);
    server.listen(config.port, config.host);
    await once(server, 'listening');
    // Closed before the scheduler and the providers (closers run in reverse): the balancer is
    // told first (readiness), then the requests drain while checks are handed back.
    closers.push(async () => {
      readiness.markShuttingDown();
      await Promise.all([drain.close(config.shutdownGraceMs), scheduler.stop(config.shutdownGraceMs)]);
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    logger.info(`Plugform is listening on ${url} (console at /, GraphQL at /graphql)`);
    return { url, port, services, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * PostgreSQL: LISTEN/NOTIFY on a dedicated connection, so every replica on the database hears
 * every change without another server to run. Embedded PGlite is one process: in memory.
 */
async function openEventBus(database: Database, databaseUrl: string | undefined, logger: Logger): Promise<EventBus> {
  if (database.kind !== 'postgres' || !databaseUrl) return createInProcessBus();
  const target = createPostgresEventTarget({ connectionString: databaseUrl, logger });
  try {
    await target.ready();
  } catch (error) {
    await target.close();
    throw new Error(`Cannot listen for cluster events on PostgreSQL (DATABASE_URL): ${(error as Error).message}`, { cause: error });
  }
  logger.info('events: PostgreSQL LISTEN/NOTIFY');
  return createEventBus('postgres', target);
}
