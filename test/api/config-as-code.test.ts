/**
 * Configuration as code: the real `plugform` CLI (the package's bin, run as a child process)
 * against real servers over HTTP. Export writes references, never values; plan, apply and
 * validate read the same YAML; plan's exit code says whether anything would change.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CREATE, UPDATE, succeed } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startVaultDouble } from '../support/vault-double.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'server/cli/bin.mjs');
const RELEASE_TOKEN = 'echo-release-secret-3f9a1c';
const ALERTS_TOKEN = 'echo-alerts-secret-77b2e0';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `plugform <args>` with only the environment given (plus PATH), never the test's own. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let source: TestServer;
let work: string;
const serverEnv = (server: TestServer) => ({ PLUGFORM_URL: server.url, PLUGFORM_TOKEN: server.adminToken });

async function createEcho(server: TestServer, name: string, senderName: string, token: string, enabled = true) {
  return succeed(server, CREATE, 'createPluginInstance', {
    input: { pluginName: 'example-echo', name, enabled, configuration: { senderName }, secrets: [{ key: 'apiToken', value: token }] },
  });
}

async function instancesOf(server: TestServer) {
  const { body, text } = await server.gql<{ pluginInstances: { edges: { node: any }[] } }>(
    `{ pluginInstances(first: 100) { edges { node { id name pluginName enabled version configuration secrets { key isSet fingerprint } } } } }`,
  );
  if (!body.data) throw new Error(text);
  return body.data.pluginInstances.edges.map((edge) => edge.node);
}

beforeAll(async () => {
  source = await startTestServer({ pluginPaths: [] });
  work = await mkdtemp(join(tmpdir(), 'plugform-cac-'));
  await createEcho(source, 'release-bot', 'Release bot', RELEASE_TOKEN);
  await createEcho(source, 'alerts', 'Alerts', ALERTS_TOKEN, false);
});
afterAll(async () => {
  // Whatever ran, no secret value reached the server's log.
  if (source) for (const value of [RELEASE_TOKEN, ALERTS_TOKEN, 'echo-rotated-in-console']) expect(source.logs.join('\n')).not.toContain(value);
  await source?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function exportTo(server: TestServer, file: string): Promise<string> {
  const exported = await cli(['export', '-o', file], serverEnv(server));
  expect(exported.stderr).toBe('');
  expect(exported.code).toBe(0);
  return readFile(file, 'utf8');
}

describe('plugform export and plan', () => {
  it('exports references and fingerprints, never values, and a fresh export plans nothing (exit 0) though its references are unresolved here', async () => {
    const file = join(work, 'fresh.yaml');
    const text = await exportTo(source, file);
    expect(text).not.toContain(RELEASE_TOKEN);
    expect(text).not.toContain(ALERTS_TOKEN);
    const document = parse(text);
    const release = document.instances.find((i: any) => i.name === 'release-bot');
    expect(release).toMatchObject({ plugin: 'example-echo', enabled: true, configuration: { senderName: 'Release bot', maxMessages: 100 } });
    expect(release.secrets.apiToken.ref).toBe('${env:RELEASE_BOT_API_TOKEN}');
    expect(release.secrets.apiToken.fingerprint).toMatch(/^hmac-sha256:/);
    expect(document.instances.find((i: any) => i.name === 'alerts').enabled).toBe(false);

    const plan = await cli(['plan', '-f', file], serverEnv(source));
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes');
    expect(plan.stdout).toMatch(/apiToken.*RELEASE_BOT_API_TOKEN.*not set here.*kept/);
  });

  it('--json plan output parses: nothing to change, the unresolved references listed', async () => {
    const file = join(work, 'fresh-json.yaml');
    await exportTo(source, file);
    const plan = await cli(['plan', '-f', file, '--json'], serverEnv(source));
    expect(plan.code).toBe(0);
    const result = JSON.parse(plan.stdout);
    expect(result.changed).toBe(false);
    expect(result.items.map((item: any) => item.action)).toEqual(['unchanged', 'unchanged']);
    expect(result.drift).toEqual([]);
    expect(result.unresolved.map((u: any) => `${u.name}.${u.key}`).sort()).toEqual(['alerts.apiToken', 'release-bot.apiToken']);
  });

  it('an edit of the file is planned exactly (exit 2) and applied; then the plan is empty again', async () => {
    const file = join(work, 'edit.yaml');
    const document = parse(await exportTo(source, file));
    document.instances.find((i: any) => i.name === 'release-bot').configuration.senderName = 'Release robot';
    await writeFile(file, stringify(document));

    const plan = await cli(['plan', '-f', file, '--json'], serverEnv(source));
    expect(plan.code).toBe(2);
    const result = JSON.parse(plan.stdout);
    const changes = result.items.filter((item: any) => item.action !== 'unchanged');
    expect(changes).toEqual([expect.objectContaining({ action: 'update', name: 'release-bot', changedKeys: ['senderName'], secretChanges: [] })]);
    const human = await cli(['plan', '-f', file], serverEnv(source));
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/~ example-echo\/release-bot.*senderName/);

    const applied = await cli(['apply', '-f', file], serverEnv(source));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const release = (await instancesOf(source)).find((i) => i.name === 'release-bot');
    expect(release.configuration.senderName).toBe('Release robot');
    expect(release.secrets[0].isSet).toBe(true);
    expect((await cli(['plan', '-f', file], serverEnv(source))).code).toBe(0);
  });

  it('a secret changed through the API after the export shows up as drift (exit 2)', async () => {
    const file = join(work, 'drift.yaml');
    await exportTo(source, file);
    const alerts = (await instancesOf(source)).find((i) => i.name === 'alerts');
    const recorded = parse(await readFile(file, 'utf8')).instances.find((i: any) => i.name === 'alerts').secrets.apiToken.fingerprint;
    expect(alerts.secrets[0].fingerprint).toBe(recorded);
    await succeed(source, UPDATE, 'updatePluginInstance', {
      input: { id: alerts.id, version: alerts.version, secrets: [{ key: 'apiToken', value: 'echo-rotated-in-console' }] },
    });
    const rotated = (await instancesOf(source)).find((i) => i.name === 'alerts').secrets[0].fingerprint;
    expect(rotated).toMatch(/^hmac-sha256:/);
    expect(rotated).not.toBe(recorded);
    const plan = await cli(['plan', '-f', file, '--json'], serverEnv(source));
    expect(plan.code).toBe(2);
    const result = JSON.parse(plan.stdout);
    expect(result.drift).toEqual([expect.objectContaining({ plugin: 'example-echo', name: 'alerts', key: 'apiToken' })]);
    expect(plan.stdout).not.toContain('echo-rotated-in-console');
    const human = await cli(['plan', '-f', file], serverEnv(source));
    expect(human.stdout).toMatch(/drift.*alerts.*apiToken.*changed outside the file/i);
  });
});

describe('plugform connection settings', () => {
  it('--url and --token override PLUGFORM_URL and PLUGFORM_TOKEN; a refused token is exit 1 with the reason', async () => {
    const file = join(work, 'flags.yaml');
    const nowhere = { PLUGFORM_URL: 'http://127.0.0.1:9', PLUGFORM_TOKEN: 'pf_not_a_token' };
    const exported = await cli(['export', '-o', file, '--url', source.url, '--token', source.adminToken], nowhere);
    expect(exported.code).toBe(0);
    expect(parse(await readFile(file, 'utf8')).instances.length).toBeGreaterThan(0);

    const refused = await cli(['plan', '-f', file, '--url', source.url], nowhere);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the API token \(401\)/);
    expect(refused.stderr).not.toContain('pf_not_a_token');
    const unreachable = await cli(['plan', '-f', file, '--json'], { ...nowhere, PLUGFORM_TOKEN: source.adminToken });
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stdout).error).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9\/graphql/);
  });
});

describe('plugform with Vault references', () => {
  it('export --refs writes vault references; plan resolves them from Vault (VAULT_ADDR, VAULT_TOKEN) and compares on the server', async () => {
    const vault = await startVaultDouble();
    try {
      const write = (path: string, data: Record<string, string>) =>
        fetch(`${vault.url}/v1/secret/data/${path}`, { method: 'POST', headers: { 'X-Vault-Token': vault.rootToken }, body: JSON.stringify({ data }) });
      expect((await write('cac/release-bot', { apiToken: RELEASE_TOKEN })).ok).toBe(true);
      expect((await write('cac/alerts', { apiToken: 'echo-from-vault' })).ok).toBe(true);
      const file = join(work, 'vault.yaml');
      const exported = await cli(['export', '-o', file, '--refs', 'vault:secret/data/cac/{instance}#{key}'], serverEnv(source));
      expect(exported.code).toBe(0);
      const document = parse(await readFile(file, 'utf8'));
      expect(document.instances.find((i: any) => i.name === 'release-bot').secrets.apiToken.ref).toBe('vault:secret/data/cac/release-bot#apiToken');

      const plan = await cli(['plan', '-f', file, '--json'], { ...serverEnv(source), VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken });
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(2);
      const result = JSON.parse(plan.stdout);
      expect(result.unresolved).toEqual([]);
      expect(result.items.filter((item: any) => item.action !== 'unchanged')).toEqual([
        expect.objectContaining({ action: 'update', name: 'alerts', changedKeys: [], secretChanges: ['apiToken'] }),
      ]);
    } finally {
      await vault.close();
    }
  });
});

describe('plugform apply into another server', () => {
  let target: TestServer;
  beforeAll(async () => {
    target = await startTestServer({ pluginPaths: [] });
  });
  afterAll(async () => {
    await target?.close();
  });

  it('export → apply into an empty server (secrets from the environment, progress lines) → plan shows no change', async () => {
    const file = join(work, 'copy.yaml');
    await exportTo(source, file);
    const secrets = { RELEASE_BOT_API_TOKEN: RELEASE_TOKEN, ALERTS_API_TOKEN: ALERTS_TOKEN };

    // Without the secrets an instance cannot be created: the plan fails up front, naming instance and field.
    const incomplete = await cli(['plan', '-f', file], serverEnv(target));
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toMatch(/example-echo\/alerts\.apiToken: example-echo\/alerts: API Token is required/);

    const dry = await cli(['apply', '-f', file, '--dry-run'], { ...serverEnv(target), ...secrets });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\+ example-echo\/release-bot/);
    expect(await instancesOf(target)).toEqual([]);

    const applied = await cli(['apply', '-f', file], { ...serverEnv(target), ...secrets });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/\[1\/2\] created example-echo\/alerts/);
    expect(applied.stdout).toMatch(/\[2\/2\] created example-echo\/release-bot/);
    expect(applied.stdout).not.toContain(RELEASE_TOKEN);
    const copied = await instancesOf(target);
    expect(copied.map((i) => [i.name, i.enabled, i.configuration.senderName]).sort()).toEqual([
      ['alerts', false, 'Alerts'],
      ['release-bot', true, 'Release robot'],
    ]);

    // With the secrets resolvable, the plan compares them on the server: the same values, no change.
    const plan = await cli(['plan', '-f', file, '--json'], { ...serverEnv(target), ...secrets });
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).changed).toBe(false);
    // Another value for a secret is a change of that secret alone.
    const other = await cli(['plan', '-f', file, '--json'], { ...serverEnv(target), ...secrets, ALERTS_API_TOKEN: 'echo-another' });
    expect(other.code).toBe(2);
    const changes = JSON.parse(other.stdout).items.filter((item: any) => item.action !== 'unchanged');
    expect(changes).toEqual([expect.objectContaining({ action: 'update', name: 'alerts', changedKeys: [], secretChanges: ['apiToken'] })]);
    // Applying twice changes nothing.
    const again = await cli(['apply', '-f', file, '--json'], { ...serverEnv(target), ...secrets });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).results).toEqual([]);
  });

  it('apply --prune deletes the instances the file does not name (--dry-run only says so)', async () => {
    await createEcho(target, 'stray', 'Stray', 'echo-stray');
    const file = join(work, 'prune.yaml');
    const document = parse(await exportTo(target, file));
    document.instances = document.instances.filter((i: any) => i.name !== 'stray');
    await writeFile(file, stringify(document));

    const plain = await cli(['plan', '-f', file], serverEnv(target));
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/example-echo\/stray.*not in the file.*--prune/);

    const dry = await cli(['apply', '-f', file, '--prune', '--dry-run'], serverEnv(target));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/- example-echo\/stray/);
    expect((await instancesOf(target)).map((i) => i.name)).toContain('stray');

    const pruned = await cli(['apply', '-f', file, '--prune'], serverEnv(target));
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/deleted example-echo\/stray/);
    expect((await instancesOf(target)).map((i) => i.name).sort()).toEqual(['alerts', 'release-bot']);
  });
});

describe('applyConfigurationDocument over GraphQL (what the console sends)', () => {
  const APPLY = `mutation ($document: JSON!, $dryRun: Boolean) {
    applyConfigurationDocument(document: $document, dryRun: $dryRun) {
      __typename
      ... on MutationApplyConfigurationDocumentSuccess { data { plan { changed items { action name secretChanges } } results { ok } } }
      ... on ConflictError { expectedVersion currentVersion }
      ... on ValidationError { fieldErrors { field rule message } }
    }
  }`;

  it('a dry run with a resolved secret says which secret would change and never returns the value', async () => {
    const document = (await source.gql<{ exportConfigurationDocument: any }>('{ exportConfigurationDocument }')).body.data!.exportConfigurationDocument;
    const release = document.instances.find((i: any) => i.name === 'release-bot');
    release.secrets.apiToken.value = 'echo-candidate-value-9d1';
    const response = await source.gql(APPLY, { document, dryRun: true });
    const result = response.body.data.applyConfigurationDocument;
    expect(result.__typename).toBe('MutationApplyConfigurationDocumentSuccess');
    expect(result.data.plan.items.find((i: any) => i.name === 'release-bot')).toEqual({ action: 'UPDATE', name: 'release-bot', secretChanges: ['apiToken'] });
    expect(result.data.results).toEqual([]);
    expect(response.text).not.toContain('echo-candidate-value-9d1');
  });

  it('an apply against a version that moved since the plan is a ConflictError and changes nothing', async () => {
    const before = (await instancesOf(source)).find((i) => i.name === 'release-bot');
    const document = {
      instances: [
        { plugin: 'example-echo', name: 'release-bot', configuration: { senderName: 'Stale edit' }, secrets: { apiToken: '${env:X}' }, expectedVersion: before.version - 1 },
      ],
    };
    const result = (await source.gql(APPLY, { document })).body.data.applyConfigurationDocument;
    expect(result).toEqual({ __typename: 'ConflictError', expectedVersion: before.version - 1, currentVersion: before.version });
    const after = (await instancesOf(source)).find((i) => i.name === 'release-bot');
    expect(after.version).toBe(before.version);
    expect(after.configuration.senderName).toBe(before.configuration.senderName);
  });

  it('refuses a secret value in place of a reference without echoing it', async () => {
    const document = { instances: [{ plugin: 'example-echo', name: 'x', configuration: { senderName: 'X' }, secrets: { apiToken: 'echo-pasted-by-mistake' } }] };
    const response = await source.gql(APPLY, { document, dryRun: true });
    expect(response.body.data.applyConfigurationDocument.fieldErrors).toEqual([
      expect.objectContaining({ field: 'instances[0].secrets.apiToken', rule: 'reference' }),
    ]);
    expect(response.text).not.toContain('echo-pasted-by-mistake');
  });
});

describe('plugform validate', () => {
  it('catches a schema error offline, naming the instance and the field', async () => {
    const file = join(work, 'invalid.yaml');
    await writeFile(
      file,
      stringify({
        instances: [
          { plugin: 'example-echo', name: 'fine', configuration: { senderName: 'Fine' }, secrets: { apiToken: '${env:FINE_TOKEN}' } },
          { plugin: 'example-echo', name: 'broken', configuration: { senderName: 'Broken', maxMessages: 0 }, secrets: { apiToken: '${env:X}' } },
        ],
      }),
    );
    // No server: the URL points nowhere and no token is given.
    const result = await cli(['validate', '-f', file], { PLUGFORM_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/example-echo\/broken.*maxMessages.*Max Messages must be at least 1/);
    expect(result.stderr).not.toMatch(/example-echo\/fine/);

    const json = await cli(['validate', '-f', file, '--json'], {});
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).errors).toEqual([
      expect.objectContaining({ plugin: 'example-echo', name: 'broken', field: 'maxMessages', rule: 'minValue' }),
    ]);

    const valid = await cli(['validate', '-f', join(work, 'fresh.yaml')], {});
    expect(valid.code).toBe(0);
  });

  it('refuses a secret written as a value instead of a reference, without echoing it', async () => {
    const file = join(work, 'literal.yaml');
    await writeFile(file, stringify({ instances: [{ plugin: 'example-echo', name: 'x', configuration: { senderName: 'X' }, secrets: { apiToken: 'echo-literal-value' } }] }));
    const result = await cli(['validate', '-f', file], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/example-echo\/x.*apiToken.*reference/);
    expect(result.stderr + result.stdout).not.toContain('echo-literal-value');
  });
});
