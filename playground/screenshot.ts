/**
 * The README's screenshot of the playground: the default configuration
 * trained for its 50 Newton-CG iterations, in headless Chromium.
 *
 *   npx tsx playground/screenshot.ts [--out docs/figures/playground.png] [--phone out/playground-phone.png]
 */
import { chromiumSkipReason, launchChromium } from '../test/helpers/chromium.js';
// @ts-expect-error -- plain ESM build scripts without type declarations
import { buildPlayground } from './scripts/build.mjs';
// @ts-expect-error -- plain ESM build scripts without type declarations
import { serveStatic } from './scripts/serve.mjs';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  const skip = chromiumSkipReason();
  if (skip) {
    console.log(`screenshot: ${skip}`);
    return;
  }
  const server = await serveStatic(await buildPlayground({ outdir: 'out/playground-site' }), 0);
  const { browser, close } = await launchChromium();
  try {
    const shots: [string, { width: number; height: number }, boolean][] = [
      [arg('out', 'docs/figures/playground.png'), { width: 1280, height: 1120 }, false],
      [arg('phone', 'out/playground-phone.png'), { width: 390, height: 844 }, true],
    ];
    for (const [file, viewport, full] of shots) {
      const page = await browser.newPage({ viewport });
      await page.goto(server.url);
      await page.waitForFunction(`document.querySelectorAll('#table tbody tr').length >= 1`, null, { timeout: 60_000 });
      await page.click('[data-testid="train"]');
      await page.waitForFunction(`document.querySelector('#train').disabled && document.querySelector('#pause').disabled`, null, { timeout: 300_000, polling: 250 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: file, fullPage: full });
      console.log(`screenshot: ${file}`);
      await page.close();
    }
  } finally {
    await close();
    await server.close();
  }
}

await main();
