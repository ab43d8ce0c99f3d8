/**
 * Keeps docs/plugin-authoring.md from rotting. The guide marks its code blocks in the fence's
 * info string (GitHub shows only the language):
 *
 * - ```ts file=<path>     part of a file, at <path> relative to the repository root; blocks
 *                          with the same path are joined in order. Relative imports are
 *                          written as an author in that folder writes them; the ones that
 *                          point at no file of the guide are rewritten to the repository's
 *                          file (which must exist), e.g. `../../support/plugin-context.ts`.
 *                          The SDK is imported by its package name, `plugform/sdk`.
 * - ```ts excerpt=<path>  a quote that must occur word for word (whitespace-normalized) in
 *                          <path>: a repository file, or a file the guide's files generate.
 *                          A line `// …` separates parts that must occur in this order.
 * - ```json sample=…      the validation example: `valid`, `valid-value`, `invalid`,
 *                          `invalid-errors`.
 * - ```json schema-check=input / ```text schema-check=problems: a schema and the problems
 *                          the registration check reports for it, one per line.
 * - ```sh blocks with a `<<'JSON'` heredoc: a GraphQL request body, validated against the
 *                          server's schema.
 *
 * The files are written into a temporary folder laid out like the repository; then the test
 * type-checks them, generates their config types with the codegen target, loads them with
 * the real registry, exercises the plugin against the guide's own vendor double, and runs the
 * guide's test file as part of this suite.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { OperationDefinitionNode } from 'graphql';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FIELD_TYPES, OPERATIONS_BY_TYPE, checkPluginSchema, validateConfig, type NotificationProvider, type PluginType } from '../../../plugins/sdk/index.ts';
import { createConfigTypesCodegen } from '../../../server/registry/config-types.codegen.ts';
import { discoverPlugins, type PluginRegistry } from '../../../server/registry/index.ts';
import { runConnectionTest } from '../../../server/health/connection-test.ts';
import { createLogger } from '../../../server/logger.ts';
import { schema as graphqlSchema } from '../../../server/graphql/schema.ts';
import { createTestPluginContext, everythingSaid } from '../../support/plugin-context.ts';

// The schema comes from Pothos, which loads graphql as CommonJS; under vitest an `import`
// of graphql gets its ES build, another module whose functions refuse that schema.
const { getVariableValues, parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const GUIDE_PATH = join(REPO, 'docs/plugin-authoring.md');
const PLUGIN = 'plugins/acme-chat/index.ts';
const DOUBLE = 'test/support/vendors/acme-chat.ts';
const GUIDE_TEST = 'test/unit/plugins/acme-chat.test.ts';

// ---------------------------------------------------------------------------------------
// Reading the guide

interface Block {
  lang: string;
  attrs: Record<string, string>;
  text: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\S*)[ \t]*(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^ *```\s*$/.test(lines[j] ?? ''); j++) {
      const line = lines[j] ?? '';
      body.push(line.slice(Math.min(indent, line.length - line.trimStart().length)));
    }
    const attrs = Object.fromEntries([...(open[3] ?? '').matchAll(/([\w-]+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    blocks.push({ lang: open[2] ?? '', attrs, text: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The rows of the first Markdown table whose header starts with `firstHeader`, as cells. */
function tableRows(markdown: string, firstHeader: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`no table with the header "${firstHeader}" in the guide`);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]?.startsWith('|'); i++) {
    const cells = (lines[i] ?? '').replace(/\\\|/g, '\u0000').split('|').slice(1, -1);
    rows.push(cells.map((cell) => cell.replace(/\u0000/g, '|').trim()));
  }
  return rows;
}

