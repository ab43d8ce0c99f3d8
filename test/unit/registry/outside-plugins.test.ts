/**
 * A plugin kept outside the repository imports the SDK by its package name, `plugform/sdk`,
 * and the server resolves it there, where Node alone would not (no `node_modules/plugform`
 * next to the plugin). Discovery runs in a process of its own with each loader the server
 * runs under: Node's type stripping (`node server/main.ts`) and tsx (`npm start`).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveryReport } from '../../support/discover-process.ts';
import { removeTrees, tree } from './fixtures.ts';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '../../..');

const BROKEN_LINE = "export default definePlugin({ name: 'broken', type: 'NOTIFICATION' ;";

/** No package.json: tsx compiles the `.ts` file as CommonJS, so `plugform/sdk` arrives as a require(). */
const outsideFolder = {
  'chat.ts': `import { definePlugin } from 'plugform/sdk';
const prefix: string = 'ts';
export default definePlugin({
  name: 'outside-ts',
  type: 'NOTIFICATION',
  version: '1.0.0',
  fields: [{ key: 'channel', label: 'Channel', type: 'STRING', required: true }],
  createProvider: (config) => {
    const channel = config.channel;
    return {
      async sendNotification(message) { return { success: true, messageId: prefix + ' ' + channel + ' ' + message.message }; },
    };
  },
});
`,
  'ledger/index.mjs': `import { definePlugin } from 'plugform/sdk';
import { joinUrl } from 'plugform/sdk/http-helpers';
export default definePlugin({
  name: 'outside-mjs',
  type: 'NOTIFICATION',
  version: '1.0.0',
  fields: [{ key: 'channel', label: 'Channel', type: 'STRING', required: true }],
  createProvider: (config) => {
    const channel = config.channel;
    return {
      async sendNotification(message) { return { success: true, messageId: joinUrl('https://chat.example/v1', channel + '/' + message.message).href }; },
    };
  },
});
`,
  'broken.mjs': `import { definePlugin } from 'plugform/sdk';\n\n${BROKEN_LINE}\n`,
};

const runners = { 'node (type stripping)': [], tsx: ['--import', 'tsx'] } satisfies Record<string, string[]>;

afterAll(removeTrees);

describe.each(Object.entries(runners))('a plugin folder outside the repository, loaded under %s', (_runner, loaderArgs) => {
  let report: DiscoveryReport;

  beforeAll(async () => {
    const folder = await tree(outsideFolder);
    const { stdout } = await run(process.execPath, [...loaderArgs, 'test/support/discover-process.ts', folder], { cwd: REPO });
    report = JSON.parse(stdout) as DiscoveryReport;
  }, 60_000);

  it('loads a .ts and a .mjs plugin that import plugform/sdk (and a subpath of it), and both work', () => {
    expect(report.sent).toEqual({
      'outside-mjs': { success: true, messageId: 'https://chat.example/v1/%23ops/hello' },
      'outside-ts': { success: true, messageId: 'ts #ops hello' },
    });
  });

  it('reports a syntax error in a .mjs plugin with its message and real line:column, like a .ts one', () => {
    const column = BROKEN_LINE.indexOf(';') + 1;
    expect(report.errors).toEqual([{ file: 'broken.mjs', reason: `SyntaxError: Expected "}" but found ";" (broken.mjs:3:${column})` }]);
  });
});
