/**
 * The README's "Automate with GraphQL" section runs as written: its shell blocks (the curl
 * example, then the Node script) are taken from README.md and executed by bash against a
 * real server, the way a new user would paste them after `npm start`. The script is also
 * imported here, which puts it (and its generated typed documents) under the type check.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUpdate } from '../../docs/automation/create-test-update.ts';
import { sendNotification } from '../../docs/automation/send-notification.ts';
import { SECRET_MASK } from '../../server/instances/secret-values.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

let server: TestServer;
beforeAll(async () => {
  // The README's example uses the built-in example-echo plugin: no extra plugins needed.
  server = await startTestServer({ pluginPaths: [] });
});
afterAll(async () => {
  await server?.close();
});

/** The fenced `sh` blocks of one README section, in order. */
function shellBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const rest = readme.slice(start + 1);
  const next = rest.indexOf('\n## ', 1);
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

async function instanceNamed(name: string) {
  const { body } = await server.gql(
    `query { pluginInstances(pluginName: "example-echo") { edges { node { id name version status configuration secrets { key isSet } } } } }`,
  );
  return body.data.pluginInstances.edges.map((e: { node: unknown }) => e.node).find((n: { name: string }) => n.name === name);
}

describe('README: Automate with GraphQL', () => {
  it('has the curl example and the script command, and both run as written', async () => {
    const blocks = shellBlocks(await readFile(join(ROOT, 'README.md'), 'utf8'), 'Automate with GraphQL');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/curl /);
    expect(blocks[1]).toMatch(/npx tsx docs\/automation\/create-test-update\.ts/);

    // What the README asks of a user's machine; CI must have it too (Debian: curl, jq).
    for (const tool of ['curl', 'jq']) {
      const found = await run('bash', ['-c', `command -v ${tool}`]).catch(() => undefined);
      if (!found) throw new Error(`the README's curl example needs ${tool}: install it (apt-get install -y ${tool})`);
    }

    const token = await server.tokenFor('operator', 'readme');
    const { stdout, stderr } = await run('bash', ['-e', '-o', 'pipefail', '-c', blocks.join('\n')], {
      cwd: ROOT,
      env: { ...process.env, PLUGFORM_URL: server.url, PLUGFORM_TOKEN: token },
      timeout: 60_000,
    });
    expect(stderr.replace(/^npm warn.*\n/gm, '')).toBe('');

    // The curl example's three answers, as jq printed them.
    expect(stdout).toContain('"__typename": "MutationCreatePluginInstanceSuccess"');
    expect(stdout).toContain('"__typename": "MutationTestPluginInstanceConnectionSuccess"');
    expect(stdout).toMatch(/"success": true,\s+"message": "token accepted"/);
    expect(stdout).toContain('"__typename": "MutationUpdatePluginInstanceSuccess"');
    // The script's report.
    expect(stdout).toMatch(/^created nightly-report \(.+\), version 1, ACTIVE$/m);
    expect(stdout).toMatch(/^tested: success: token accepted/m);
    expect(stdout).toMatch(/^updated to version 2: .*"maxMessages":500.* \(secrets kept: apiToken\)$/m);
    // The secrets went in; they never came back out.
    expect(stdout).not.toMatch(/echo-change-me|echo-nightly-token/);

    for (const name of ['release-bot', 'nightly-report']) {
      expect(await instanceNamed(name)).toMatchObject({
        name,
        version: 2,
        status: 'ACTIVE',
        configuration: { senderName: expect.any(String), maxMessages: 500, apiToken: SECRET_MASK },
        secrets: [{ key: 'apiToken', isSet: true }],
      });
    }
  });

  it('the script refuses to run without a token, saying what to set', async () => {
    const failure = await run('npx', ['tsx', 'docs/automation/create-test-update.ts'], {
      cwd: ROOT,
      env: { ...process.env, PLUGFORM_URL: server.url, PLUGFORM_TOKEN: '' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('Set PLUGFORM_TOKEN') });
  });

  it('the script’s typed client reports errors that come back as data', async () => {
    const lines: string[] = [];
    const connection = { url: server.url, token: server.adminToken };
    const outcome = await createTestUpdate(connection, 'in-process', (line) => lines.push(line));
    expect(outcome).toMatchObject({ tested: { success: true }, version: 2, configuration: { maxMessages: 500, apiToken: SECRET_MASK } });
    expect(lines).toHaveLength(3);
    // Running it again: the name is taken, a ValidationError naming the field.
    await expect(createTestUpdate(connection, 'in-process', () => undefined)).rejects.toThrow(/create failed \(ValidationError\): name: /);
    // A viewer may not create: the refusal is a GraphQL error, thrown with its message.
    const viewer = await server.tokenFor('viewer');
    await expect(createTestUpdate({ url: server.url, token: viewer }, 'refused', () => undefined)).rejects.toThrow(/does not allow this/);
  });
});

describe('README: Use an instance from your service', () => {
  it('the curl example and the script run as written: one message per idempotency key, through a service token', async () => {
    const blocks = shellBlocks(await readFile(join(ROOT, 'README.md'), 'utf8'), 'Use an instance from your service');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/curl /);
    expect(blocks[1]).toMatch(/npx tsx docs\/automation\/send-notification\.ts/);
    // The curl example makes the service token, so it needs an admin's.
    const { stdout, stderr } = await run('bash', ['-e', '-o', 'pipefail', '-c', blocks.join('\n')], {
      cwd: ROOT,
      env: { ...process.env, PLUGFORM_URL: server.url, PLUGFORM_TOKEN: server.adminToken },
      timeout: 60_000,
    });
    expect(stderr.replace(/^npm warn.*\n/gm, '')).toBe('');
    const lines = stdout.trim().split('\n');
    // curl: the same answer twice (the repeat is replayed).
    const [first, second] = lines.slice(0, 2).map((line) => JSON.parse(line) as { messageId: string });
    expect(first!.messageId).toBeTruthy();
    expect(second).toEqual(first);
    // The script: sent once, and its retry got the same id back.
    const sent = /^sent: message (.+)$/m.exec(stdout)?.[1];
    expect(sent).toBeTruthy();
    expect(stdout).toContain(`retried with the same key: message ${sent}`);
    expect(stdout).not.toContain('echo-alerts-secret');

    const alerts = (await instanceNamed('alerts')) as { id: string };
    await expect
      .poll(async () => {
        const { body } = await server.gql('query ($id: ID!) { pluginInstance(id: $id) { operationCalls { outcome caller } } }', { id: alerts.id });
        return body.data.pluginInstance.operationCalls.map((c: { outcome: string; caller: string }) => `${c.caller} ${c.outcome}`).sort();
      })
      .toEqual(['token:billing-service replayed', 'token:billing-service replayed', 'token:billing-service success', 'token:billing-service success']);
  });

  it('the script reports a refusal as an error naming its type', async () => {
    const created = await server.gql(
      'mutation { createPluginInstance(input: { pluginName: "example-echo", name: "script-refusal", configuration: { senderName: "x", apiToken: "echo-x" } }) { ... on MutationCreatePluginInstanceSuccess { data { id } } } }',
    );
    const id = created.body.data.createPluginInstance.data.id;
    await expect(sendNotification({ url: server.url, token: server.adminToken }, id, ' ', 'm', () => undefined)).rejects.toThrow(/^ValidationError: .* \(recipient\)$/);
  });
});
