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
import { applyMigrations } from '../../prisma/migrate.ts';
import { CheckBudget } from '../access/check-budget.ts';
import { TokenService } from '../access/token-service.ts';
import type { ServerConfig } from '../config.ts';
import type { Services } from '../graphql/context.ts';
import { egressPolicyFromEnv } from '../health/egress.ts';
import { HealthService } from '../health/health-service.ts';
import { HealthScheduler } from '../health/scheduler.ts';
import { TestingService } from '../health/testing-service.ts';
import { InstanceService } from '../instances/instance-service.ts';
import { DownloadLinks } from '../operations/download-links.ts';
import { OperationMetrics } from '../operations/metrics.ts';
import { OperationService } from '../operations/operation-service.ts';
import type { EgressCheck } from '../instances/plugin-context.ts';
import { createLogger, type Logger } from '../logger.ts';
import { discoverPlugins, type PluginRegistry } from '../registry/index.ts';
import { createSecretStore, type SecretStore } from '../secrets/index.ts';
import { withRequestId } from './request-id.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { createStaticHandler } from './static-console.ts';
import { createGraphQLServer } from './yoga.ts';
import { createApiRoutes } from './api-routes.ts';
import { REST_BASE_PATH, createRestServer } from '../rest/rest-server.ts';

export interface StartOptions {
  config: ServerConfig;
  /** Environment for the secret store settings (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Where one-time announcements (a generated admin token) go; default stdout. */
  announce?: (text: string) => void;
  /** Replaces the configured secret store (tests inject failing stores). */
  secretStore?: SecretStore;
  egress?: EgressCheck;
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services & { secrets: SecretStore; database: Database; scheduler: HealthScheduler; metrics: OperationMetrics };
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const log = (line: string) => logger.info(line);

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const closers: Array<() => Promise<unknown>> = [() => database.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.error('shutdown step failed', { error: String(error) }));
  };
  try {
    logger.info(`database: ${database.kind} at ${database.location}`);
    await applyMigrations(database, { log });

    const secrets = options.secretStore ?? createSecretStore(options.env ?? process.env, { dataDir: config.dataDir, log });
    await secrets.check();
    if (secrets.close) closers.push(() => secrets.close!());
    logger.info(`secrets: ${secrets.kind} store`);

    const registry: PluginRegistry = await discoverPlugins({
      builtinDir: config.builtinPluginsDir,
      localDir: config.localPluginsDir,
      extraPaths: config.extraPluginPaths,
      importTimeoutMs: config.pluginLoadTimeoutMs,
      logger: { info: log, warn: (line: string) => logger.warn(line) },
    });

    const prisma = database.prisma;
    const egress = { egress: options.egress ?? egressPolicyFromEnv(options.env ?? process.env) };
    const instances = new InstanceService({ prisma, secrets, plugins: registry, logger: logger.child('instances'), ...egress });
    closers.push(() => instances.stopAll());
    const health = new HealthService({ prisma, pool: instances.pool, logger: logger.child('health'), historyLimit: config.healthHistoryLimit });
    const testing = new TestingService({ plugins: registry, instances, logger: logger.child('testing'), ...egress });
    const tokens = new TokenService(prisma, logger.child('tokens'), (name) => registry.get(name)?.schema.type);
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
    await instances.restoreAll();
    const scheduler = new HealthScheduler({
      health,
      pool: instances.pool,
      plugins: registry,
      logger: logger.child('health'),
      intervalMs: config.healthIntervalMs,
      concurrency: config.healthConcurrency,
    });
    scheduler.start();
    closers.push(async () => scheduler.stop());

    const checkBudget = new CheckBudget({ perRequest: config.limits.maxChecksPerRequest, perMinute: config.limits.maxChecksPerMinute });
    const services = { prisma, registry, instances, health, testing, tokens, checkBudget, operations, metrics, publicUrl: config.publicUrl, logger, secrets, database, scheduler };
    const stack = {
      services,
      anonymousIntrospection: config.anonymousIntrospection,
      production: config.environment === 'production',
      limits: config.limits,
      sessionCheckIntervalMs: config.sessionCheckIntervalMs,
      allowedOrigins: config.allowedOrigins,
    };
    // storeFile takes its file as a GraphQL multipart upload.
    const yoga = createGraphQLServer({ ...stack, graphiql: config.graphiql, multipart: true });
    const serveConsole = createStaticHandler();
    // REST: the same stack (tokens, CSRF, limits) over its own schema.
    const restApi = createRestServer(stack);
    const serveApi = createApiRoutes({ operations, metrics, links: operations.links, metricsToken: config.metricsToken, logger: logger.child('api') });
    const server: Server = createServer((req, res) =>
      withRequestId(req, res, () => {
        const path = (req.url ?? '/').split('?')[0];
        const graphql = path === '/graphql' || path?.startsWith('/graphql/') === true;
        const rest = path === REST_BASE_PATH || path?.startsWith(`${REST_BASE_PATH}/`) === true;
        const routes = serveApi.handles(path ?? '/');
        setSecurityHeaders(req, res, { api: graphql || rest || routes, graphiql: graphql && config.graphiql });
        if (graphql) return yoga(req, res);
        if (routes) return serveApi.handle(req, res);
        if (rest) return restApi(req, res);
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        return serveConsole(req, res).catch(() => res.writeHead(500).end());
      }),
    );
    server.listen(config.port, config.host);
    await once(server, 'listening');
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
    logger.info(`Plugform is listening on ${url} (console at /, GraphQL at /graphql)`);
    return { url, port, services, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
