/**
 * The embedded database on disk: what is written survives a close and reopen, the
 * configuration comes from the environment, and one data directory serves one process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseOptionsFromEnv, IN_MEMORY, openDatabase } from '../../../prisma/database.ts';
import { applyMigrations } from '../../../prisma/migrate.ts';

// PGlite's initdb and the wasm schema engine are CPU-bound; on a busy two-core machine they
// take several times their usual seconds.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'plugform-pglite-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('file-backed PGlite', () => {
  it('keeps rows across close and reopen, and does not migrate twice', async () => {
    const first = await openDatabase({ dataDir });
    expect(first).toMatchObject({ kind: 'pglite', location: join(dataDir, 'pglite') });
    const { applied } = await applyMigrations(first, { log: () => {} });
    expect(applied.length).toBeGreaterThan(0);
    const { id } = await first.prisma.pluginInstance.create({ data: { pluginName: 'slack', name: 'kept', config: { channel: '#ops' } } });
    await first.close();
    await first.close(); // closing twice is harmless

    const second = await openDatabase({ dataDir });
    try {
      expect(await applyMigrations(second, { log: () => {} })).toEqual({ applied: [], alreadyApplied: applied.length });
      expect(await second.prisma.pluginInstance.findUnique({ where: { id } })).toMatchObject({ name: 'kept', config: { channel: '#ops' } });
    } finally {
      await second.close();
    }
  });

  it('refuses a second open of the same data directory, saying why', async () => {
    const db = await openDatabase({ dataDir });
    try {
      await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by this process.*one process per data directory/s);
    } finally {
      await db.close();
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    // Pid 2^22+1 is above Linux's pid_max default of 2^22: no such process.
    await writeFile(join(dataDir, 'pglite.lock'), String(2 ** 22 + 1));
    const db = await openDatabase({ dataDir });
    await db.close();
  });
});

describe('databaseOptionsFromEnv', () => {
  it('uses DATABASE_URL when set, else PGlite under PLUGFORM_DATA_DIR (default ./data)', () => {
    expect(databaseOptionsFromEnv({})).toEqual({ databaseUrl: undefined, dataDir: resolve('data') });
    expect(databaseOptionsFromEnv({ PLUGFORM_DATA_DIR: '/var/lib/plugform', DATABASE_URL: '' })).toEqual({
      databaseUrl: undefined,
      dataDir: '/var/lib/plugform',
    });
    expect(databaseOptionsFromEnv({ PLUGFORM_DATA_DIR: IN_MEMORY, DATABASE_URL: 'postgresql://u:p@h/db' })).toEqual({
      databaseUrl: 'postgresql://u:p@h/db',
      dataDir: IN_MEMORY,
    });
  });
});

describe('openDatabase with an unreachable PostgreSQL', () => {
  it('fails at once, naming the server without its password', async () => {
    const error = await openDatabase({ databaseUrl: 'postgresql://plugform:s3cret@127.0.0.1:1/nowhere', dataDir: IN_MEMORY }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Cannot connect to PostgreSQL at postgresql:\/\/plugform:\*\*\*@127\.0\.0\.1:1\/nowhere \(DATABASE_URL\): /);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
