/**
 * The numerics in a real browser: the flagship network (Peaks, opening 2 → 8,
 * 16 residual tanh steps of width 8, T = 4, softmax, 1000 training points)
 * trained for 10 Newton-CG iterations in headless Chromium — on the page's
 * thread and in a Web Worker — with numdl bundled by esbuild for the browser
 * (by its package name, so through `exports`). The WebAssembly kernels must be
 * what runs there: the local-memory build on an ordinary page, the shared one
 * on a cross-origin isolated page. The same training in Node gives the
 * reference. Skips without Chromium (see test/helpers/chromium.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js';
import { serveFiles, type StaticServer } from '../helpers/staticServer.js';
import { trainFlagship, type FlagshipReport } from './fixtures/flagship.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const ITERATIONS = 10;
const skip = chromiumSkipReason() || (existsSync(join(root, 'dist', 'index.js')) ? false : 'dist/ missing: run npm run build');

let browser: Browser | undefined;
let closeBrowser: (() => Promise<void>) | undefined;
let plain: StaticServer | undefined;
let isolated: StaticServer | undefined;
let nodeReport: FlagshipReport;

/** Bundle a fixture for the browser as one classic script. */
async function bundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [join(here, 'fixtures', entry)], bundle: true, platform: 'browser', format: 'iife', target: 'chrome120',
    write: false, logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

before(async () => {
  if (skip) return;
  const [page, worker] = await Promise.all([bundle('page.ts'), bundle('worker.ts')]);
  const files = { 'index.html': '<!doctype html><meta charset="utf-8"><title>numdl</title><script src="page.js"></script>', 'page.js': page, 'worker.js': worker };
  plain = await serveFiles(files);
  isolated = await serveFiles(files, true);
  ({ browser, close: closeBrowser } = await launchChromium());
  nodeReport = trainFlagship(ITERATIONS);
});

after(async () => {
  await closeBrowser?.();
  await plain?.close();
  await isolated?.close();
});

/** Open the page of `server`, run `fn` in it, and pass on the page's errors. */
async function inPage<T>(server: StaticServer, fn: (p: import('playwright-core').Page) => Promise<T>): Promise<T> {
  const context = await browser!.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(server.url);
    const out = await fn(page);
    assert.deepEqual(errors, [], 'errors on the page');
    return out;
  } finally {
    await context.close();
  }
}

/** What every run must show: WebAssembly kernels, a real decrease, the accuracy, agreement with Node. */
function checkReport(where: string, r: FlagshipReport, sharedMemory: boolean): void {
  console.log(`${where}: ${r.info}; ${r.iterations} Newton-CG iterations, objective ${r.value0.toFixed(4)} → ${r.value.toFixed(6)} `
    + `(Node ${nodeReport.value.toFixed(6)}), train ${(100 * r.trainAcc).toFixed(1)} %, validation ${(100 * r.valAcc).toFixed(1)} %, ${Math.round(r.ms)} ms`);
  assert.equal(r.backend, 'wasm', `${where}: kernels ${r.info}`);
  assert.equal(r.sharedMemory, sharedMemory, `${where}: ${r.info}`);
  assert.equal(r.threads, 1, `${where}: no worker threads in a browser yet`);
  assert.equal(r.iterations, ITERATIONS);
  assert.equal(r.value0, nodeReport.value0, `${where}: same data and initial weights as in Node`);
  assert.ok(r.value < 0.3 * r.value0, `${where}: objective ${r.value0} → ${r.value}`);
  assert.ok(r.trainAcc >= 0.85 && r.valAcc >= 0.85, `${where}: accuracy train ${r.trainAcc}, validation ${r.valAcc}`);
  // Same algorithm and data; only the rounding of the kernels' sums (thread split, build) may differ.
  assert.ok(Math.abs(r.value - nodeReport.value) <= 1e-6 * nodeReport.value, `${where}: objective ${r.value} vs ${nodeReport.value} in Node`);
  assert.ok(Math.abs(r.valAcc - nodeReport.valAcc) <= 0.005, `${where}: validation accuracy ${r.valAcc} vs ${nodeReport.valAcc} in Node`);
}

test('the flagship trains on a page in headless Chromium with the WebAssembly kernels (local memory)', { skip }, async () => {
  const r = await inPage(plain!, (p) => p.evaluate((n) => (globalThis as unknown as { numdlTrainInPage(n: number): FlagshipReport }).numdlTrainInPage(n), ITERATIONS));
  checkReport('page', r, false);
});

test('the flagship trains in a Web Worker in headless Chromium', { skip }, async () => {
  const r = await inPage(plain!, (p) => p.evaluate(
    (n) => (globalThis as unknown as { numdlTrainInWorker(u: string, n: number): Promise<FlagshipReport> }).numdlTrainInWorker('worker.js', n), ITERATIONS,
  ));
  checkReport('worker', r, false);
});

test('on a cross-origin isolated page the shared-memory kernels load and train the same', { skip }, async () => {
  const r = await inPage(isolated!, async (p) => {
    assert.equal(await p.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), true);
    return p.evaluate((n) => (globalThis as unknown as { numdlTrainInPage(n: number): FlagshipReport }).numdlTrainInPage(n), ITERATIONS);
  });
  checkReport('isolated page', r, true);
});
