/**
 * The console end to end, in Debian's Chromium (playwright-core) against the real server
 * started in-process, with a local WhatsApp Cloud API double behind the WhatsApp Business
 * plugin (`apiBaseUrl`). One admin's session, step by step: sign in, the catalog, a new
 * instance with invalid then valid input, Test Connection, save, reload, edit without
 * retyping the secret, the table with live health, delete.
 *
 * Write-only secrets: after every step the test fails if the access token appears in the
 * DOM (`page.content()`) or in any response the browser received. Streamed responses (the
 * SSE subscription) cannot be read by the browser's tooling, so the test reads the same
 * event stream itself. Any console error or uncaught exception fails the run too.
 *
 * Screenshots of the main screens go to test/e2e/.tmp/screenshots/, or, with
 * PLUGFORM_UPDATE_SCREENSHOTS=1, to the committed test/e2e/screenshots/ (linked from the README),
 * so an ordinary run leaves the working tree clean.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app/start-server.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startWhatsAppDouble, type WhatsAppDouble } from '../support/vendors/whatsapp.ts';
import { ensureConsoleBuilt, launchChromium } from './browser.ts';

const SHOTS = join(import.meta.dirname, process.env['PLUGFORM_UPDATE_SCREENSHOTS'] === '1' ? 'screenshots' : '.tmp/screenshots');
const ADMIN_TOKEN = `pf_e2e_admin_${randomBytes(12).toString('hex')}`;
/** The WhatsApp access token: typed once into the form, then never seen again. */
const SECRET = `EAAGe2e${randomBytes(20).toString('hex')}`;
const WABA_ID = '102290129340398';
const PHONE_ID = '106540352242922';

let dataDir: string;
let server: RunningServer;
let whatsapp: WhatsAppDouble;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let instanceId: string;
const consoleErrors: string[] = [];
/** Content Security Policy violations the page reported, and the policies its documents came with. */
const cspViolations: string[] = [];
const documentPolicies: string[] = [];
const leaks: string[] = [];
const bodyChecks: Promise<void>[] = [];
/** GraphQL responses whose bodies were read and checked (proof the check is not vacuous). */
let graphqlBodiesChecked = 0;
/** Console errors the test provokes on purpose (Chromium logs a refused request). */
let expectedConsoleError: RegExp | undefined;
const stream = { text: '', stop: () => {} };

// ---------------------------------------------------------------------------------------
// Setup

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

