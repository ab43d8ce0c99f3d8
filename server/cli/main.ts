/**
 * `plugform`: configuration as code. `export` writes the instances of a server as YAML or
 * JSON (secrets as references, never values), `plan` and `apply` compare and bring a server
 * to a file, `validate` checks a file offline against the plugin schemas.
 *
 * Exit codes: 0 success (plan: nothing would change), 2 plan found changes or drift
 * (terraform's -detailed-exitcode), 1 error. `--json` prints one JSON value on stdout.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  parseConfigurationDocument,
  parseReference,
  validateDocumentInstances,
  type ConfigurationDocument,
  type InstanceProblem,
} from '../instances/configuration-document.ts';
import type { ApplyResult, ConfigurationPlan, PlanItem as ServerPlanItem } from '../instances/configuration-service.ts';
import { BUILTIN_PLUGINS_DIR, discoverPlugins, parsePluginPaths } from '../registry/index.ts';
import { CliError, ERROR_SELECTION, graphql, unwrap, type Connection } from './api.ts';
import { resolveReferences } from './references.ts';

type PlanItem = ServerPlanItem;
type Plan = ConfigurationPlan;
const NOTE = 'plugin name key ref message';
const APPLY = `mutation ($document: JSON!, $dryRun: Boolean, $prune: Boolean) {
  applyConfigurationDocument(document: $document, dryRun: $dryRun, prune: $prune) {
    __typename
    ... on MutationApplyConfigurationDocumentSuccess { data {
      plan { changed items { action plugin name instanceId version changedKeys secretChanges enabled notes } drift { ${NOTE} } unresolved { ${NOTE} } }
      results { action plugin name ok instanceId version error }
    } }
    ${ERROR_SELECTION}
  }
}`;
const DELETE = `mutation ($id: ID!, $version: Int) {
  deletePluginInstance(id: $id, version: $version) { __typename ... on MutationDeletePluginInstanceSuccess { data { id } } ${ERROR_SELECTION} }
}`;

const lower = <T extends { action: string }>(value: T): T => ({ ...value, action: value.action.toLowerCase() });

async function applyDocument(connection: Connection, document: ConfigurationDocument, options: { dryRun: boolean; prune: boolean }) {
  const answer = await graphql<{ applyConfigurationDocument: Parameters<typeof unwrap<{ plan: Plan; results: ApplyResult[] }>>[0] }>(
    connection,
    APPLY,
    { document, ...options },
  );
  const { plan, results } = unwrap(answer.applyConfigurationDocument);
  return { plan: { ...plan, items: plan.items.map(lower) }, results: results.map(lower) };
}

// ------------------------------------------------------------------------------------
// Reading and printing

async function readDocument(file: string): Promise<ConfigurationDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML 1.2 reads JSON too
  } catch (error) {
    // The parser's message quotes the line; the file may hold a value pasted by mistake.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new CliError(`${file} is not valid YAML or JSON${line ? ` (line ${line})` : ''}`);
  }
  const { document, errors } = parseConfigurationDocument(raw);
  if (errors.length > 0) throw new CliError(`${file} is not a configuration document:${errors.map((e) => `\n  ${e.field}: ${e.message}`).join('')}`);
  return document;
}

function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const item of plan.items) {
    const label = `${item.plugin}/${item.name}`;
    const parts = [
      item.changedKeys.length > 0 ? item.changedKeys.join(', ') : '',
      item.secretChanges.length > 0 ? `secrets: ${item.secretChanges.join(', ')}` : '',
      item.enabled !== null && item.action !== 'create' ? `enabled → ${item.enabled}` : '',
    ].filter(Boolean);
    if (item.action === 'create') lines.push(`  + ${label}${parts.length ? ` (${parts.join('; ')})` : ''}${item.enabled === false ? ' [disabled]' : ''}`);
    if (item.action === 'update') lines.push(`  ~ ${label}: ${parts.join('; ')}`);
    if (item.action === 'delete') lines.push(`  - ${label}`);
    if (item.action === 'unmanaged') lines.push(`  ? ${label}: ${item.notes.join('; ')}`);
  }
  for (const drift of plan.drift) lines.push(`  ! drift: ${drift.plugin}/${drift.name} secret ${drift.key}: ${drift.message}`);
  for (const note of plan.unresolved) lines.push(`  · ${note.plugin}/${note.name} secret ${note.key}: ${note.message}`);
  const count = (action: string) => plan.items.filter((item) => item.action === action).length;
  const summary = plan.changed
    ? `${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete, ${plan.drift.length} drifted secret(s).`
    : 'No changes: the server matches the file.';
  return [...lines, summary];
}

const VERB: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted' };

// ------------------------------------------------------------------------------------
// Commands

function connectionOf(command: Command): Connection {
  const options = command.optsWithGlobals<{ url?: string; token?: string }>();
  return { url: options.url ?? process.env['PLUGFORM_URL'] ?? 'http://localhost:4000', token: options.token ?? process.env['PLUGFORM_TOKEN'] };
}

async function exportCommand(options: { output?: string; format?: string; json?: boolean; refs?: string }, command: Command): Promise<number> {
  const answer = await graphql<{ exportConfigurationDocument: ConfigurationDocument }>(connectionOf(command), '{ exportConfigurationDocument }');
  const format = options.json ? 'json' : (options.format ?? (options.output && extname(options.output) === '.json' ? 'json' : 'yaml'));
  const document = options.refs ? withReferences(answer.exportConfigurationDocument, options.refs) : answer.exportConfigurationDocument;
  const text = format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringifyYaml(document);
  if (options.output) await writeFile(options.output, text);
  else process.stdout.write(text);
  return 0;
}

/** Every secret's reference written from a template: `{plugin}`, `{instance}` and `{key}` are filled in. */
function withReferences(document: ConfigurationDocument, template: string): ConfigurationDocument {
  const instances = document.instances.map((instance) => {
    const secrets = Object.fromEntries(
      Object.entries(instance.secrets).map(([key, entry]) => {
        const ref = template.replaceAll('{plugin}', instance.plugin).replaceAll('{instance}', instance.name).replaceAll('{key}', key);
        if (!parseReference(ref)) throw new CliError(`--refs must make references such as \${env:NAME} or vault:<path>#<key>; for ${instance.plugin}/${instance.name} ${key} it makes "${ref}"`);
        return [key, { ...entry, ref }];
      }),
    );
    return { ...instance, secrets };
  });
  return { ...document, instances };
}

