/**
 * Which paths the console answers and which get a 404, and what /readyz says when one of its
 * dependencies fails (the database cut off is in test/replicas/cluster.test.ts). The console's routes are read from web/src/App.tsx itself, so a route
 * added there and forgotten here fails this test instead of answering 404 after a reload.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, openDatabase, type Database } from '../../../prisma/database.ts';
import { applyMigrations, readMigrations } from '../../../prisma/migrate.ts';
import { isConsoleRoute, Readiness, sendNotFound } from '../../../server/app/operations.ts';
import { createStaticHandler } from '../../../server/app/static-console.ts';
import { VaultSecretStore } from '../../../server/secrets/index.ts';
import { startVaultDouble, type VaultDouble } from '../../support/vault-double.ts';

describe('console routes and 404s', () => {
  let root: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'plugform-console-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><html><body>console</body></html>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    const serve = createStaticHandler(root, isConsoleRoute);
    server = createServer((req, res) => void serve(req, res).then((served) => served || sendNotFound(res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  });

  it('knows every route of the console (web/src/App.tsx)', async () => {
    const app = await readFile(resolve(import.meta.dirname, '../../../web/src/App.tsx'), 'utf8');
    const routes = [...app.matchAll(/<Route\s+path="([^"]+)"/g)].map((m) => m[1]!).filter((path) => path !== '*');
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) expect(isConsoleRoute(route.replace(/:[a-z]+/gi, 'abc')), route).toBe(true);
  });

  it('serves the console for its routes and its files', async () => {
    for (const path of ['/', '/instances', '/instances/3f1c/edit', '/plugins', '/sign-in']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('console');
    }
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers 404 in JSON, without the console and without echoing the path, for anything else', async () => {
    for (const path of ['/health', '/healthz', '/api/v0/instances', '/wp-login.php', '/assets/missing.js', '/%zz', '/instancesX']) {
      const response = await fetch(`${base}${path}?token=pf_should_not_come_back`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await response.text();
      expect(text).not.toMatch(/<html|<body>console/i);
      expect(text).not.toContain('pf_should_not_come_back');
      expect(JSON.parse(text)).toMatchObject({ error: 'not_found' });
    }
  });
});

describe('readiness, against a real database and a real Vault double', () => {
  let db: Database;
  let vault: VaultDouble;
  let migrations: string[];
  const vaultStore = () => new VaultSecretStore({ addr: vault.url, auth: { method: 'token', token: vault.rootToken }, log: () => undefined });

  beforeAll(async () => {
    db = await openDatabase({ dataDir: IN_MEMORY });
    await applyMigrations(db, { log: () => undefined });
    migrations = (await readMigrations()).map((m) => m.name);
    vault = await startVaultDouble();
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await vault?.close();
  });

  it('is ready when the database, the secret store and the migrations are', async () => {
    const readiness = new Readiness({ prisma: db.prisma, secrets: vaultStore(), expectedMigrations: migrations, timeoutMs: 15_000 });
    expect(await readiness.report()).toEqual({ ready: true, checks: { database: 'ok', secretStore: 'ok', migrations: 'ok' } });
  });

  it('names a secret store that is sealed, and gives up on one that hangs', async () => {
    vault.seal();
    try {
      const sealed = await new Readiness({ prisma: db.prisma, secrets: vaultStore(), expectedMigrations: migrations, timeoutMs: 15_000 }).report();
      expect(sealed.ready).toBe(false);
      expect(sealed.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
      expect(sealed.checks.secretStore).toMatch(/^secret store: .*sealed/);
    } finally {
      vault.unseal();
    }
    vault.hang();
    try {
      const hung = await new Readiness({ prisma: db.prisma, secrets: vaultStore(), expectedMigrations: migrations, timeoutMs: 200 }).report();
      expect(hung.checks.secretStore).toBe('secret store: no answer within 200 ms');
    } finally {
      vault.hang(false);
    }
  });

  it('reports a migration this build ships that the database lacks', async () => {
    const readiness = new Readiness({
      prisma: db.prisma,
      secrets: vaultStore(),
      expectedMigrations: [...migrations, '20991231000000_next'],
      timeoutMs: 15_000,
    });
    const report = await readiness.report();
    expect(report.ready).toBe(false);
    expect(report.checks.migrations).toBe('migrations: not applied: 20991231000000_next');
  });

  it('is not ready once shutdown has begun', async () => {
    const readiness = new Readiness({ prisma: db.prisma, secrets: vaultStore(), expectedMigrations: migrations, timeoutMs: 15_000 });
    expect((await readiness.report()).ready).toBe(true);
    readiness.markShuttingDown();
    expect(await readiness.report()).toMatchObject({ ready: false, shuttingDown: true, checks: { database: 'ok' } });
  });
});