/** The health subscription as the console receives it (SSE), read by the test itself. */
function watchHealthEvents(): void {
  const controller = new AbortController();
  stream.stop = () => controller.abort();
  void fetch(`${server.url}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query: 'subscription { pluginInstanceHealthChanged { instanceId status previousStatus check { message details } } }' }),
  })
    .then(async (response) => {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        stream.text += decoder.decode(value, { stream: true });
      }
    })
    .catch(() => {});
}

function checkResponse(response: Response): void {
  if (response.request().resourceType() === 'document') documentPolicies.push(response.headers()['content-security-policy'] ?? '');
  const type = response.headers()['content-type'] ?? '';
  if (type.includes('text/event-stream')) return; // streamed: read by watchHealthEvents instead
  bodyChecks.push(
    response
      .text()
      .then((text) => {
        if (response.url().endsWith('/graphql')) graphqlBodiesChecked += 1;
        if (text.includes(SECRET)) leaks.push(`${response.request().method()} ${response.url()}`);
      })
      .catch(() => {}), // bodies of redirects and aborted requests are unavailable
  );
}

/** The secret is nowhere in the page or in what the browser received so far. */
async function expectNoLeak(step: string): Promise<void> {
  expect(await page.content(), `the DOM after "${step}" contains the secret`).not.toContain(SECRET);
  await Promise.all(bodyChecks.splice(0));
  expect(leaks, `responses containing the secret (after "${step}")`).toEqual([]);
}

async function screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const toast = page.getByRole('button', { name: 'Dismiss' });
  if (await toast.count()) await toast.click();
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled', caret: 'hide' });
}

/** A form control by its label (the label's ⓘ button shares the words, so only inputs count). */
const field = (label: string) => page.locator('input, textarea').and(page.getByLabel(label));

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await ensureConsoleBuilt();
  whatsapp = await startWhatsAppDouble({
    token: SECRET,
    businessAccountId: WABA_ID,
    phoneNumberId: PHONE_ID,
    displayPhoneNumber: '+1 555-010-0200',
    verifiedName: 'Acme Support',
  });
  dataDir = await mkdtemp(join(tmpdir(), 'plugform-e2e-'));
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PLUGFORM_DATA_DIR: dataDir,
    PLUGFORM_ADMIN_TOKEN: ADMIN_TOKEN,
    PLUGIN_PATHS: join(import.meta.dirname, 'fixtures/legacy-crm.ts'),
    PLUGFORM_HEALTH_INTERVAL: '86400', // checks run when the test asks for them
  };
  server = await startServer({ config: loadConfig(env), logger: createLogger({ level: 'error', sink: () => {} }), announce: () => {} });
  watchHealthEvents();

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  // The console runs under the server's strict CSP: any violation (an inline style, a script
  // from elsewhere) is reported here and fails the run.
  await context.exposeBinding('reportCspViolation', (_source, text: string) => void cspViolations.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    if (expectedConsoleError?.test(message.text())) return;
    consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on('response', checkResponse);
}, 240_000); // may include building the console (and waiting for the other e2e file's build) on a busy machine

afterAll(async () => {
  stream.stop();
  await browser?.close();
  await server?.close();
  await whatsapp?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// The session

describe('console (Chromium, real server)', () => {
  it('sends a visitor to sign in, refuses a wrong token and signs in with the admin token', async () => {
    await page.goto(`${server.url}/instances`);
    await page.waitForURL(/\/sign-in\?next=%2Finstances$/);
    await expect.poll(() => page.title()).toBe('Sign in · Plugform');
    await screenshot('sign-in');

    expectedConsoleError = /status of 401/;
    await page.getByLabel('API token').fill('pf_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This API token is unknown or has been revoked').waitFor();
    expectedConsoleError = undefined;

    await page.getByLabel('API token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/instances$/);
    await page.getByRole('heading', { name: 'No instances yet' }).waitFor();
    await expect.poll(() => page.getByLabel('Role: Admin').isVisible()).toBe(true);
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(['plugform.apiToken']);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await expectNoLeak('sign in');
  });

  it('lists the plugins, filters them and shows the one that failed to load', async () => {
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.getByRole('heading', { name: 'Plugins', level: 1 }).waitFor();
    await page.getByText('1 plugin could not be loaded').waitFor();
    await page.getByText('fixtures/legacy-crm.ts').waitFor();
    await page.getByRole('heading', { name: 'WhatsApp Business' }).waitFor();
    await screenshot('catalog');

    await page.getByRole('combobox', { name: 'Type' }).selectOption('STORAGE');
    await expect.poll(() => page.locator('.pf-plugin').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('heading', { name: 'WhatsApp Business' }).count()).toBe(0);
    await page.getByRole('combobox', { name: 'Type' }).selectOption('');
    await page.getByRole('searchbox', { name: 'Search' }).fill('whatsapp');
    await expect.poll(() => page.locator('.pf-plugin').count()).toBe(1);
    await page.getByRole('link', { name: 'Add instance of WhatsApp Business' }).click();
    await page.waitForURL(/\/instances\/new\/whatsapp-business$/);
    await page.getByRole('heading', { name: 'New WhatsApp Business instance' }).waitFor();
    await expectNoLeak('catalog');
  });

  it('shows field errors for invalid input, as the user types and on submit', async () => {
    await page.locator('#instance-name').fill('Support line');
    await field('Business Phone Number').fill('5550100');
    await field('API Access Token').fill('too-short');
    await field('Business Account ID').fill('WABA-1');
    await field('Phone Number ID').fill(PHONE_ID);
    await page.getByRole('button', { name: 'Create instance' }).click();

    // Nothing was sent: the form validated with the SDK's validateConfig and kept the user here.
    const fieldError = (key: string) => page.locator(`[data-field="${key}"] .pf-field__error`);
    await fieldError('phoneNumber').getByText('must be a phone number in E.164 format').waitFor();
    await fieldError('businessAccountId').getByText('The WhatsApp Business Account ID is a number').waitFor();
    // The error summary links to each of them.
    await page.getByTestId('error-summary').getByRole('link', { name: 'Business Phone Number' }).waitFor();
    expect(await field('Business Phone Number').getAttribute('aria-invalid')).toBe('true');
    expect(await field('API Access Token').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('phoneNumber');
    expect(page.url()).toMatch(/\/instances\/new\/whatsapp-business$/);
    await screenshot('form-errors', { fullPage: false });
    await expectNoLeak('invalid input');
  });

  it('tests the connection before saving: a failure with the reason, then a success', async () => {
    await field('Business Phone Number').fill('+15550100200');
    await field('API Access Token').fill(SECRET);
    await field('Business Account ID').fill(WABA_ID);
    await field('Phone Number ID').fill('999000111');
    await field('API Base URL').fill(whatsapp.url);

    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText('Connection failed').waitFor();
    await result.getByText("Object with ID '999000111' does not exist", { exact: false }).waitFor();

    await field('Phone Number ID').fill(PHONE_ID);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await result.getByText('Connection succeeded').waitFor();
    await result.getByText('Connected to WhatsApp Cloud API as Acme Support (+1 555-010-0200)').waitFor();
    expect(await result.textContent()).toMatch(/\d+ ms/);
    expect(whatsapp.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(page.url()).toMatch(/\/instances\/new\//); // a test never saves
    await expectNoLeak('test connection');
  });

  it('puts a server-side field error on its field, then saves', async () => {
    // Meanwhile, another operator created two instances; one of them has the name the user is about to choose.
    const create = 'mutation ($input: CreatePluginInstanceInput!) { createPluginInstance(input: $input) { __typename } }';
    const marketing = await gql(create, {
      input: {
        pluginName: 'whatsapp-business',
        name: 'Marketing line',
        configuration: { phoneNumber: '+15550100999', businessAccountId: WABA_ID, phoneNumberId: PHONE_ID, apiBaseUrl: whatsapp.url },
        secrets: [{ key: 'apiToken', value: `EAAGother${randomBytes(12).toString('hex')}` }],
      },
    });
    const echo = await gql(create, {
      input: {
        pluginName: 'example-echo',
        name: 'Order events (staging)',
        enabled: false,
        configuration: { senderName: 'Staging' },
        secrets: [{ key: 'apiToken', value: `echo-${randomBytes(8).toString('hex')}` }],
      },
    });
    expect([marketing.createPluginInstance.__typename, echo.createPluginInstance.__typename]).toEqual([
      'MutationCreatePluginInstanceSuccess',
      'MutationCreatePluginInstanceSuccess',
    ]);

    await page.locator('#instance-name').fill('Marketing line');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.locator('#instance-name-error').getByText('already', { exact: false }).waitFor();
    expect(await page.locator('#instance-name').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('instance-name');

    await page.locator('#instance-name').fill('Support line');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.waitForURL(/\/instances\/[^/]+$/);
    instanceId = decodeURIComponent(page.url().split('/').at(-1)!);
    await page.getByRole('heading', { name: 'Support line', level: 1 }).waitFor();
    await page.getByText('Created “Support line”.').waitFor();
    await expectNoLeak('save');
  });

  it('shows the instance: masked configuration, live health with history, audit', async () => {
    await page.getByRole('button', { name: 'Check now' }).click();
    await page.locator('.pf-health-panel__now').getByText('Healthy').waitFor();
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => page.locator('.pf-timeline__tick').count()).toBe(2);
    await page.locator('.pf-audit').getByText('Created').waitFor();
    await page.locator('[data-key="apiToken"]').getByText(/^Set · changed/).waitFor();
    await page.locator('[data-key="phoneNumber"]').getByText('+15550100200').waitFor();
    await page.getByText('Checked: Healthy', { exact: false }).waitFor({ state: 'attached' });
    await screenshot('detail');
    await expectNoLeak('detail');
  });

  it('after a reload, still signed in, shows the secret as set and never prefills it', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Support line', level: 1 }).waitFor();
    await page.locator('[data-key="apiToken"]').getByText(/^Set · changed/).waitFor();

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await page.getByRole('heading', { name: 'Edit Support line' }).waitFor();
    const token = page.locator('[data-field="apiToken"]');
    await token.getByText(/Set · changed/).waitFor();
    expect(await token.locator('input[type="password"]').count()).toBe(0); // Replace opens one, empty
    expect(await field('Business Phone Number').inputValue()).toBe('+15550100200');
    await expectNoLeak('edit form');
  });

  it('edits without retyping the secret: the stored token is still the one used', async () => {
    await field('Retry Count').fill('5');
    whatsapp.reset();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('test-result').getByText('Connection succeeded').waitFor();
    expect(whatsapp.requests.length).toBeGreaterThan(0);
    expect(whatsapp.requests.every((r) => r.headers.authorization === `Bearer ${SECRET}`)).toBe(true);

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(new RegExp(`/instances/${instanceId}$`));
    await page.getByText('Saved “Support line”.').waitFor();
    await page.locator('[data-key="retryCount"]').getByText('5').waitFor();
    await page.locator('.pf-audit__item').first().getByText('Retry Count').waitFor();

    // The live provider was rebuilt with the stored token: its health check authenticates.
    whatsapp.reset();
    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByText('Checked: Healthy', { exact: false }).waitFor({ state: 'attached' });
    expect(whatsapp.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
    await expectNoLeak('edit');
  });

  it('lists the instances, sorts and filters them, and updates health live', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    const rows = page.locator('tbody tr[data-instance-id]');
    await expect.poll(() => rows.count()).toBe(3);
    await page.locator('.pf-live--on').waitFor();
    const names = () => rows.locator('th').allTextContents();
    expect(await names()).toEqual(['Marketing line', 'Order events (staging)', 'Support line']);

    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(names).toEqual(['Support line', 'Order events (staging)', 'Marketing line']);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Name');
    await page.getByRole('button', { name: 'Status' }).click();
    await expect.poll(names).toEqual(['Marketing line', 'Support line', 'Order events (staging)']); // active first
    await page.getByRole('button', { name: 'Name' }).click();

    // The server checks the marketing line (its token is not the one Meta knows): the badge turns red without a reload.
    const marketing = page.locator('tr', { hasText: 'Marketing line' });
    await marketing.getByText('Unknown').waitFor();
    const { pluginInstances } = await gql('{ pluginInstances(pluginName: "whatsapp-business") { edges { node { id name } } } }');
    const marketingId = pluginInstances.edges.find((e: { node: { name: string } }) => e.node.name === 'Marketing line').node.id;
    await gql('mutation ($id: ID!) { checkPluginInstanceHealth(id: $id) { __typename } }', { id: marketingId });
    await marketing.getByText('Unhealthy').waitFor();
    await page.locator(`tr[data-instance-id="${instanceId}"]`).getByText('Healthy').waitFor();
    await screenshot('instances');

    await page.getByRole('searchbox', { name: 'Search' }).fill('support');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByRole('combobox', { name: 'Health' }).selectOption('UNHEALTHY');
    await page.getByRole('heading', { name: 'No instances match these filters' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('combobox', { name: 'Enabled' }).selectOption('no');
    await expect.poll(names).toEqual(['Order events (staging)']);
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expectNoLeak('instances');
  });

  it('is usable on a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Support line' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot('instances-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('deletes after confirmation, with the keyboard only', async () => {
    await page.getByRole('link', { name: 'Support line' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Support line', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Delete “Support line”?').waitFor();
    // Cancel has the focus: Enter alone never deletes. Escape closes the dialog.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete instance');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/instances$/);
    await page.getByText('Deleted “Support line”.').waitFor();
    await expect.poll(() => page.locator('tbody tr[data-instance-id]').count()).toBe(2);
    const left = await gql<{ pluginInstance: unknown }>('query ($id: ID!) { pluginInstance(id: $id) { id } }', { id: instanceId });
    expect(left.pluginInstance).toBeNull();
    await expectNoLeak('delete');
  });

  it('signs out, and a revoked token sends the user back to sign in with a message', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    const created = await gql<{ createApiToken: { data: { token: string; apiToken: { id: string } } } }>(
      'mutation { createApiToken(name: "e2e viewer", role: VIEWER) { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }',
    );
    const { token, apiToken } = created.createApiToken.data;
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/instances$/);
    await expect.poll(() => page.getByLabel('Role: Viewer').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'New instance' }).count()).toBe(0); // read-only

    await gql('mutation ($id: ID!) { revokeApiToken(id: $id) { __typename } }', { id: apiToken.id });
    expectedConsoleError = /status of 401/;
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByText('Your API token was not accepted').waitFor();
    expectedConsoleError = undefined;
    await expectNoLeak('sign out');
  });

  it('never let the secret out, and logged no console errors', async () => {
    await Promise.all(bodyChecks.splice(0));
    expect(leaks).toEqual([]);
    expect(graphqlBodiesChecked).toBeGreaterThan(30);
    expect(stream.text).toContain('pluginInstanceHealthChanged'); // the stream was read …
    expect(stream.text).not.toContain(SECRET); // … and holds no secret
    expect(consoleErrors).toEqual([]);
  });

  it('ran under a strict Content Security Policy without a single violation', () => {
    expect(documentPolicies.length).toBeGreaterThan(0);
    for (const policy of documentPolicies) {
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
    }
    expect(cspViolations).toEqual([]);
  });
});
