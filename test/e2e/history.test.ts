/**
 * Configuration history end to end, in Debian's Chromium against the real server: an instance
 * is created and updated twice in the console, then an operator opens its History, compares version 1 with
 * the current one field by field, rolls back after the confirmation that lists what changes,
 * and sees the new version on the timeline and the restored values in the configuration.
 * axe-core runs on the page with the diff and with the dialog shown.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ensureConsoleBuilt, launchChromium, openSignedInConsole, seriousAxeViolations } from './browser.ts';

let server: TestServer;
let storageDir: string;
let browser: Browser;
let page: Page;
let instanceId: string;
let consoleErrors: string[];

beforeAll(async () => {
  await ensureConsoleBuilt();
  storageDir = await mkdtemp(join(tmpdir(), 'plugform-e2e-history-'));
  server = await startTestServer({ pluginPaths: [], env: { PLUGFORM_LOCAL_STORAGE_ROOTS: storageDir } });

  browser = await launchChromium();

  const operatorToken = await server.tokenFor('operator', 'e2e-history');
  ({ page, consoleErrors } = await openSignedInConsole(browser, server.url, operatorToken));
}, 240_000); // may include building the console (and waiting for another e2e file's build)

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

async function expectNoSeriousAxeViolation(step: string): Promise<void> {
  expect(await seriousAxeViolations(page), `axe-core on "${step}"`).toEqual([]);
}

/** Clicks the form's submit button and waits for the instance page. */
async function submit(button: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForURL(/\/instances\/[^/]+$/);
}

describe('configuration history (Chromium, real server)', () => {
  it('creates an instance and updates it twice in the console', async () => {
    await page.goto(`${server.url}/instances/new/local-storage`);
    await page.locator('#instance-name').fill('archive');
    await page.getByLabel(/^Base directory/).fill(storageDir);
    await page.getByLabel(/^Max file size/).fill('1000');
    await submit('Create instance');
    instanceId = decodeURIComponent(page.url().split('/').at(-1)!);
    await page.getByRole('heading', { name: 'archive', level: 1 }).waitFor();

    for (const size of ['2000', '3000']) {
      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      await page.getByRole('heading', { name: 'Edit archive', level: 1 }).waitFor();
      await page.getByLabel(/^Max file size/).fill(size);
      await submit('Save changes');
      await page.getByText('Saved “archive”.').waitFor();
    }
    const stored = await server.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(stored).toMatchObject({ version: 3, config: { maxFileSize: 3000 } });
  });

  it('shows the versions, the diff with the current one, and rolls back to version 1 as version 4', async () => {
    await page.goto(`${server.url}/instances/${instanceId}`);
    const history = page.getByRole('region', { name: 'History' });
    const versions = history.getByRole('list', { name: 'Saved versions, newest first' }).getByRole('listitem');
    await expect.poll(() => versions.allTextContents()).toEqual([
      expect.stringMatching(/^Version 3Updatedby token:e2e-history.*Current$/),
      expect.stringMatching(/^Version 2Updatedby token:e2e-history/),
      expect.stringMatching(/^Version 1Createdby token:e2e-history/),
    ]);

    await history.getByRole('button', { name: 'Compare version 1 with the current one' }).click();
    const table = history.getByRole('table', { name: 'Settings that differ' });
    await table.waitFor();
    await expect.poll(() => table.getByRole('row').allTextContents()).toEqual([
      'SettingCurrentVersion 1',
      'Max file size (bytes)30001000',
    ]);
    await expectNoSeriousAxeViolation('History with the diff of version 1');

    await history.getByRole('button', { name: 'Roll back to version 1' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Roll back to version 1?' });
    await dialog.getByText('Max file size (bytes): 3000 → 1000').waitFor();
    await expectNoSeriousAxeViolation('rollback confirmation');
    await dialog.getByRole('button', { name: 'Roll back' }).click();

    await history.getByRole('status').getByText('Rolled back to version 1: saved as version 4.').waitFor();
    await expect.poll(() => versions.first().textContent()).toMatch(/^Version 4Rolled back from version 1by token:e2e-history.*Current$/);
    const stored = await server.running.services.prisma.pluginInstance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(stored).toMatchObject({ version: 4, config: { maxFileSize: 1000 } });
    await expect.poll(() => page.getByRole('region', { name: 'Configuration' }).textContent()).toContain('1000');
  });

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
