/**
 * Headless Chromium for the playground's browser test and measurements:
 * Debian's /usr/bin/chromium through playwright-core, with the flags a
 * sandboxed container needs and a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The browser binary used. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why Chromium cannot be used here ('' when it can). */
export function chromiumMissing() {
  return existsSync(CHROMIUM) ? '' : `${CHROMIUM} not found (install Debian's chromium or set CHROMIUM_PATH)`;
}

/**
 * Launch headless Chromium with a fresh profile (a persistent context is how
 * playwright takes --user-data-dir).
 * @returns {Promise<{ context: import('playwright-core').BrowserContext, close: () => Promise<void> }>}
 */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'numdl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