/** The `code` spans of a table cell. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');

const normalize = (text: string): string => text.replace(/\s+/g, ' ').trim();

function one(blocks: Block[], predicate: (block: Block) => boolean, what: string): Block {
  const found = blocks.filter(predicate);
  if (found.length !== 1) throw new Error(`expected exactly one ${what} block in the guide, found ${found.length}`);
  return found[0]!;
}

const guide = readFileSync(GUIDE_PATH, 'utf8');
const blocks = parseBlocks(guide);

// ---------------------------------------------------------------------------------------
// Writing the guide's files into a folder laid out like the repository

const root = mkdtempSync(join(tmpdir(), 'plugform-guide-'));
const emptyBuiltins = join(root, 'no-builtins');
mkdirSync(emptyBuiltins);
// tsx and TypeScript treat `.ts` files as ES modules only in a package of type module.
writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
// Bare imports resolve as in an author's folder after `npm install --save-dev <checkout>`:
// `plugform/sdk` through a link to the repository (its `exports`), the rest (`vitest`) from
// the repository's node_modules.
mkdirSync(join(root, 'node_modules'));
symlinkSync(REPO, join(root, 'node_modules', 'plugform'), 'dir');
for (const name of readdirSync(join(REPO, 'node_modules'))) {
  symlinkSync(join(REPO, 'node_modules', name), join(root, 'node_modules', name), 'dir');
}

const files = new Map<string, string>();
for (const block of blocks) {
  const path = block.attrs.file;
  if (path === undefined) continue;
  files.set(path, files.has(path) ? `${files.get(path)}\n${block.text}` : block.text);
}

/** Relative imports that point at neither a guide file nor a repository file. */
const unresolvedImports: string[] = [];
for (const [path, text] of files) {
  const rewritten = text.replace(/(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\2/g, (whole, lead: string, quote: string, specifier: string) => {
    const target = posix.normalize(posix.join(posix.dirname(path), specifier));
    if (files.has(target) || target.endsWith('/config.generated.ts')) return whole;
    const inRepo = join(REPO, target);
    if (!existsSync(inRepo)) unresolvedImports.push(`${path}: ${specifier}`);
    return `${lead}${quote}${inRepo}${quote}`;
  });
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), `${rewritten}\n`);
}

