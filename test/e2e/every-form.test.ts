/**
 * Every form the console renders, end to end in Debian's Chromium against the real server:
 * the new-instance form of every built-in plugin and of a fixture plugin with every field
 * type (test/e2e/fixtures/every-field.ts, defaults of every kind), filled and saved; each
 * saved instance's edit form opened (its stored values shown, lists and objects included)
 * and saved again; what the server stored compared with what was typed. axe-core runs on
 * every page and fails the test on any serious or critical violation. Then the two things a
 * pointer user depends on: a click right after a field turned invalid on blur is not lost,
 * and the API-tokens screen works for an admin.
 *
 * One browser, one server, pages one after the other. Secrets typed into a form must never
 * appear in a page afterwards; any console error or uncaught exception fails the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app/start-server.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { ensureConsoleBuilt, launchChromium, seriousAxeViolations } from './browser.ts';

const SHOTS = join(import.meta.dirname, process.env['PLUGFORM_UPDATE_SCREENSHOTS'] === '1' ? 'screenshots' : '.tmp/screenshots');
const ADMIN_TOKEN = `pf_e2e_forms_${randomBytes(12).toString('hex')}`;
const MASK = '••••••••';

interface Field {
  key: string;
  label: string;
  type: string;
  isSecret: boolean;
  required: boolean;
  default: unknown;
  itemType: string | null;
  minValue: number | null;
  maxValue: number | null;
  options: { value: string; label: string }[];
}
interface Plugin {
  name: string;
  displayName: string;
  fields: Field[];
}

let dataDir: string;
let filesDir: string;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let plugins: Plugin[] = [];
const consoleErrors: string[] = [];
/** Content Security Policy violations the page reported (axe-core included: it must not need any). */
const cspViolations: string[] = [];
/** Every secret typed into a form: none may appear in a page afterwards. */
const typedSecrets: string[] = [];
/** Pages axe-core checked, so the check cannot pass by checking nothing. */
const axeChecked: string[] = [];

/**
 * What to type into each plugin's form, as the values the server should then store. The rest
 * of each form keeps its defaults. Values are valid for the plugin's rules and its createProvider().
 */
function valuesFor(plugin: string): Record<string, unknown> {
  const secret = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
  switch (plugin) {
    case 'whatsapp-business':
      return { phoneNumber: '+15550100200', apiToken: secret('EAAGe2e'), businessAccountId: '102290129340398', phoneNumberId: '106540352242922', apiVersion: 'v22.0' };
    case 'slack':
      // Bot mode, picked first: its fields appear (the webhook URL goes) as the mode changes.
      return { mode: 'bot', botToken: secret('xoxb-'), defaultChannel: '#alerts' };
    case 'smtp-email':
      return { host: 'smtp.example.test', fromAddress: 'alerts@example.test', fromName: 'Plugform alerts', username: 'alerts', password: secret('pw-') };
    case 'example-echo':
      return { senderName: 'Release bot', apiToken: secret('echo-') };
    case 'stripe':
      return { secretKey: secret('sk_test_'), captureMethod: 'manual' };
    case 's3-storage':
      return { bucket: 'e2e-bucket', accessKeyId: 'AKIAE2EEXAMPLE', secretAccessKey: secret('s3-'), forcePathStyle: true };
    case 'local-storage':
      return { baseDirectory: filesDir, createIfMissing: true };
    case 'meilisearch':
      return { host: 'http://127.0.0.1:7700', apiKey: secret('meili-'), waitForTasks: false };
    case 'ldap':
      // The list default (attributes) is kept and extended: the form must load it first.
      return { url: 'ldap://127.0.0.1:389', baseDn: 'dc=example,dc=test', bindDn: 'cn=reader,dc=example,dc=test', bindPassword: secret('ldap-'), attributes: ['uid', 'cn', 'mail', 'displayName', 'memberOf'] };
    case 'webhook':
      return { url: 'https://hooks.example.test/plugform', method: 'PUT', headers: { 'X-Team': 'ops' }, signingSecret: secret('whsec-') };
    case 'posthog':
      return { projectApiKey: secret('phc_') };
    case 'http-workflow':
      return { triggerUrl: 'https://n8n.example.test/webhook/{workflowId}', authHeaderValue: secret('Bearer ') };
    case 'every-field':
      return {
        label: 'Everything',
        endpoint: 'https://every-field.test/api',
        phone: '+15550100300',
        apiKey: secret('every-'),
        ratio: 0.5,
        verbose: false,
        region: 'ap',
        channels: ['email', 'sms', 'push'],
        routing: { retry: { backoff: 'linear' }, tags: ['gamma'] },
        ports: [80, 443, 8080],
        hosts: ['a.example.test', 'b.example.test'],
        flags: [true, false, true],
      };
    default:
      throw new Error(`no values for plugin ${plugin}: add them to valuesFor()`);
  }
}

