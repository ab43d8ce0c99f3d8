/**
 * Proof that secrets stay secret. Instances are created, updated (replaced, masked, refused),
 * tested, health-checked, restored, disabled and deleted with canary secret values, by a
 * plugin that does everything wrong: it logs its configuration, echoes it in test and health
 * messages and details, puts it in the errors it throws, and validates a secret with a rule
 * that quotes the value. Then the canaries are searched for, in clear and in every encoding
 * they could be written in, in: every row of every table, the raw files of the embedded
 * database, the local secret store's files, every captured log line, and every object
 * returned and every error thrown. Positive controls prove each search can find a plain value.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '../../../plugins/sdk/index.ts';
import { HealthService } from '../../../server/health/health-service.ts';
import { TestingService } from '../../../server/health/testing-service.ts';
import { ConfigureError, ValidationError } from '../../../server/instances/errors.ts';
import { REDACTED } from '../../../plugins/sdk/index.ts';
import { SECRET_MASK } from '../../../server/instances/secret-values.ts';
import {
  allRows,
  canary,
  createService,
  deepText,
  factoryOf,
  filesContaining,
  lookup,
  openTestDatabase,
  postgresGate,
  probePlugin,
  readAllFiles,
  storedSecretFiles,
  tempDir,
  type ProbeProvider,
  type ServiceFixture,
  type TestDatabase,
} from '../../support/instances.ts';

const postgres = await postgresGate();

/** Every form a value could take on its way out: clear, JSON-escaped (once or twice), percent-encoded, base64, hex. */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const escaped = JSON.stringify(value).slice(1, -1);
  return [
    ...new Set([
      value,
      escaped,
      JSON.stringify(escaped).slice(1, -1),
      encodeURIComponent(value),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      bytes.toString('hex'),
    ]),
  ];
}

/** A plugin whose custom rule on a secret quotes the rejected value in its message. */
const strict = factoryOf(
  definePlugin({
    name: 'strict',
    type: 'INTEGRATION',
    version: '1.0.0',
    fields: [
      { key: 'host', label: 'Host', type: 'STRING', required: true },
      {
        key: 'token',
        label: 'Token',
        type: 'SECRET',
        required: true,
        validationRules: [{ type: 'custom', validate: (value) => String(value).startsWith('ok-') || `token "${String(value)}" is not allowed` }],
      },
    ],
    createProvider: () => ({ async executeAction() { return {}; } }),
  }),
);