// `npm run codegen`, as the author runs it: the codegen target itself, on the guide's plugins folder.
let generated: Record<string, string> = {};
let codegenError: string | undefined;
try {
  generated = await createConfigTypesCodegen({ root }).generate();
  for (const [path, text] of Object.entries(generated)) writeFileSync(join(root, path), text);
} catch (error) {
  codegenError = error instanceof Error ? error.message : String(error);
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

const silent = { info: () => undefined, warn: () => undefined };

/** A file as the author would have it: written by the guide or generated from it, else the repository's. */
function sourceOf(path: string): string {
  const local = join(root, path);
  return existsSync(local) && !path.startsWith('../') ? readFileSync(local, 'utf8') : readFileSync(join(REPO, path), 'utf8');
}

function jsonSample(name: string): unknown {
  return JSON.parse(one(blocks, (b) => b.attrs.sample === name, `sample=${name}`).text) as unknown;
}

// ---------------------------------------------------------------------------------------

describe('docs/plugin-authoring.md', () => {
  it('has the files the walkthrough builds, and the codegen runs on them', () => {
    expect(codegenError).toBeUndefined();
    expect([...files.keys()]).toEqual(expect.arrayContaining([PLUGIN, DOUBLE, GUIDE_TEST, 'plugins/console-analytics/index.ts']));
    expect(Object.keys(generated)).toContain('plugins/acme-chat/config.generated.ts');
  });

  it('imports only files that exist (the guide’s own or the repository’s)', () => {
    expect(unresolvedImports).toEqual([]);
  });

  it('quotes Slack and the other built-ins word for word', () => {
    const excerpts = blocks.filter((block) => block.attrs.excerpt !== undefined);
    expect(excerpts.filter((block) => block.attrs.excerpt === 'plugins/slack/index.ts').length).toBeGreaterThanOrEqual(5);
    for (const block of excerpts) {
      const source = normalize(sourceOf(block.attrs.excerpt!));
      let from = 0;
      for (const part of block.text.split(/^\s*\/\/ …\s*$/m)) {
        const wanted = normalize(part);
        const at = source.indexOf(wanted, from);
        expect(at, `guide line ${block.line}: this excerpt is no longer in ${block.attrs.excerpt}:\n${part}`).toBeGreaterThanOrEqual(0);
        from = at + wanted.length;
      }
    }
  });

  it('type-checks every file it shows, with the repository’s compiler options', { timeout: 120_000 }, () => {
    const config = ts.readConfigFile(join(REPO, 'tsconfig.json'), ts.sys.readFile.bind(ts.sys));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
    const rootNames = [...files.keys(), ...Object.keys(generated)].filter((path) => path.endsWith('.ts')).map((path) => join(root, path));
    const program = ts.createProgram({ rootNames, options: { ...options, noEmit: true, typeRoots: [join(REPO, 'node_modules/@types')] } });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(root))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const file = d.file ? `${d.file.fileName.slice(root.length + 1)}:${(where?.line ?? 0) + 1}: ` : '';
        return `${file}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(diagnostics).toEqual([]);
  });

  describe('the plugin', () => {
    let registry: PluginRegistry;
    const acme = async () => {
      registry ??= await discoverPlugins({ builtinDir: emptyBuiltins, extraPaths: [join(root, 'plugins')], logger: silent });
      return registry.require('acme-chat');
    };

    it('is discovered by the real registry with no load errors, both of the guide’s plugins', async () => {
      await acme();
      expect(registry.loadErrors()).toEqual([]);
      expect(registry.list().map((plugin) => plugin.schema.name).sort()).toEqual(['acme-chat', 'console-analytics']);
    });

    it('validates the guide’s samples as the guide says', async () => {
      const plugin = await acme();
      expect(validateConfig(plugin.schema, jsonSample('valid') as Record<string, unknown>)).toEqual({ ok: true, value: jsonSample('valid-value') });
      expect(validateConfig(plugin.schema, jsonSample('invalid') as Record<string, unknown>)).toEqual({ ok: false, errors: jsonSample('invalid-errors') });
    });

    it('sends, checks health and tests its connection against the guide’s vendor double', async () => {
      const plugin = await acme();
      const token = (jsonSample('valid') as { apiToken: string }).apiToken;
      const { startAcmeChatDouble } = (await import(pathToFileURL(join(root, DOUBLE)).href)) as VendorDoubleModule;
      const vendor = await startAcmeChatDouble({ token, channels: ['#alerts'] });
      try {
        const input = { ...(jsonSample('valid') as Record<string, unknown>), apiBaseUrl: vendor.apiBaseUrl };
        const validated = validateConfig(plugin.schema, input);
        if (!validated.ok) throw new Error(JSON.stringify(validated.errors));

        const context = createTestPluginContext();
        const provider = (await plugin.createProvider(validated.value, context)) as NotificationProvider;
        expect(await provider.sendNotification({ recipient: '', message: 'Deploy finished' })).toEqual({
          success: true,
          messageId: 'msg_1',
          details: { channel: '#alerts' },
        });
        expect(vendor.messages).toEqual([{ channel: '#alerts', text: 'Deploy finished' }]);
        expect(await provider.healthCheck?.()).toMatchObject({ status: 'healthy', message: 'Token works: plugform-bot in Acme Corp' });
        expect(await provider.testConnection?.()).toMatchObject({ success: true });
        await provider.stop?.();
        expect(everythingSaid(context)).not.toContain(token);

        // Through the platform: a throwaway provider, and the timestamp and timing it adds.
        const lines: string[] = [];
        const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
        const passed = await runConnectionTest({ plugin, config: validated.value, secretValues: [token], logger });
        expect(passed).toMatchObject({ success: true, message: 'Token works: plugform-bot in Acme Corp' });
        expect(Date.parse(passed.timestamp)).not.toBeNaN();
        expect(passed.responseTimeMs).toEqual(expect.any(Number));

        const wrong = 'acme_live_WRONGWRONGWRONG0000';
        const failed = await runConnectionTest({ plugin, config: { ...validated.value, apiToken: wrong, retryCount: 0 }, secretValues: [wrong], logger });
        expect(failed).toMatchObject({ success: false, message: 'Acme Chat: me: the API token is invalid or revoked (invalid_token)' });
        expect(JSON.stringify([passed, failed, lines])).not.toContain(wrong);
      } finally {
        await vendor.close();
      }
    });

    it('refuses in createProvider() what the guide says it refuses', async () => {
      const plugin = await acme();
      const validated = validateConfig(plugin.schema, { ...(jsonSample('valid') as Record<string, unknown>), apiToken: 'acme_test_0123456789abcdef' });
      if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
      await expect(plugin.createProvider(validated.value, createTestPluginContext())).rejects.toThrow(
        'A test token (acme_test_…) only works with the sandbox: set API Base URL to https://sandbox.acme-chat.example/v1',
      );
    });

    it('gets a generated config type with every field of the guide', () => {
      const types = generated['plugins/acme-chat/config.generated.ts'] ?? '';
      expect(types).toContain('export interface AcmeChatConfig {');
      expect(types).toContain('(plugins/acme-chat/index.ts)');
      for (const [key, optional] of [['apiToken', ''], ['defaultChannel', ''], ['username', '?'], ['retryCount', '?'], ['timeoutSeconds', '?'], ['apiBaseUrl', '?']]) {
        expect(types).toMatch(new RegExp(`\\n  ${key}${optional === '?' ? '\\?' : ''}: (string|number);`));
      }
    });
  });

  describe('its tables match the SDK', () => {
    it('field types: exactly FIELD_TYPES, in order', () => {
      expect(tableRows(guide, 'Field type').map((row) => codeSpans(row[0] ?? '')[0])).toEqual([...FIELD_TYPES]);
    });

    it('field attributes: exactly the members of FieldSpec', () => {
      const listed = tableRows(guide, 'Attribute').flatMap((row) => codeSpans(row[0] ?? ''));
      expect(listed.sort()).toEqual(interfaceMembers('plugins/sdk/fields.ts', 'FieldSpec').sort());
    });

    it('plugin properties: exactly the members of PluginConfig', () => {
      const listed = tableRows(guide, 'Property').flatMap((row) => codeSpans(row[0] ?? ''));
      expect(listed.sort()).toEqual(interfaceMembers('plugins/sdk/plugin.ts', 'PluginConfig').sort());
    });

    it('operations: exactly OPERATIONS_BY_TYPE', () => {
      const rows = tableRows(guide, 'Plugin type');
      const listed = Object.fromEntries(rows.map((row) => [codeSpans(row[0] ?? '')[0], [...(row[1] ?? '').matchAll(/`(\w+)\(/g)].map((m) => m[1])]));
      expect(listed).toEqual(OPERATIONS_BY_TYPE satisfies Record<PluginType, readonly string[]>);
    });
  });

  it('shows the registration problems the checker really reports', () => {
    const input = JSON.parse(one(blocks, (b) => b.attrs['schema-check'] === 'input', 'schema-check=input').text) as unknown;
    const shown = one(blocks, (b) => b.attrs['schema-check'] === 'problems', 'schema-check=problems').text.split('\n').filter((line) => line.trim() !== '');
    expect(checkPluginSchema(input).map((problem) => problem.message)).toEqual(shown);
  });

  it('sends GraphQL requests the server’s schema accepts', () => {
    const bodies = blocks
      .filter((block) => block.lang === 'sh')
      .flatMap((block) => [...block.text.matchAll(/<<'JSON'\n([\s\S]*?)\nJSON(?:\n|$)/g)].map((m) => ({ line: block.line, json: m[1] ?? '' })));
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    const fields = new Set<string>();
    for (const { line, json } of bodies) {
      const { query, variables } = JSON.parse(json) as { query: string; variables?: Record<string, unknown> };
      const document = parse(query);
      expect(validate(graphqlSchema, document).map((e) => e.message), `guide line ${line}`).toEqual([]);
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
      const coerced = getVariableValues(graphqlSchema, operation.variableDefinitions ?? [], variables ?? {});
      expect(coerced.errors?.map((e) => e.message) ?? [], `guide line ${line}`).toEqual([]);
      for (const selection of operation.selectionSet.selections) if (selection.kind === 'Field') fields.add(selection.name.value);
    }
    expect([...fields]).toEqual(expect.arrayContaining(['plugin', 'testPluginConnection', 'createPluginInstance']));
  });
});

/** The guide's own test file runs here, as its author would run it. */
describe(`the guide's ${GUIDE_TEST}`, async () => {
  await import(pathToFileURL(join(root, GUIDE_TEST)).href);
});

/** What this test uses of the guide's vendor double (the module only exists in the temporary folder). */
interface VendorDoubleModule {
  startAcmeChatDouble(options: { token: string; channels: string[] }): Promise<{ apiBaseUrl: string; messages: unknown[]; close(): Promise<void> }>;
}

function interfaceMembers(path: string, name: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(join(REPO, path), 'utf8'), ts.ScriptTarget.Latest);
  const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!declaration) throw new Error(`${name} is not declared in ${path}`);
  return declaration.members.flatMap((member) => (member.name && ts.isIdentifier(member.name) ? [member.name.text] : []));
}