// ---------------------------------------------------------------------------------------
// Helpers

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** axe-core on the page as it is: no serious or critical violation. */
async function expectAccessible(name: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations, `axe-core on "${name}"`).toEqual([]);
  axeChecked.push(name);
}

async function expectNoSecretInPage(step: string): Promise<void> {
  const html = await page.content();
  for (const secret of typedSecrets) expect(html.includes(secret), `a typed secret is in the page after "${step}"`).toBe(false);
}

const fieldBox = (key: string) => page.locator(`[data-field="${key}"]`);

/** The text inputs of an ARRAY field's items, in order. */
const arrayInputs = (key: string) => fieldBox(key).locator('li [data-part="input"]');

function optionLabel(field: Field, value: unknown): string {
  const option = field.options.find((o) => o.value === value);
  if (!option) throw new Error(`${field.key}: no option ${String(value)}`);
  return option.label;
}

/** Opens a Kobalte select and clicks options by label; a multi-select's listbox is closed after. */
async function pickOptions(field: Field, labels: string[]): Promise<void> {
  await fieldBox(field.key).locator('.pf-select__trigger').click();
  const listbox = page.getByRole('listbox');
  for (const label of labels) await listbox.getByRole('option', { name: label, exact: true }).click();
  if (field.type === 'MULTI_SELECT') {
    await page.keyboard.press('Escape');
    await listbox.waitFor({ state: 'hidden' });
  }
}

/** Types one value into a field the way a user would, whatever its widget. */
async function fill(field: Field, value: unknown, mode: 'create' | 'edit'): Promise<void> {
  const box = fieldBox(field.key);
  if (field.isSecret || field.type === 'SECRET') {
    if (mode === 'edit') await box.getByRole('button', { name: /^Replace/ }).click();
    await box.locator('input').first().fill(String(value));
    typedSecrets.push(String(value));
    return;
  }
  switch (field.type) {
    case 'TEXT':
      await box.locator('textarea').fill(String(value));
      return;
    case 'JSON':
      await box.locator('textarea').fill(JSON.stringify(value, null, 2));
      return;
    case 'BOOLEAN': {
      const toggle = box.getByRole('switch');
      if ((await toggle.isChecked()) !== value) {
        await toggle.focus();
        await page.keyboard.press('Space');
      }
      expect(await toggle.isChecked()).toBe(value);
      return;
    }
    case 'SELECT':
      await pickOptions(field, [optionLabel(field, value)]);
      return;
    case 'MULTI_SELECT': {
      // Toggle what differs from the current picks (the defaults, on a new form).
      const wanted = value as string[];
      const current = ((await currentValue(field)) as string[] | undefined) ?? [];
      const toggles = field.options.filter((o) => wanted.includes(o.value) !== current.includes(o.value)).map((o) => o.label);
      if (toggles.length > 0) await pickOptions(field, toggles);
      return;
    }
    case 'ARRAY': {
      // Items beyond the ones shown are added with "+ Add item"; the shown ones must match.
      const wanted = value as unknown[];
      const shown = await arrayInputs(field.key).count();
      for (let i = shown; i < wanted.length; i += 1) {
        await box.getByRole('button', { name: 'Add item' }).click();
        const input = arrayInputs(field.key).nth(i);
        if (field.itemType === 'BOOLEAN') {
          if (wanted[i] === true) await input.check();
        } else await input.fill(String(wanted[i]));
      }
      return;
    }
    default:
      await box.locator('input').first().fill(String(value));
  }
}

