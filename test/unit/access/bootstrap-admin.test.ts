/**
 * The first-start admin token when several replicas start at once: each replica has its own
 * connection pool to one PostgreSQL database, and all of them ask at the same moment.
 * Exactly one token is generated and announced; the same holds for registering
 * PLUGFORM_ADMIN_TOKEN (no duplicate-key failure at startup).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../prisma/migrate.ts';
import { openDatabase, type Database } from '../../../prisma/database.ts';
import { hashToken, TokenService } from '../../../server/tokens/token-service.ts';
import { silentLogger } from '../../../server/logger.ts';
import { freshDatabase, postgresGate, type TestDatabase } from '../db/support.ts';

const REPLICAS = 5;
const gate = await postgresGate();

describe.skipIf(!gate.available)('bootstrap admin token on PostgreSQL, replicas starting together', () => {
  let fresh: TestDatabase;
  let replicas: Database[];

  beforeAll(async () => {
    fresh = await freshDatabase('postgres');
    await applyMigrations(fresh.db, { log: () => undefined });
    replicas = await Promise.all(Array.from({ length: REPLICAS }, () => openDatabase({ databaseUrl: fresh.url!, dataDir: ':memory:' })));
  });

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((db) => db.close()));
    await fresh?.dispose();
  });

  it('generates and announces exactly one admin token', async () => {
    const announced: string[] = [];
    await Promise.all(replicas.map((db) => new TokenService(db.prisma, silentLogger).seedAdmin(undefined, (text) => announced.push(text))));

    expect(announced).toHaveLength(1);
    const rows = await fresh.db.prisma.apiToken.findMany({ where: { role: 'admin' } });
    expect(rows).toHaveLength(1);
    const token = /pf_\S+/.exec(announced[0]!)?.[0];
    expect(token && hashToken(token)).toBe(rows[0]!.hash);
  });

  it('registers PLUGFORM_ADMIN_TOKEN once, without failing any replica', async () => {
    const adminToken = 'pf_operator_chosen_admin_token';
    const results = await Promise.allSettled(
      replicas.map((db) => new TokenService(db.prisma, silentLogger).seedAdmin(adminToken, () => undefined)),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await fresh.db.prisma.apiToken.count({ where: { hash: hashToken(adminToken) } })).toBe(1);
  });
});
