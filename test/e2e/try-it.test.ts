/**
 * The instance screen's "Try it" panel end to end, in Debian's Chromium against the real
 * server: an operator sends a test notification through a Slack instance pointed at a local
 * Slack double and sees the message id the double answered with; stores a small file through
 * a local-storage instance (a GraphQL multipart upload from the browser) and reads it back
 * through the signed download link; the Operations card counts the calls. axe-core runs on
 * the page with the panel's results shown.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance } from '../support/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSlackDouble, type SlackDouble } from '../support/vendors/slack.ts';
import { ensureConsoleBuilt, launchChromium, openSignedInConsole, seriousAxeViolations } from './browser.ts';

/** As in console.test.ts: committed screenshots only with PLUGFORM_UPDATE_SCREENSHOTS=1. */
const SHOTS = join(import.meta.dirname, process.env['PLUGFORM_UPDATE_SCREENSHOTS'] === '1' ? 'screenshots' : '.tmp/screenshots');
const SLACK_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const FILE_CONTENT = `Hello from the Try it panel ${randomBytes(4).toString('hex')}\n`;

let server: TestServer;
let slack: SlackDouble;
let storageDir: string;
let browser: Browser;
let page: Page;
let slackId: string;
let storageId: string;
let consoleErrors: string[];

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await ensureConsoleBuilt();
  storageDir = await mkdtemp(join(tmpdir(), 'plugform-e2e-files-'));
  [server, slack] = await Promise.all([
    startTestServer({ pluginPaths: [], env: { PLUGFORM_LOCAL_STORAGE_ROOTS: storageDir } }),
    startSlackDouble({ botToken: SLACK_TOKEN, webhookPath: '/services/T0/B0/x', channels: [{ id: 'C0ALERTS01', name: 'alerts', member: true }] }),
  ]);
  slackId = await createInstance(server, 'slack', 'alerts-slack', { mode: 'bot', botToken: SLACK_TOKEN, defaultChannel: '#alerts', apiBaseUrl: slack.apiBaseUrl, testPostsMessage: false });
  storageId = await createInstance(server, 'local-storage', 'team-files', { baseDirectory: storageDir, createIfMissing: true });

  browser = await launchChromium();

  // An operator, not an admin: the panel is for whoever may call operations.
  const operatorToken = await server.tokenFor('operator', 'e2e-operator');
  ({ page, consoleErrors } = await openSignedInConsole(browser, server.url, operatorToken));
}, 240_000); // may include building the console (and waiting for another e2e file's build)

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await slack?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

async function expectNoSeriousAxeViolation(step: string): Promise<void> {
  expect(await seriousAxeViolations(page), `axe-core on "${step}"`).toEqual([]);
}

describe('Try it panel (Chromium, real server)', () => {
  it('sends a test notification through Slack and shows the message id the vendor answered', async () => {
    await page.goto(`${server.url}/instances/${slackId}`);
    const panel = page.getByRole('region', { name: 'Try it' });
    const form = panel.getByRole('form', { name: /Send a test notification/ });
    await form.getByLabel(/^Recipient/).fill('#alerts');
    await form.getByLabel(/^Subject/).fill('Deploy');
    await form.getByLabel(/^Message/).fill('Deploy 42 finished');
    await form.getByRole('button', { name: 'Send notification' }).click();

    const result = form.getByRole('status', { name: /result/ });
    await result.getByText('Notification sent.').waitFor();
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]).toMatchObject({ via: 'api', channel: 'C0ALERTS01', body: { channel: '#alerts' } });
    expect(JSON.stringify(slack.posts[0]!.body)).toContain('Deploy 42 finished');
    // The double numbers its messages' timestamps: the first one ends in .000001.
    expect(await result.locator('dd').first().textContent()).toMatch(/^\d+\.000001$/);

    const operations = page.getByRole('region', { name: 'Operations' });
    await expect.poll(() => operations.locator('.pf-op-stats').textContent()).toMatch(/^Calls1Error rate0 %/);
    await expectNoSeriousAxeViolation('Slack instance, notification sent');
    await page.mouse.move(0, 0);
    await panel.screenshot({ path: join(SHOTS, 'try-it.png'), animations: 'disabled', caret: 'hide' });
  });

  it('stores a small file through local-storage and reads it back through the signed link, then lists it', async () => {
    await page.goto(`${server.url}/instances/${storageId}`);
    const panel = page.getByRole('region', { name: 'Try it' });
    const store = panel.getByRole('form', { name: /Store a file and read it back/ });
    await store.getByLabel(/^Key/).fill('e2e/hello.txt');
    await store.getByLabel(/^File/).setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from(FILE_CONTENT) });
    await store.getByRole('button', { name: 'Upload and read back' }).click();

    const result = store.getByRole('status', { name: /result/ });
    await result.getByText('Stored and read back through the signed download link.').waitFor();
    expect(await result.locator('pre').textContent()).toBe(FILE_CONTENT);
    expect(await readFile(join(storageDir, 'e2e/hello.txt'), 'utf8')).toBe(FILE_CONTENT);

    const list = panel.getByRole('form', { name: /List files/ });
    await list.getByRole('button', { name: 'List files' }).click();
    await list.getByRole('table', { name: 'Files' }).getByRole('cell', { name: 'e2e/hello.txt' }).waitFor();
    await expectNoSeriousAxeViolation('local-storage instance, file stored and listed');
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0)); // else the sticky header lands mid-page in a full-page shot
    await page.screenshot({ path: join(SHOTS, 'try-it-storage.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
