/**
 * Prisma Client (generated, Prisma 7) over both driver adapters: PGlite and PostgreSQL.
 * Covers what the services rely on: Json, String[], relations and cascades, optimistic
 * concurrency, interactive and batch transactions, and unique violations as P2002.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Prisma, type PrismaClient } from '../../../prisma/database.ts';
import { applyMigrations } from '../../../prisma/migrate.ts';
import { freshDatabase, postgresGate, type Backend, type TestDatabase } from './support.ts';

// PGlite's initdb and the wasm schema engine are CPU-bound; on a busy two-core machine they
// take several times their usual seconds.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const postgres = await postgresGate();

describe.each<Backend>(['pglite', 'postgres'])('Prisma Client on %s', (backend) => {
  let fresh: TestDatabase;
  let prisma: PrismaClient;

  describe.skipIf(backend === 'postgres' && !postgres.available)('queries', () => {
    beforeAll(async () => {
      fresh = await freshDatabase(backend);
      await applyMigrations(fresh.db, { log: () => {} });
      prisma = fresh.db.prisma;
    });
    afterAll(async () => {
      await fresh?.dispose();
    });

    it('creates and reads an instance with JSON config and secret-key records', async () => {
      const config = { baseUrl: 'https://example.test', retries: 3, nested: { list: [1, 'two', null], flag: false } };
      const created = await prisma.pluginInstance.create({
        data: {
          pluginName: 'smtp-email',
          name: 'primary',
          status: 'active',
          config,
          secrets: { create: [{ key: 'password' }, { key: 'apiKey' }] },
        },
        include: { secrets: { orderBy: { key: 'asc' } } },
      });
      expect(created).toMatchObject({ pluginName: 'smtp-email', name: 'primary', enabled: true, version: 1, healthStatus: 'unknown', config });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.secrets.map((s) => s.key)).toEqual(['apiKey', 'password']);
      expect(created.secrets[0]!.updatedAt).toBeInstanceOf(Date);

      const found = await prisma.pluginInstance.findUnique({ where: { pluginName_name: { pluginName: 'smtp-email', name: 'primary' } } });
      expect(found?.config).toEqual(config);
      expect(await prisma.pluginInstance.findUnique({ where: { id: 'not-a-uuid' } })).toBeNull();
    });

    it('reports a duplicate (pluginName, name) as P2002', async () => {
      const error = await prisma.pluginInstance
        .create({ data: { pluginName: 'smtp-email', name: 'primary', config: {} } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect((error as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
      // Same name under another plugin is fine.
      await prisma.pluginInstance.create({ data: { pluginName: 'slack', name: 'primary', config: {} } });
    });

    it('detects a stale version: an update that names the old version changes nothing', async () => {
      const row = await prisma.pluginInstance.create({ data: { pluginName: 'slack', name: 'versioned', config: { a: 1 } } });
      const update = (version: number, config: Prisma.InputJsonValue) =>
        prisma.pluginInstance.updateMany({ where: { id: row.id, version }, data: { config, version: { increment: 1 } } });
      const [first, second] = await Promise.all([update(1, { a: 2 }), update(1, { a: 3 })]);
      expect([first.count, second.count].sort()).toEqual([0, 1]);
      const after = await prisma.pluginInstance.findUniqueOrThrow({ where: { id: row.id } });
      expect(after.version).toBe(2);
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(row.updatedAt.getTime());
    });

    it('rolls back an interactive transaction that throws, and commits one that returns', async () => {
      const failing = prisma.$transaction(async (tx) => {
        await tx.pluginInstance.create({ data: { pluginName: 'tx', name: 'rolled-back', config: {} } });
        throw new Error('secret store write failed');
      });
      await expect(failing).rejects.toThrow('secret store write failed');
      expect(await prisma.pluginInstance.count({ where: { pluginName: 'tx' } })).toBe(0);

      const id = await prisma.$transaction(async (tx) => {
        const created = await tx.pluginInstance.create({ data: { pluginName: 'tx', name: 'kept', config: {} } });
        await tx.auditEvent.create({ data: { instanceId: created.id, actor: 'test', action: 'instance.create' } });
        return created.id;
      });
      expect(await prisma.auditEvent.count({ where: { instanceId: id } })).toBe(1);
    });

    it('runs a batch transaction atomically', async () => {
      await expect(
        prisma.$transaction([
          prisma.pluginInstance.create({ data: { pluginName: 'batch', name: 'a', config: {} } }),
          prisma.pluginInstance.create({ data: { pluginName: 'batch', name: 'a', config: {} } }),
        ]),
      ).rejects.toMatchObject({ code: 'P2002' });
      expect(await prisma.pluginInstance.count({ where: { pluginName: 'batch' } })).toBe(0);
    });

    it('stores audit events with String[] changed keys, and they outlive their instance', async () => {
      const instance = await prisma.pluginInstance.create({
        data: { pluginName: 'audit', name: 'one', config: {}, secrets: { create: { key: 'token' } } },
      });
      await prisma.auditEvent.create({
        data: {
          instanceId: instance.id,
          pluginName: 'audit',
          actor: 'token:ci',
          action: 'instance.update',
          changedKeys: ['baseUrl', 'token'],
          details: { secretsChanged: ['token'] },
        },
      });
      await prisma.healthCheck.createMany({
        data: [0, 1, 2].map((i) => ({
          instanceId: instance.id,
          status: i === 2 ? 'unhealthy' : 'healthy',
          message: `check ${i}`,
          responseTimeMs: 10 + i,
          checkedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
        })),
      });
      const latest = await prisma.healthCheck.findFirst({ where: { instanceId: instance.id }, orderBy: { checkedAt: 'desc' } });
      expect(latest).toMatchObject({ message: 'check 2', status: 'unhealthy', details: null });

      await prisma.pluginInstance.delete({ where: { id: instance.id } });
      expect(await prisma.pluginInstanceSecret.count({ where: { instanceId: instance.id } })).toBe(0);
      expect(await prisma.healthCheck.count({ where: { instanceId: instance.id } })).toBe(0);
      const events = await prisma.auditEvent.findMany({ where: { instanceId: instance.id, changedKeys: { has: 'token' } } });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ changedKeys: ['baseUrl', 'token'], details: { secretsChanged: ['token'] }, actor: 'token:ci' });
      expect(events[0]!.at).toBeInstanceOf(Date);
    });

    it('stores API tokens by unique hash', async () => {
      const hash = 'a'.repeat(64);
      await prisma.apiToken.create({ data: { name: 'ci', prefix: 'pf_abc', hash, role: 'operator' } });
      await expect(prisma.apiToken.create({ data: { name: 'ci2', prefix: 'pf_abd', hash, role: 'viewer' } })).rejects.toMatchObject({ code: 'P2002' });
      expect(await prisma.apiToken.findUnique({ where: { hash } })).toMatchObject({ role: 'operator', revokedAt: null, lastUsedAt: null });
    });
  });
});