/** What a field's widget shows, as a value (to check that a form loaded what was stored). */
async function currentValue(field: Field): Promise<unknown> {
  const box = fieldBox(field.key);
  switch (field.type) {
    case 'TEXT':
      return box.locator('textarea').inputValue();
    case 'JSON':
      return JSON.parse(await box.locator('textarea').inputValue());
    case 'BOOLEAN':
      return box.getByRole('switch').isChecked();
    case 'SELECT': {
      const text = (await box.locator('.pf-select__trigger').textContent()) ?? '';
      return field.options.find((o) => text.includes(o.label))?.value;
    }
    case 'MULTI_SELECT': {
      const text = (await box.locator('.pf-select__trigger, .pf-chips, [data-part="chips"]').allTextContents()).join(' ');
      return field.options.filter((o) => new RegExp(`(^|[^\\w])${o.label}([^\\w]|$)`).test(text)).map((o) => o.value);
    }
    case 'ARRAY': {
      const inputs = arrayInputs(field.key);
      const values: unknown[] = [];
      for (let i = 0; i < (await inputs.count()); i += 1) {
        const input = inputs.nth(i);
        if (field.itemType === 'BOOLEAN') values.push(await input.isChecked());
        else {
          const text = await input.inputValue();
          values.push(field.itemType === 'INTEGER' || field.itemType === 'FLOAT' ? Number(text) : text);
        }
      }
      return values;
    }
    case 'INTEGER':
    case 'FLOAT':
      return Number(await box.locator('input').first().inputValue());
    default:
      return box.locator('input').first().inputValue();
  }
}

/** What the server should store: the defaults, overridden by what was typed; secrets masked. */
function expectedConfiguration(plugin: Plugin, typed: Record<string, unknown>): Record<string, unknown> {
  const expected: Record<string, unknown> = {};
  for (const field of plugin.fields) {
    const value = field.key in typed ? typed[field.key] : field.default;
    if (value === null || value === undefined) continue;
    expected[field.key] = field.isSecret || field.type === 'SECRET' ? MASK : value;
  }
  return expected;
}

async function storedInstance(id: string): Promise<{ version: number; configuration: Record<string, unknown> }> {
  const { pluginInstance } = await gql('query ($id: ID!) { pluginInstance(id: $id) { version configuration } }', { id });
  return pluginInstance;
}

/** Clicks the form's submit button and waits for the instance page; says why when it stays. */
async function submitAndWaitForInstance(button: string): Promise<string> {
  await page.getByRole('button', { name: button, exact: true }).click();
  try {
    await page.waitForURL(/\/instances\/[^/]+$/, { timeout: 10_000 });
  } catch (error) {
    const errors = await page.locator('.pf-field__error, [role="alert"]').allTextContents();
    throw new Error(`"${button}" did not reach the instance page: ${errors.join(' | ') || String(error)}`);
  }
  return decodeURIComponent(page.url().split('/').at(-1)!);
}

/** A valid value for the first INTEGER field that differs from `current`. */
function changedInteger(field: Field, current: number): number {
  const max = field.maxValue ?? Number.MAX_SAFE_INTEGER;
  return current + 1 <= max ? current + 1 : current - 1;
}

// ---------------------------------------------------------------------------------------
// Setup

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await ensureConsoleBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'plugform-e2e-forms-'));
  // local-storage may only use the operator's roots, apart from the data dir.
  filesDir = await mkdtemp(join(tmpdir(), 'plugform-e2e-files-'));
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PLUGFORM_DATA_DIR: dataDir,
    PLUGFORM_LOCAL_STORAGE_ROOTS: filesDir,
    PLUGFORM_ADMIN_TOKEN: ADMIN_TOKEN,
    PLUGIN_PATHS: join(import.meta.dirname, 'fixtures/every-field.ts'),
    PLUGFORM_HEALTH_INTERVAL: '86400', // no scheduled check reaches out during the run
  };
  server = await startServer({ config: loadConfig(env), logger: createLogger({ level: 'error', sink: () => {} }), announce: () => {} });
  const catalog = await gql<{ plugins: Plugin[] }>(
    '{ plugins { name displayName fields { key label type isSecret required default itemType minValue maxValue options { value label } } } }',
  );
  plugins = catalog.plugins;

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  context.setDefaultTimeout(10_000);
  await context.exposeBinding('reportCspViolation', (_source, text: string) => void cspViolations.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
}, 240_000); // may include building the console (and waiting for the other e2e file's build) on a busy machine

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------

