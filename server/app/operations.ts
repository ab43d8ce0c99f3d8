/**
 * What a load balancer and an orchestrator ask of a replica, and what the server answers to a
 * path that is neither the API nor the console:
 *
 * - `GET /livez`: the process is up and its event loop answers (200). Nothing else is
 *   checked, so a database outage never gets every replica restarted at once.
 * - `GET /readyz`: 200 when this replica can serve: the database answers, the secret store
 *   answers, every migration this build ships is applied. Otherwise 503 naming what is wrong.
 *   Also 503 once shutdown has begun, so the balancer stops sending before the drain.
 * - Anything else that is not a console route or a console file: 404, as JSON (the console's
 *   HTML answers only its own routes, so `/health`, `/api/…` or a typo never look like 200).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../plugins/sdk/index.ts';
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { SecretStore } from '../secrets/index.ts';
import { withTimeout } from '../timeout.ts';

export type ReadinessCheckName = 'database' | 'secretStore' | 'migrations';

export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or why not (never a credential: store and database errors name hosts, not secrets). */
  checks: Record<ReadinessCheckName, string>;
  /** Set while the replica is shutting down. */
  shuttingDown?: true;
}

export interface ReadinessOptions {
  prisma: PrismaClient;
  secrets: Pick<SecretStore, 'check'>;
  /** The migrations this build ships (prisma/migrations), by name. */
  expectedMigrations: string[];
  /** Each check's own time limit (a hung database must not hang the probe). */
  timeoutMs: number;
  /** A report younger than this is reused, so a burst of probes costs one round of checks. */
  cacheMs?: number;
}

export class Readiness {
  readonly #options: ReadinessOptions;
  #shuttingDown = false;
  #cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  constructor(options: ReadinessOptions) {
    this.#options = options;
  }

  /** From now on the replica reports not ready (the balancer drains it). */
  markShuttingDown(): void {
    this.#shuttingDown = true;
    this.#cached = undefined; // a report from before must not say "ready" any more
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (this.#cached && now - this.#cached.at < (this.#options.cacheMs ?? 1000)) return this.#cached.report;
    const report = this.#check();
    this.#cached = { at: now, report };
    return report;
  }

  async #check(): Promise<ReadinessReport> {
    const { prisma, secrets, expectedMigrations } = this.#options;
    const [database, secretStore, migrations] = await Promise.all([
      this.#probe('database', async () => {
        await prisma.$queryRawUnsafe('SELECT 1');
      }),
      this.#probe('secret store', () => secrets.check()),
      this.#probe('migrations', async () => {
        const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
        );
        const applied = new Set(rows.map((row) => row.migration_name));
        const pending = expectedMigrations.filter((name) => !applied.has(name));
        if (pending.length > 0) throw new Error(`not applied: ${pending.join(', ')}`);
      }),
    ]);
    const checks = { database, secretStore, migrations };
    const ready = !this.#shuttingDown && Object.values(checks).every((result) => result === 'ok');
    return { ready, checks, ...(this.#shuttingDown ? { shuttingDown: true as const } : {}) };
  }

  async #probe(what: string, run: () => Promise<void>): Promise<string> {
    const ms = this.#options.timeoutMs;
    try {
      await withTimeout(run(), ms, () => new Error(`no answer within ${ms} ms`));
      return 'ok';
    } catch (error) {
      // The first line is the cause; Prisma appends the query and a stack-like trail after it.
      const reason = errorMessage(error).split('\n').find((line) => line.trim() !== '') ?? 'failed';
      return `${what}: ${reason.trim().slice(0, 300)}`;
    }
  }
}

/** Answers /livez and /readyz; returns false for any other path. */
export function handleOperations(req: IncomingMessage, res: ServerResponse, path: string, readiness: Readiness): boolean {
  if (path !== '/livez' && path !== '/readyz') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${path} answers GET and HEAD` }, { allow: 'GET, HEAD' });
    return true;
  }
  if (path === '/livez') {
    sendJson(res, 200, { status: 'live' });
    return true;
  }
  void readiness.report().then(
    (report) => sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report }),
    () => sendJson(res, 503, { status: 'not ready' }),
  );
  return true;
}

/**
 * The console's client-side routes (web/src/App.tsx): these get index.html. Files of the built
 * console are served by the static handler before this is asked.
 */
const CONSOLE_ROUTES: RegExp[] = [/^\/$/, /^\/sign-in\/?$/, /^\/demo(\/.*)?$/, /^\/instances(\/.*)?$/, /^\/plugins(\/.*)?$/, /^\/settings(\/.*)?$/];

export function isConsoleRoute(path: string): boolean {
  return CONSOLE_ROUTES.some((route) => route.test(path));
}

/** The 404 of every path that is neither the API, an operations endpoint nor the console. */
export function sendNotFound(res: ServerResponse): void {
  // The path is not echoed: it is the client's input (and may carry a token in a query).
  sendJson(res, 404, {
    error: 'not_found',
    message: 'No such endpoint. The API is POST /graphql; /livez and /readyz report the replica; the console is at /.',
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