async function planCommand(options: { file: string; prune?: boolean; json?: boolean }, command: Command): Promise<number> {
  const document = await resolveReferences(await readDocument(options.file), process.env);
  const { plan } = await applyDocument(connectionOf(command), document, { dryRun: true, prune: options.prune ?? false });
  if (options.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else process.stdout.write(`${planLines(plan).join('\n')}\n`);
  return plan.changed ? 2 : 0;
}

async function applyCommand(options: { file: string; prune?: boolean; dryRun?: boolean; json?: boolean }, command: Command): Promise<number> {
  const connection = connectionOf(command);
  const read = await readDocument(options.file);
  const document = await resolveReferences(read, process.env);
  const { plan } = await applyDocument(connection, document, { dryRun: true, prune: options.prune ?? false });
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (!options.json) say(planLines(plan).join('\n'));
  const steps = plan.items.filter((item) => VERB[item.action]);
  const results: ApplyResult[] = [];
  if (!options.dryRun) {
    for (const [index, item] of steps.entries()) {
      const result = await applyItem(connection, document, item);
      results.push(result);
      const label = `${item.plugin}/${item.name}`;
      say(result.ok ? `[${index + 1}/${steps.length}] ${VERB[item.action]} ${label}` : `[${index + 1}/${steps.length}] ${label} failed: ${result.error}`);
      if (!result.ok) break;
    }
  }
  const failed = results.some((result) => !result.ok);
  if (options.json) process.stdout.write(`${JSON.stringify({ plan, results, dryRun: options.dryRun ?? false }, null, 2)}\n`);
  else if (!options.dryRun && !failed) say(`Apply complete: ${results.length} change(s).`);
  return failed ? 1 : 0;
}

/** One step of an apply, checked against the version the plan read. */
async function applyItem(connection: Connection, document: ConfigurationDocument, item: PlanItem): Promise<ApplyResult> {
  const failed = (error: unknown): ApplyResult => ({ ...item, ok: false, error: (error as Error).message });
  try {
    if (item.action === 'delete') {
      const answer = await graphql<{ deletePluginInstance: Parameters<typeof unwrap<{ id: string }>>[0] }>(connection, DELETE, {
        id: item.instanceId,
        version: item.version,
      });
      unwrap(answer.deletePluginInstance);
      return { ...item, ok: true, version: null, error: null };
    }
    const instance = document.instances.find((entry) => entry.plugin === item.plugin && entry.name === item.name)!;
    const { results } = await applyDocument(
      connection,
      { ...document, instances: [{ ...instance, expectedVersion: item.version }] },
      { dryRun: false, prune: false },
    );
    return results[0] ?? { ...item, ok: true, error: null };
  } catch (error) {
    return failed(error);
  }
}

async function validateCommand(options: { file: string; json?: boolean }): Promise<number> {
  const document = await resolveReferences(await readDocument(options.file), process.env);
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const registry = await discoverPlugins({
    builtinDir: BUILTIN_PLUGINS_DIR,
    localDir: resolve('plugins'),
    extraPaths: parsePluginPaths(process.env['PLUGIN_PATHS']),
    logger: quiet,
  });
  const errors: InstanceProblem[] = validateDocumentInstances(document, (plugin) => registry.get(plugin)?.schema.fields);
  if (options.json) process.stdout.write(`${JSON.stringify({ valid: errors.length === 0, instances: document.instances.length, errors }, null, 2)}\n`);
  else if (errors.length === 0) process.stdout.write(`${options.file}: ${document.instances.length} instance(s) valid\n`);
  for (const error of options.json ? [] : errors) process.stderr.write(`${error.plugin}/${error.name}: ${error.field}: ${error.message} (${error.rule})\n`);
  return errors.length === 0 ? 0 : 1;
}

// ------------------------------------------------------------------------------------

const program = new Command('plugform')
  .description('Plugform configuration as code: export, plan, apply and validate configuration documents')
  .addOption(new Option('--url <url>', 'the Plugform server (default: PLUGFORM_URL, else http://localhost:4000)'))
  .addOption(new Option('--token <token>', 'an API token (default: PLUGFORM_TOKEN)'))
  .showHelpAfterError()
  .exitOverride();

let exitCode = 0;
const run =
  <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
  async (...args: A) => {
    exitCode = await action(...args);
  };
const fileOption = () => new Option('-f, --file <file>', 'the configuration document (YAML or JSON)').makeOptionMandatory();

program
  .command('export')
  .description('write every instance as a configuration document (secrets as ${env:<INSTANCE>_<KEY>} references, never values)')
  .option('-o, --output <file>', 'write to this file instead of stdout')
  .addOption(new Option('--format <format>', 'yaml or json (default: from the file extension, else yaml)').choices(['yaml', 'json']))
  .option('--refs <template>', 'reference of each secret, {plugin} {instance} {key} filled in, e.g. "vault:secret/data/{plugin}/{instance}#{key}"')
  .option('--json', 'JSON output')
  .action(run(exportCommand));
program
  .command('plan')
  .description('show what apply would create, change and delete, and secrets that drifted; exit 0: no change, 2: changes, 1: error')
  .addOption(fileOption())
  .option('--prune', 'plan to delete the instances the file does not name')
  .option('--json', 'machine-readable output')
  .action(run(planCommand));
program
  .command('apply')
  .description('bring the server to the file (version-checked, idempotent)')
  .addOption(fileOption())
  .option('--dry-run', 'show the plan, change nothing')
  .option('--prune', 'delete the instances the file does not name')
  .option('--json', 'machine-readable output (progress lines go to stderr)')
  .action(run(applyCommand));
program
  .command('validate')
  .description('check a file offline against the plugin schemas (no server needed)')
  .addOption(fileOption())
  .option('--json', 'machine-readable output')
  .action(run((options: { file: string; json?: boolean }) => validateCommand(options)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version') exitCode = 0;
  else if (typeof code === 'string' && code.startsWith('commander.')) exitCode = 1;
  else {
    const json = process.argv.includes('--json');
    const message = error instanceof CliError ? error.message : `unexpected error: ${(error as Error).message}`;
    if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`plugform: ${message}\n`);
    exitCode = 1;
  }
}
process.exitCode = exitCode;