/** The plugins this file fills in, each in its own test. */
const pluginNames = ['whatsapp-business', 'slack', 'smtp-email', 'example-echo', 'stripe', 's3-storage', 'local-storage', 'meilisearch', 'ldap', 'webhook', 'posthog', 'http-workflow', 'every-field'];
const PLUGINS_DIR = join(import.meta.dirname, '../../plugins');

describe('every form (Chromium, real server)', () => {
  it('sign-in, the empty list, the catalog and the 404 page pass axe-core', async () => {
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('main').getByRole('heading', { name: 'Sign in to the console', level: 1 }).waitFor();
    await expectAccessible('sign-in');
    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'No instances yet' }).waitFor();
    await expectAccessible('instances (empty)');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plugins' }).click();
    await page.getByRole('heading', { name: 'Plugins', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.pf-plugin').count()).toBe(plugins.length);
    // Each catalog link's name starts with its visible words (label in name).
    await page.getByRole('link', { name: 'Add instance of Every Field (fixture)' }).waitFor();
    await expectAccessible('catalog');

    await page.goto(`${server.url}/settings/nothing-here`);
    await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
    await expectAccessible('404');
  });

  it('covers every built-in plugin and the every-field fixture', async () => {
    // Exactly the plugins the server loaded: every folder of plugins/ (but the SDK) and the
    // fixture, none failed to load, and each has its own test below.
    const folders = (await readdir(PLUGINS_DIR, { withFileTypes: true })).filter((entry) => entry.isDirectory() && entry.name !== 'sdk').map((entry) => entry.name);
    const loaded = plugins.map((p) => p.name).sort();
    expect(loaded).toEqual([...folders, 'every-field'].sort());
    expect(loaded).toEqual([...pluginNames].sort());
    expect((await gql<{ pluginLoadErrors: unknown[] }>('{ pluginLoadErrors { path reason } }')).pluginLoadErrors).toEqual([]);
    const everyField = plugins.find((p) => p.name === 'every-field')!;
    expect(new Set(everyField.fields.map((f) => f.type))).toEqual(
      new Set(['STRING', 'TEXT', 'URL', 'EMAIL', 'PHONE', 'SECRET', 'INTEGER', 'FLOAT', 'BOOLEAN', 'SELECT', 'MULTI_SELECT', 'JSON', 'ARRAY']),
    );
  });

  // One test per plugin: new form → save → stored values → edit form shows them → save again.
  for (const name of pluginNames) {
    it(`${name}: the new form loads with its defaults, saves, re-opens with the stored values and saves again`, async () => {
      const plugin = plugins.find((p) => p.name === name);
      expect(plugin, `plugin ${name} is loaded`).toBeDefined();
      const fields = new Map(plugin!.fields.map((f) => [f.key, f]));
      const typed = valuesFor(name);

      // From the catalog, as a user would (client-side navigation, no page reload).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plugins' }).click();
      await page.getByRole('link', { name: `Add instance of ${plugin!.displayName}`, exact: true }).click();
      await page.getByRole('heading', { name: `New ${plugin!.displayName} instance`, level: 1 }).waitFor();
      await fieldBox(plugin!.fields.at(-1)!.key).waitFor();
      // The form shows every default, lists and objects included.
      for (const field of plugin!.fields) {
        if (field.default === null || field.isSecret || field.type === 'SECRET') continue;
        expect(await currentValue(field), `${name}.${field.key} shows its default`).toEqual(field.default);
      }
      await expectAccessible(`new ${name}`);

      await page.locator('#instance-name').fill(`${name} e2e`);
      for (const [key, value] of Object.entries(typed)) await fill(fields.get(key)!, value, 'create');
      const id = await submitAndWaitForInstance('Create instance');
      await page.getByRole('heading', { name: `${name} e2e`, level: 1 }).waitFor();
      const created = await storedInstance(id);
      expect(created.configuration).toEqual(expectedConfiguration(plugin!, typed));
      await expectAccessible(`instance ${name}`);
      await expectNoSecretInPage(`saved ${name}`);

      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await page.getByRole('heading', { name: `Edit ${name} e2e`, level: 1 }).waitFor();
      await fieldBox(plugin!.fields.at(-1)!.key).waitFor();
      for (const field of plugin!.fields) {
        if (field.isSecret || field.type === 'SECRET' || created.configuration[field.key] === undefined) continue;
        expect(await currentValue(field), `edit form of ${name}: ${field.key}`).toEqual(created.configuration[field.key]);
      }
      await expectAccessible(`edit ${name}`);
      await expectNoSecretInPage(`edit ${name}`);

      // A setting that decides no destination (a port would ask for the secrets again).
      const integer = [...plugin!.fields].reverse().find((f) => f.type === 'INTEGER' && !/host|port|url|endpoint|region/i.test(f.key))!;
      const next = changedInteger(integer, created.configuration[integer.key] as number);
      await fill(integer, next, 'edit');
      await submitAndWaitForInstance('Save changes');
      await page.getByText(`Saved “${name} e2e”.`).waitFor();
      const updated = await storedInstance(id);
      expect(updated.version).toBe(created.version + 1);
      expect(updated.configuration).toEqual({ ...created.configuration, [integer.key]: next });
    });
  }

  it('a click right after a field turns invalid on blur is not lost', async () => {
    const plugin = plugins.find((p) => p.name === 'every-field')!;
    const field = (key: string) => plugin.fields.find((f) => f.key === key)!;
    await page.goto(`${server.url}/instances/new/every-field`);
    await fieldBox('flags').waitFor();
    await page.locator('#instance-name').fill('click-through');

    /**
     * Types an invalid value into `key` (shown at the top of the window, as when the user
     * reads down the form), then clicks `button` below it at once: the mouse-down is what
     * leaves the field, so its error line appears between mouse-down and mouse-up. Nothing
     * below may move in that moment, or the click lands elsewhere and is lost.
     */
    const invalidThenClick = async (key: string, value: string, button: ReturnType<Page['locator']>) => {
      await fieldBox(key).evaluate((el) => el.scrollIntoView({ block: 'start' }));
      const input = fieldBox(key).locator('input, textarea').first();
      await input.fill(value);
      expect(await fieldBox(key).locator('.pf-field__error').filter({ hasText: /\S/ }).count(), 'no error before leaving').toBe(0);
      await button.click();
      await fieldBox(key).locator('.pf-field__error').filter({ hasText: /\S/ }).waitFor();
    };

    // A number above its maximum, then "Clear" of the select two fields below.
    expect(await currentValue(field('region'))).toBe('eu');
    await invalidThenClick('ratio', '5', fieldBox('region').getByRole('button', { name: 'Clear Region' }));
    await expect.poll(() => currentValue(field('region')), { timeout: 2000 }).toBeUndefined();

    // An object in a JSON field of array shape, then "+ Add item" of the list right below.
    expect(await currentValue(field('ports'))).toEqual([80, 443]);
    await invalidThenClick('weights', '{"a": 1}', fieldBox('ports').getByRole('button', { name: 'Add item' }));
    await expect.poll(() => arrayInputs('ports').count(), { timeout: 2000 }).toBe(3);
  });

  it('the API-tokens screen: create (shown once, copied), revoke after confirmation', async () => {
    await page.goto(`${server.url}/instances`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.locator('tr[data-token-id]').first().waitFor();
    await expectAccessible('tokens');

    await page.getByLabel(/^Name/).fill('nightly report');
    await page.getByLabel('Role', { exact: true }).selectOption('OPERATOR');
    await page.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('region', { name: 'Token “nightly report” created' });
    await notice.waitFor();
    const value = await notice.getByLabel('New API token').inputValue();
    expect(value).toMatch(/^pf_[A-Za-z0-9_-]{43}$/);
    await notice.getByRole('button', { name: 'Copy' }).click();
    await notice.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    const row = page.locator('tr', { hasText: 'nightly report' });
    await row.getByText('by admin (PLUGFORM_ADMIN_TOKEN)').waitFor();
    await expectAccessible('tokens (new token shown)');
    await screenshot('tokens');

    // The token works for the API, and its use shows up in the list.
    const me = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${value}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(((await me.json()) as { data: { viewer: { role: string } } }).data.viewer.role).toBe('OPERATOR');

    await notice.getByRole('button', { name: 'Done' }).click();
    await notice.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(value);

    await row.getByRole('button', { name: 'Revoke nightly report' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Revoke “nightly report”?').waitFor();
    await expectAccessible('tokens (revoke dialog)');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText(/^Revoked/).waitFor();
    // Its Revoke button is gone: the focus is on the list's heading, not lost to <body>.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Tokens');
    const after = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${value}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(after.status).toBe(401);
  });

  it('the API-tokens screen: a service token scoped to one operation of one instance', async () => {
    const { pluginInstances } = await gql('{ pluginInstances(pluginName: "example-echo") { edges { node { id } } } }');
    const echoId = pluginInstances.edges[0].node.id as string;
    await page.getByLabel(/^Name/).fill('alert sender');
    await page.getByLabel('Role', { exact: true }).selectOption('SERVICE');
    const scopes = page.getByRole('group', { name: 'What it may call' });
    await scopes.getByRole('checkbox', { name: 'example-echo e2e (example-echo)' }).check();
    const operations = scopes.getByRole('group', { name: 'Operations of example-echo e2e' });
    await operations.getByRole('checkbox', { name: 'sendNotification' }).check();
    await expectAccessible('tokens (service token scopes)');
    await page.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('region', { name: 'Token “alert sender” created' });
    const value = await notice.getByLabel('New API token').inputValue();

    const row = page.locator('tr', { hasText: 'alert sender' });
    await row.getByRole('list', { name: 'May call' }).getByText('example-echo e2e: sendNotification', { exact: true }).waitFor();
    const { apiTokens } = await gql<{ apiTokens: { name: string; role: string; scopes: unknown }[] }>('{ apiTokens { name role scopes { instanceId operations } } }');
    expect(apiTokens.find((t) => t.name === 'alert sender')).toEqual({ name: 'alert sender', role: 'OPERATOR', scopes: [{ instanceId: echoId, operations: ['sendNotification'] }] });
    // It may send through that instance and may not read anything else.
    const asService = (query: string, variables: Record<string, unknown> = {}) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${value}` },
        body: JSON.stringify({ query, variables }),
      }).then((response) => response.json() as Promise<{ data?: any; errors?: { message: string }[] }>);
    const sent = await asService(
      'mutation ($id: ID!) { sendNotification(instanceId: $id, input: { recipient: "ops", message: "hello" }) { __typename } }',
      { id: echoId },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendNotification.__typename).toBe('MutationSendNotificationSuccess');
    expect((await asService('{ apiTokens { name } }')).errors?.[0]?.message).toMatch(/service token/);
    await expectAccessible('tokens (service token created)');
    await notice.getByRole('button', { name: 'Done' }).click();
  });

  it('the renderer demo, a failed save, the test result and the dialogs pass axe-core; the action bar stays in view', async () => {
    await page.goto(`${server.url}/demo/form`);
    await page.getByRole('heading', { name: 'New WhatsApp Business instance', level: 1 }).waitFor();
    await expectAccessible('demo form');

    // Long help is on screen, two lines tall until "More" opens it in place.
    await page.goto(`${server.url}/instances/new/slack`);
    const longHelp = fieldBox('testPostsMessage').locator('.pf-field__help').last();
    await longHelp.waitFor();
    const lineHeight = await longHelp.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    const clamped = (await longHelp.boundingBox())!.height;
    expect(Math.round(clamped / lineHeight)).toBe(2);
    await fieldBox('testPostsMessage').getByRole('button', { name: /^More about/ }).click();
    await expect.poll(async () => (await longHelp.boundingBox())!.height).toBeGreaterThan(clamped);

    // The longest form, scrolled to its middle: the sticky bar and the test's result stay on screen.
    await page.goto(`${server.url}/instances/new/every-field`);
    await fieldBox('flags').waitFor();
    await page.locator('#instance-name').fill('unsaved');
    await fieldBox('label').locator('input').fill('Middle');
    await fieldBox('endpoint').locator('input').fill('https://every-field.test/api');
    await fieldBox('apiKey').locator('input').fill(`every-${randomBytes(8).toString('hex')}`);
    const viewport = page.viewportSize()!;
    const scrollable = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(scrollable, 'the form is longer than two windows').toBeGreaterThan(viewport.height);
    await page.evaluate((to) => window.scrollTo(0, to), Math.round(scrollable / 2));
    const inView = async (locator: ReturnType<Page['locator']>) => {
      const box = (await locator.boundingBox())!;
      return box.y >= 0 && box.y + box.height <= viewport.height;
    };
    const bar = page.locator('.pf-form__actions');
    expect(await inView(bar), 'the action bar is on screen').toBe(true);
    expect(await inView(bar.getByRole('button', { name: 'Test connection' }))).toBe(true);
    expect(await inView(bar.getByRole('button', { name: 'Create instance' }))).toBe(true);
    await bar.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText('Every field arrived').waitFor();
    expect(await inView(result), 'the test result is on screen').toBe(true);
    const scrolledTo = await page.evaluate(() => window.scrollY);
    expect(scrolledTo > 0 && scrolledTo < scrollable, 'still in the middle of the form').toBe(true);
    await expectAccessible('test connection result');

    // A save refused by the form's own validation: errors on the fields, and the summary.
    await fieldBox('label').locator('input').fill('');
    await fieldBox('endpoint').locator('input').fill('not a url');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.getByTestId('error-summary').getByRole('link', { name: 'Label' }).waitFor();
    await fieldBox('endpoint').locator('.pf-field__error').filter({ hasText: /\S/ }).waitFor();
    await expectAccessible('form errors and summary');

    // Leaving the unsaved form asks first.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Instances' }).click();
    const leave = page.getByRole('alertdialog');
    await leave.getByText('Leave without saving?').waitFor();
    await expectAccessible('leave without saving dialog');
    await leave.getByRole('button', { name: 'Discard changes' }).click();
    await page.waitForURL(/\/instances$/);

    await page.getByRole('link', { name: 'example-echo e2e', exact: true }).click();
    await page.getByRole('heading', { name: 'example-echo e2e', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const remove = page.getByRole('alertdialog');
    await remove.getByText('Delete “example-echo e2e”?').waitFor();
    await expectAccessible('delete instance dialog');
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await remove.waitFor({ state: 'hidden' });
  });

  it('the instances list, wide and narrow, passes axe-core and says why an instance is unhealthy', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Instances' }).click();
    await expect.poll(() => page.locator('tbody tr[data-instance-id]').count()).toBe(pluginNames.length);
    await page.locator('.pf-live--on').waitFor();

    // Nothing listens where the Meilisearch instance points: its check fails, live, with a reason.
    const { pluginInstances } = await gql('{ pluginInstances(pluginName: "meilisearch") { edges { node { id } } } }');
    const meiliId = pluginInstances.edges[0].node.id as string;
    const { checkPluginInstanceHealth: check } = await gql(
      'mutation ($id: ID!) { checkPluginInstanceHealth(id: $id) { ... on MutationCheckPluginInstanceHealthSuccess { data { status message } } } }',
      { id: meiliId },
    );
    expect(check.data.status).toBe('UNHEALTHY');
    const row = page.locator(`tr[data-instance-id="${meiliId}"]`);
    await row.getByText('Unhealthy').waitFor();
    expect(await row.locator('.pf-health').getAttribute('title')).toBe(check.data.message); // the tooltip
    const reason = row.locator('.pf-health-reason');
    expect(await reason.textContent()).toBe(check.data.message);
    expect((await reason.boundingBox())!.width).toBeLessThanOrEqual(1); // wide: tooltip (and screen readers) only
    await expectAccessible('instances');

    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(async () => (await reason.boundingBox())!.width).toBeGreaterThan(20); // narrow: written out
    await expectAccessible('instances (narrow)');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('checked every page with axe-core, leaked no secret, logged no console errors and broke no CSP rule', async () => {
    // sign-in, empty list, catalog, 404 + three pages per plugin + tokens (5) + demo, result,
    // errors and two dialogs (5) + list (2)
    expect(axeChecked.length).toBe(4 + pluginNames.length * 3 + 5 + 5 + 2);
    expect(typedSecrets.length).toBeGreaterThan(10);
    expect(consoleErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});

async function screenshot(name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}
