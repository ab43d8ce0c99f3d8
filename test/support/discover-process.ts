/**
 * Runs plugin discovery in a process of its own, as the server does, and prints what it found
 * as one JSON line: `node test/support/discover-process.ts <plugins folder>` (add
 * `--import tsx` for `npm start`'s loader). Under vitest the registry's `import()` goes
 * through Vite's module runner, which neither sees Node's module hooks nor reports errors as
 * Node and tsx do; this is how a test sees the loaders the server really runs with.
 *
 * Each plugin that loads is given a provider, configured with `{ channel: "#ops" }`, and
 * asked to send "hello": its answer shows that the plugin works, not only that it imported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotificationProvider } from '../../plugins/sdk/index.ts';
import { discoverPlugins } from '../../server/registry/index.ts';
import { createTestPluginContext } from './plugin-context.ts';

export interface DiscoveryReport {
  sent: Record<string, unknown>;
  errors: { file: string; reason: string }[];
}

const pluginsFolder = process.argv[2];
if (pluginsFolder === undefined) throw new Error('usage: discover-process.ts <plugins folder>');

const noBuiltins = await mkdtemp(join(tmpdir(), 'plugform-no-builtins-'));
try {
  const registry = await discoverPlugins({
    builtinDir: noBuiltins,
    extraPaths: [pluginsFolder],
    logger: { info: () => undefined, warn: () => undefined },
  });
  const sent: Record<string, unknown> = {};
  for (const plugin of registry.list()) {
    const provider = (await plugin.createProvider({ channel: '#ops' }, createTestPluginContext())) as NotificationProvider;
    sent[plugin.schema.name] = await provider.sendNotification({ recipient: '', message: 'hello' });
  }
  const errors = registry.loadErrors().map((error) => ({ file: error.path.slice(pluginsFolder.length + 1), reason: error.reason }));
  const report: DiscoveryReport = { sent, errors };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await rm(noBuiltins, { recursive: true, force: true });
}
