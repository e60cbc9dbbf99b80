/**
 * Headless Chromium for the UI tests (Debian's /usr/bin/chromium driven by playwright-core):
 * every page records console errors, page errors and every request URL, so tests can assert
 * "no console errors" and "nothing left loopback".
 */
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. In CI a missing browser is a failure, not a skip. */
export function browserMissing(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  if (process.env.CI) throw new Error(`${chromiumPath} is missing (apt-get install chromium); browser tests must run in CI`);
  return `${chromiumPath} not installed (apt-get install chromium)`;
}

/** A page with what it logged and requested. */
export interface WatchedPage {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Launches Chromium; closed after the test. */
export async function launch(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  return browser;
}

/** Opens a page that records console errors and requests. */
export async function watchedPage(browser: Browser, viewport = { width: 1400, height: 900 }, colorScheme: 'light' | 'dark' = 'light'): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  return { page, errors, requests };
}

/** Requests that went anywhere but loopback (data: URLs are local too). */
export function offLoopback(requests: readonly string[]): string[] {
  return requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    const host = new URL(u).hostname;
    return !(host === '127.0.0.1' || host === 'localhost' || host === '[::1]');
  });
}
