import { buildPlayground } from '/work/wt/playground/playground/scripts/build.mjs';
import { serveStatic } from '/work/wt/playground/playground/scripts/serve.mjs';
import { launchChromium } from '/work/wt/playground/test/helpers/chromium.ts';
const dir = await buildPlayground();
const server = await serveStatic(dir, 0);
const { browser, close } = await launchChromium(); const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
const page = await context.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(server.url + (process.argv[2] ?? ''));
await page.waitForTimeout(1500);
const t0 = Date.now();
await page.click('[data-testid=train]');
for (let i = 0; i < 120; i++) {
  await page.waitForTimeout(500);
  const v = await page.textContent('[data-testid=val-accuracy]');
  const it = await page.textContent('[data-testid=iteration]');
  const t90 = await page.textContent('[data-testid=time-to-90]');
  if (i % 4 == 0) console.log(((Date.now()-t0)/1000).toFixed(1), it, v, t90);
  if (t90 !== '–' && i > 6) break;
}
await page.screenshot({ path: '/work/wt/playground/out/try.png', fullPage: true });
console.log(await page.textContent('[data-testid=message]'), await page.textContent('#kernels'));
await close(); await server.close();
