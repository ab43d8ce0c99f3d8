/**
 * Writes real plugin files into temporary folders. Fixtures import the SDK by absolute path:
 * they live outside the repository, where `plugform/sdk` resolves through the registry's
 * Node module hook, which Vite's module runner does not run (outside-plugins.test.ts checks
 * the name in real processes). Under vitest, the registry's dynamic `import()` goes
 * through Vite's module runner, which transforms `.ts`, `.js` and `.mjs` files in any folder;
 * under tsx (the server) the same `import()` reaches tsx's loader. Both work with these files.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK = JSON.stringify(fileURLToPath(new URL('../../../plugins/sdk/index.ts', import.meta.url)));

const made: string[] = [];

/** Creates a temporary folder holding `files` (relative path → content) and returns its path. */
export async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'plugform-registry-'));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return root;
}

export async function removeTrees(): Promise<void> {
  await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

const NOTIFIER = `{
    config,
    async sendNotification() { return { success: true }; },
  }`;

/** A TypeScript plugin in the definePlugin style (type annotations prove it goes through TS). */
export function definePluginTs(name: string, extra: { fields?: string; provider?: string; schema?: string } = {}): string {
  return `import { definePlugin } from ${SDK};
const label: string = ${JSON.stringify(`Plugin ${name}`)};
export default definePlugin({
  name: ${JSON.stringify(name)},
  displayName: label,
  type: 'NOTIFICATION',
  version: '1.0.0',
  description: 'Sends messages for ' + ${JSON.stringify(name)},
  tags: ['chat', 'test'],
  fields: ${extra.fields ?? `[{ key: 'channel', label: 'Channel', type: 'STRING', required: true }]`},
  ${extra.schema ?? ''}
  createProvider: (config: unknown, context: unknown) => (${extra.provider ?? NOTIFIER}),
});
`;
}

/** A plain-JavaScript plugin (no type annotations), exported under a name rather than as default. */
export function paymentJs(name: string, extra: { schema?: string } = {}): string {
  return `import { definePlugin } from ${SDK};
export const plugin = definePlugin({
  name: ${JSON.stringify(name)},
  type: 'PAYMENT',
  version: '2.0.0',
  description: 'Takes payments',
  fields: [{ key: 'apiKey', label: 'API key', type: 'SECRET', required: true }],
  ${extra.schema ?? ''}
  createProvider: (config, context) => ({
    config,
    context,
    async processPayment() { return { id: 'p1', status: 'ok' }; },
    async refund() { return { id: 'r1', status: 'ok' }; },
  }),
});
`;
}
