/**
 * What the end-to-end suites share: the console build, Debian's Chromium through
 * playwright-core, and axe-core run inside the page.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONSOLE_DIR } from '../../server/app/static-console.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Held while one test file builds the console: e2e files run in parallel workers. */
const BUILD_LOCK = join(ROOT, 'web/.build-lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * Builds web/dist when it is missing or older than the console's sources. One build at a
 * time: a second e2e file waits for the first's build (a lock directory, created atomically)
 * and then finds it fresh, instead of building the same output concurrently.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const heldSince = (await stat(BUILD_LOCK).catch(() => null))?.mtimeMs;
      if (heldSince !== undefined && Date.now() - heldSince > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      else await delay(250); // another file is building; poll for its lock to go
    }
  }
  try {
    await buildIfStale();
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

async function buildIfStale(): Promise<void> {
  const builtAt = (await stat(join(CONSOLE_DIR, 'index.html')).catch(() => null))?.mtimeMs ?? 0;
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'plugins/sdk'];
  let newest = 0;
  for (const source of sources) {
    const path = join(ROOT, source);
    const info = await stat(path);
    if (info.isFile()) newest = Math.max(newest, info.mtimeMs);
    else {
      for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  if (builtAt >= newest) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
}

/** Debian's Chromium (never a downloaded one), without background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
  });
}

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations.
 * label-content-name-mismatch (WCAG 2.5.3, label in name) ships disabled as experimental:
 * it is turned on, since it is the rule a catalog link once broke.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol, not an inline <script>: the console's CSP
  // (script-src 'self') would block that, and must stay strict while axe runs.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const results = await run(document, { rules: { 'label-content-name-mismatch': { enabled: true } }, resultTypes: ['violations'] });
    return results.violations.map((v) => ({ rule: v.id, impact: v.impact ?? '', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * A console page in a fresh context (1280×900, light, en-US, UTC), signed in with `token`, on
 * the instances list; `consoleErrors` collects the page's errors, warnings and uncaught
 * exceptions for a suite to assert none.
 */
export async function openSignedInConsole(browser: Browser, consoleUrl: string, token: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(`${consoleUrl}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/instances$/);
  return { page, consoleErrors };
}
