/**
 * A field that a plugin upgrade turns secret (contract 1 across versions): the value saved
 * while it was plain sits in the database in clear. The next start moves it into the secret
 * store: the row no longer holds it, the API shows it only as set, the provider still gets it,
 * and the move is in the audit trail. Real server, restarted on the same data directory with
 * version 2 of the plugin.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, INSTANCE, TEST_SAVED, succeed } from '../support/graphql.ts';
import { startTestServer } from '../support/server.ts';

const SDK = join(import.meta.dirname, '../../plugins/sdk/index.ts');
const TOKEN = 'upgrade-canary-3b9e71d2';

/** The plugin at one version: `token` is plain in 1.0.0 and a SECRET in 2.0.0. */
function pluginSource(version: '1.0.0' | '2.0.0'): string {
  const tokenType = version === '1.0.0' ? 'STRING' : 'SECRET';
  return `import { definePlugin } from ${JSON.stringify(SDK)};
export default definePlugin({
  name: 'upgrade-probe',
  type: 'INTEGRATION',
  version: '${version}',
  supportsTestConnection: true,
  fields: [
    { key: 'label', label: 'Label', type: 'STRING' },
    { key: 'token', label: 'Token', type: '${tokenType}' },
  ],
  createProvider(config) {
    const token = config.token;
    return {
      async executeAction() { return {}; },
      async testConnection() {
        return { success: token === ${JSON.stringify(TOKEN)}, message: token === ${JSON.stringify(TOKEN)} ? 'the provider has the token' : 'the provider lost the token' };
      },
    };
  },
});
`;
}

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'plugform-upgrade-'));
  dataDir = join(root, 'data');
  for (const version of ['1.0.0', '2.0.0'] as const) {
    const dir = join(root, `v${version[0]}`, 'upgrade-probe');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'index.ts'), pluginSource(version));
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a field that became secret in a plugin upgrade', () => {
  it('has its stored plaintext moved into the secret store at start-up and is masked from then on', async () => {
    const first = await startTestServer({ dataDir, pluginPaths: [join(root, 'v1')] });
    let id: string;
    try {
      const created = await succeed(first, CREATE, 'createPluginInstance', {
        input: { pluginName: 'upgrade-probe', name: 'legacy', configuration: { label: 'ops', token: TOKEN } },
      });
      id = created.id;
      expect(created.configuration).toEqual({ label: 'ops', token: TOKEN });
    } finally {
      await first.close();
    }

    const second = await startTestServer({ dataDir, pluginPaths: [join(root, 'v2')] });
    try {
      const row = await second.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id } });
      expect(row.config).toEqual({ label: 'ops' });
      expect(JSON.stringify(row)).not.toContain(TOKEN);
      // Nor does the configuration history: the version saved while it was plain is scrubbed.
      const versions = await second.running.services.prisma.pluginInstanceVersion.findMany({ where: { instanceId: id }, orderBy: { version: 'asc' } });
      expect(versions.map((v) => v.config)).toEqual([{ label: 'ops' }, { label: 'ops' }]);
      expect(JSON.stringify(versions)).not.toContain(TOKEN);
      expect((await second.running.services.secrets.read(id)).values).toEqual({ token: TOKEN });

      const shown = (await second.gql(INSTANCE, { id })).body.data.pluginInstance;
      expect(shown.configuration).toEqual({ label: 'ops', token: '••••••••' });
      expect(shown.secrets).toEqual([expect.objectContaining({ key: 'token', isSet: true })]);
      expect(shown.auditEvents[0]).toMatchObject({ actor: 'system', action: 'instance.secretsMigrated', changedKeys: ['token'] });
      expect(JSON.stringify(shown)).not.toContain(TOKEN);

      // The provider still receives the value, now from the secret store.
      const tested = await succeed(second, TEST_SAVED, 'testPluginInstanceConnection', { input: { id } });
      expect(tested).toMatchObject({ success: true, message: 'the provider has the token' });
    } finally {
      await second.close();
    }
    // Two server starts on a file database: slow on a loaded machine.
  }, 120_000);
});