for (const backend of ['pglite', 'postgres'] as const) {
  describe.skipIf(backend === 'postgres' && !postgres.available)(`the canary proof on ${backend}`, () => {
    const K1 = canary(); // apiKey at create
    const K2 = canary(); // apiKey replaced by an update
    const K3 = canary(); // apiKey of unsaved tests and of a test override
    const K4 = canary(); // apiKey of the instance that is deleted
    const K5 = canary(); // apiKey of saves that createProvider() refuses
    const K6 = canary(); // a secret that a custom rule rejects
    const PW = `pw"\\'<${canary()}>`; // a password with characters JSON escapes
    const CANARIES = [K1, K2, K3, K4, K5, K6, PW];
    const MARKER = `marker-${randomBytes(6).toString('hex')}`; // a plain value: the positive control

    let dataDir: { dir: string; cleanup: () => Promise<void> };
    let testDb: TestDatabase | undefined;
    let fx: ServiceFixture;
    const outputs: unknown[] = [];
    let survivorId = '';
    let deletedId = '';

    /** Records what a call returned or threw. */
    async function record<T>(call: Promise<T>): Promise<T | Error> {
      try {
        const value = await call;
        outputs.push(value);
        return value;
      } catch (error) {
        outputs.push(error);
        return error as Error;
      }
    }

    function leaksIn(text: string): string[] {
      return CANARIES.flatMap((secret) => encodings(secret).filter((form) => text.includes(form)));
    }

    beforeAll(async () => {
      dataDir = await tempDir('plugform-canary-');
      testDb = await openTestDatabase(backend === 'pglite' ? { dataDir: dataDir.dir } : 'postgres');
      const probe = probePlugin('probe');
      let explode = false;
      probe.hooks.configure = (config, provider) => {
        provider.context.logger.info(`configuring with ${JSON.stringify(config)}`, { config });
        provider.context.logger.warn(`apiKey is ${String(config['apiKey'])}`, { apiKey: config['apiKey'], password: config['password'] });
        if (explode || config['region'] === 'explode') {
          throw new Error(`cannot log in with ${String(config['apiKey'])}:${String(config['password'])}`);
        }
      };
      probe.hooks.healthCheck = (provider: ProbeProvider) => {
        const config = provider.configs.at(-1)!;
        provider.context.logger.error('health', { config });
        if (config['region'] === 'sick') throw new Error(`health failed for ${String(config['apiKey'])}`);
        return { status: 'degraded', message: `using ${String(config['apiKey'])}`, details: { config, [String(config['apiKey'])]: 'as a key' } };
      };
      probe.hooks.testConnection = (config, provider) => {
        provider.context.logger.error(`testing with ${String(config['apiKey'])}`, { config });
        if (config['region'] === 'throw') throw new Error(`auth failed for ${String(config['apiKey'])}:${String(config['password'])}`);
        return { success: false, message: `rejected ${String(config['apiKey'])} ${String(config['password'])}`, details: { config } };
      };
      const plugins = lookup(probe.plugin, strict);
      fx = createService({ prisma: testDb.db.prisma, storeDir: dataDir.dir, plugins });
      const health = new HealthService({ prisma: testDb.db.prisma, providers: fx.service, logger: fx.logger, historyLimit: 20 });
      health.events.on('change', (change) => outputs.push(change));
      const testing = new TestingService({ plugins, instances: fx.service, prisma: testDb.db.prisma, logger: fx.logger });
      const actor = 'token:canary';

      // Create.
      const a = await record(fx.service.create({ pluginName: 'probe', name: 'survivor', configuration: { host: MARKER, apiKey: K1, password: PW } }, actor));
      if (a instanceof Error) throw a;
      survivorId = a.id;
      const b = await record(fx.service.create({ pluginName: 'probe', name: 'doomed', configuration: { host: `${MARKER}-b`, apiKey: K4, region: 'sick' } }, actor));
      if (b instanceof Error) throw b;
      deletedId = b.id;
      expect(await record(fx.service.create({ pluginName: 'probe', name: 'refused', configuration: { host: 'h', apiKey: K5, region: 'explode' } }, actor))).toBeInstanceOf(ConfigureError);
      expect(await record(fx.service.create({ pluginName: 'strict', name: 'strict', configuration: { host: 'h', token: K6 } }, actor))).toBeInstanceOf(ValidationError);

      // Update: replace, keep by mask, refused by configure, rejected by validation.
      await record(fx.service.update(a.id, { version: 1, configuration: { apiKey: K2, region: 'eu' } }, actor));
      await record(fx.service.update(a.id, { version: 2, configuration: { apiKey: SECRET_MASK, password: SECRET_MASK, port: 8443 } }, actor));
      expect(await record(fx.service.update(a.id, { version: 3, configuration: { apiKey: K5, region: 'explode' } }, actor))).toBeInstanceOf(ConfigureError);
      expect(await record(fx.service.update(a.id, { version: 3, configuration: { apiKey: K5, port: 0 } }, actor))).toBeInstanceOf(ValidationError);

      // Test: unsaved, saved, saved with an override, a test that throws.
      await record(testing.testUnsaved('probe', { host: 'h', apiKey: K3, password: PW }));
      await record(testing.testSaved(a.id));
      await record(testing.testSaved(a.id, { apiKey: K3 }));
      await record(testing.testSaved(a.id, { region: 'throw' }));
      expect(await record(testing.testUnsaved('probe', { host: 'h', apiKey: K3, port: 'x' }))).toBeInstanceOf(ValidationError);

      // Health: a result echoing the config, a check that throws with the secret.
      await record(health.check(a.id));
      await record(health.check(b.id));

      // A restart where createProvider() throws with the secrets (the reason is stored), then a good one.
      explode = true;
      await record(fx.service.warmUp());
      outputs.push(await fx.service.get(a.id));
      explode = false;
      await record(fx.service.warmUp());

      // Disable, enable, delete.
      await record(fx.service.setEnabled(a.id, false, actor));
      await record(fx.service.setEnabled(a.id, true, actor));
      await record(fx.service.delete(b.id, actor));
      outputs.push(await fx.service.get(a.id));
    });

    afterAll(async () => {
      await fx?.service.stopAll();
      await testDb?.dispose();
      await dataDir?.cleanup();
    });

    it('the secrets are stored, and only in the secret store (positive control)', async () => {
      expect(await fx.store.read(survivorId)).toMatchObject({ values: { apiKey: K2, password: PW } });
      expect(await fx.store.read(deletedId)).toEqual({ values: {}, version: 0 });
      expect(await fx.service.get(survivorId)).toMatchObject({ version: 5, enabled: true, status: 'active' });
    });

    it('no returned object, event or thrown error carries a canary', () => {
      const text = outputs.map(deepText).join('\n');
      expect(text).toContain(MARKER);
      expect(text).toContain(REDACTED);
      expect(leaksIn(text)).toEqual([]);
      // The refusals still say what went wrong.
      const messages = outputs.filter((o): o is Error => o instanceof Error).map((e) => e.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringContaining('cannot log in with [redacted]'),
          expect.stringContaining('is not allowed'),
          expect.stringContaining('Port must be at least 1'),
        ]),
      );
    });

    it('no log line carries a canary, although the plugin logged its configuration', () => {
      const text = fx.logs.join('\n');
      expect(text).toContain(MARKER);
      expect(text).toContain(`apiKey is ${REDACTED}`);
      expect(leaksIn(text)).toEqual([]);
    });

    it('no row of any table carries a canary', async () => {
      const rows = await allRows(testDb!.db);
      expect(Object.keys(rows)).toEqual(
        expect.arrayContaining(['plugin_instance', 'plugin_instance_secret', 'health_check', 'audit_event', 'api_token']),
      );
      const text = JSON.stringify(rows);
      expect(text).toContain(MARKER);
      expect(rows['health_check']?.length).toBeGreaterThan(0);
      expect(rows['audit_event']?.length).toBeGreaterThan(0);
      expect(leaksIn(text)).toEqual([]);
    });

    it('the local secret store holds ciphertext only', async () => {
      expect(await storedSecretFiles(fx.store)).toEqual([`${survivorId}.json`]);
      const files = await readAllFiles(join(dataDir.dir, 'secrets'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(leaksIn(file.bytes.toString('latin1')), file.path).toEqual([]);
    });

    it.runIf(backend === 'pglite')('no file of the data directory (database and secret store) carries a canary', async () => {
      await fx.service.stopAll();
      await testDb!.dispose();
      testDb = undefined;
      // The positive control: the plain marker is found in the database's files.
      expect((await filesContaining(join(dataDir.dir, 'pglite'), MARKER)).length).toBeGreaterThan(0);
      const files = await readAllFiles(dataDir.dir);
      expect(files.length).toBeGreaterThan(10);
      const leaks = files.flatMap((file) => {
        const found = leaksIn(file.bytes.toString('latin1'));
        return found.length > 0 ? [`${file.path}: ${found.length} form(s)`] : [];
      });
      expect(leaks).toEqual([]);
    });
  });
}
