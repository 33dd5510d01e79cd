/**
 * Headless Chromium for the browser tests, driven by playwright-core (which
 * never downloads a browser: it uses the system's, Debian's `chromium`
 * package, or the one named by `CHROMIUM_PATH`). `.ci/run` installs the
 * package when it is missing; where there is still none, browser tests skip
 * with the reason from {@link chromiumSkipReason}.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Where the system's Chromium is, or null. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
}

/** `false` when Chromium is available, else why browser tests skip (for node:test's `skip`). */
export function chromiumSkipReason(): string | false {
  return chromiumPath() === null ? 'no Chromium (install Debian\'s chromium package or set CHROMIUM_PATH)' : false;
}

/**
 * Launch headless Chromium (playwright gives every launch a fresh temporary
 * profile). The flags keep it off the
 * network (this sandbox refuses outside connections; without them Chromium
 * keeps trying) and make it run as root in a container.
 * @returns the browser and its `close()`
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const exe = chromiumPath();
  if (exe === null) throw new Error(`launchChromium: ${chromiumSkipReason()}`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
