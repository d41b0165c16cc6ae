import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails at once, before a service is started, when Debian's Chromium is missing. */
export function assertChromium(): void {
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`);
}

/** Debian's Chromium, headless, without the background connections this machine's closed network refuses. */
export function launchChromium(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The options of every page the browser tests open. Motion is reduced, as a user may ask for, so
 * Cloudscape shows a flash or a dialog in its final state at once: axe, run while a flash fades
 * in, reports its text at part opacity as low contrast (CI runs found that twice, and waiting for
 * the running animations was not enough, since a fade can start while axe is already reading).
 */
export const pageOptions: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' };
