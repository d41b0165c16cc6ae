/**
 * A console browser session for tests: `npm start` on its own ports and data directory, Debian's
 * Chromium, sign-in on the local OpenID provider's form, the API called with the stack's own tokens,
 * axe-core's serious findings, and screenshots under test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { localIssuer } from '../../local/identity';
import { waitFor } from '../../local/net';
import { launchChromium, pageOptions } from './browser';
import { type RunningService, startService } from './process';
import { putDirectoryUser, type TestUser, users } from './stack';

export interface ConsoleSession {
  apiUrl: string;
  mailUrl: string;
  api(method: string, path: string, as: TestUser, body?: unknown): Promise<any>;
  /** Opens a console address in a fresh browser context and signs in on the provider's form (with the optional name when given). */
  signIn(user: TestUser & { name?: string }, path: string, options?: BrowserContextOptions): Promise<Page>;
  stop(): Promise<void>;
}

export async function startConsole(screenshotDir: string): Promise<ConsoleSession> {
  mkdirSync(screenshotDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-console-'));
  let service: RunningService | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const stop = async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // The people the tests act as, in the user directory as the token command puts them.
    for (const user of Object.values(users)) putDirectoryUser(dataDir, user);
    service = await startService(dataDir);
    const apiUrl = service.apiUrl;
    // npm start builds the console when it is missing or stale; the page is there once it answers 200.
    await waitFor(async () => (await fetch(`${apiUrl}/console/`)).status === 200, { timeoutMs: 120_000, what: 'the console to be built' });
    browser = await launchChromium();
    const opened = browser;
    const api = async (method: string, path: string, as: TestUser, body?: unknown) => {
      const issuer = await localIssuer(dataDir);
      putDirectoryUser(dataDir, as);
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await issuer.sign(as)}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      const parsed = (await response.json()) as any;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
      return parsed;
    };
    const signIn = async (user: TestUser & { name?: string }, path: string, options: BrowserContextOptions = {}) => {
      const context = await opened.newContext({ ...pageOptions, ...options });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${apiUrl}/console${path}`);
      await page.locator('input[name="sub"]').fill(user.sub);
      await page.locator('input[name="email"]').fill(user.email);
      if (user.name) await page.locator('input[name="name"]').fill(user.name);
      await page.locator('input[name="groups"]').fill((user.groups ?? []).join(','));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.href.startsWith(`${apiUrl}/console${path.split('?')[0]}`));
      await page.locator('#top-nav').getByText(user.email, { exact: true }).locator('visible=true').first().waitFor();
      page.on('close', () => expect(errors).toEqual([]));
      return page;
    };
    return { apiUrl, mailUrl: service.mailUrl, api, signIn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** axe-core's serious and critical findings on the page (opened with pageOptions, so nothing on it is still fading in). */
export async function seriousViolations(page: Page): Promise<string[]> {
  expect(await page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")).toBe(true);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/**
 * Picks `option` in a Cloudscape select (`select` is its button) and waits until the select shows
 * it. The page can still move while the dropdown opens (in one failed run the side navigation had
 * closed and the dropdown opened above the field), so a click can land beside the option and leave
 * the choice unmade: it is picked again until the select shows it.
 */
export async function chooseOption(page: Page, select: Locator, option: string | RegExp): Promise<void> {
  const item = page.getByRole('option', { name: option, exact: typeof option === 'string' });
  const shown = async () => {
    // biome-ignore lint/performance/useDomNodeTextContent: what the select shows, not its hidden labels
    const text = (await select.innerText()).trim();
    return typeof option === 'string' ? text.includes(option) : option.test(text);
  };
  let picked = false;
  await waitFor(
    async () => {
      if (picked && (await shown())) return true;
      if (!(await item.isVisible())) await select.click();
      await item.click({ timeout: 5_000 });
      picked = true;
      return shown();
    },
    { timeoutMs: 30_000, what: `the select to show ${option}` },
  );
}

/** Picks each of `options` in a Cloudscape multiselect (`select` is its button) as chooseOption does, each until it is selected, and closes the list. */
export async function chooseOptions(page: Page, select: Locator, options: ReadonlyArray<string | RegExp>): Promise<void> {
  for (const option of options) {
    const item = page.getByRole('option', { name: option, exact: typeof option === 'string' });
    const selected = async () => (await item.getAttribute('aria-selected')) === 'true';
    await waitFor(
      async () => {
        if (!(await item.isVisible())) await select.click();
        if (!(await selected())) await item.click({ timeout: 5_000 });
        return selected();
      },
      { timeoutMs: 30_000, what: `${option} to be selected` },
    );
  }
  await page.keyboard.press('Escape');
}

export async function screenshot(page: Page, path: string, fullPage = true): Promise<void> {
  // A full-page screenshot of a scrolled page draws the sticky top navigation mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage });
}
