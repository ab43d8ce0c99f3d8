/**
 * The fault run, reduced to its finding: the connection to PostgreSQL drops at the
 * moment a create commits. The server commits; the client never hears it. Before, the save
 * took that for a failure and deleted the instance's secrets, leaving a committed instance
 * without them (`ERROR "API Token is required"` after a restart) and a retry refused as a
 * duplicate. Now the save asks the database whether its commit landed, and finishes it.
 *
 * The fault is real: a TCP proxy between the service and PostgreSQL passes the COMMIT through
 * and then cuts the connection instead of delivering PostgreSQL's answer.
 */
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, openDatabase, type Database } from '../../../prisma/database.ts';
import { InstanceService } from '../../../server/instances/instance-service.ts';
import { LocalSecretStore } from '../../../server/secrets/index.ts';
import { captureLogger, lookup, openTestDatabase, postgresGate, probePlugin, tempDir, type TestDatabase } from '../../support/instances.ts';

const postgres = await postgresGate();

interface CommitCutter {
  url: string;
  /** Cut the next connection that sends a COMMIT, right after PostgreSQL received it. */
  arm(): void;
  readonly cuts: number;
  close(): Promise<void>;
}

async function commitCutter(databaseUrl: string): Promise<CommitCutter> {
  const target = new URL(databaseUrl);
  let armed = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    sockets.add(client).add(upstream);
    let cutting = false;
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      // A simple-protocol Query message ('Q') whose text is COMMIT.
      if (armed && chunk[0] === 0x51 && chunk.includes('COMMIT')) {
        armed = false;
        cutting = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutting) {
        // PostgreSQL answered the COMMIT (so it committed): the answer never arrives.
        cuts++;
        drop();
        return;
      }
      client.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    arm: () => void (armed = true),
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!postgres.available)('a create whose COMMIT answer is lost on a real PostgreSQL connection', () => {
  let testDb: TestDatabase;
  let cutter: CommitCutter;
  let db: Database;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    cutter = await commitCutter(testDb.url!);
    db = await openDatabase({ databaseUrl: cutter.url, dataDir: IN_MEMORY });
  });
  afterAll(async () => {
    await db?.close();
    await cutter?.close();
    await testDb?.dispose();
  });

  it('is finished: the client gets the instance, its secrets stay, and it starts after a restart', async () => {
    const dir = await tempDir();
    try {
      const store = new LocalSecretStore({ dataDir: dir.dir });
      const probe = probePlugin('probe');
      const { logger } = captureLogger();
      const service = new InstanceService({ prisma: db.prisma, secrets: store, plugins: lookup(probe.plugin), logger });
      cutter.arm();
      const created = await service.create(
        { pluginName: 'probe', name: 'landed', configuration: { host: 'a.example.com', apiKey: 'key-1' }, clientMutationId: 'c-1' },
        'token:ci',
      );
      expect(cutter.cuts).toBe(1);
      expect(created).toMatchObject({ name: 'landed', version: 1 });
      expect((await store.read(created.id)).values).toEqual({ apiKey: 'key-1' });
      expect(await testDb.db.prisma.pluginInstance.count()).toBe(1);
      await service.stopAll();

      // "After a restart": a fresh service over the direct connection starts it with its secret,
      // and the client's retry returns it instead of a duplicate-name refusal.
      const restarted = new InstanceService({ prisma: testDb.db.prisma, secrets: store, plugins: lookup(probePlugin('probe').plugin), logger });
      expect(await restarted.acquire(await restarted.get(created.id))).toMatchObject({ version: 1 });
      const retried = await restarted.create(
        { pluginName: 'probe', name: 'landed', configuration: { host: 'a.example.com', apiKey: 'key-1' }, clientMutationId: 'c-1' },
        'token:ci',
      );
      expect(retried.id).toBe(created.id);
      await restarted.stopAll();
      await store.close();
    } finally {
      await dir.cleanup();
    }
  });
});
