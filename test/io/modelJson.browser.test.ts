/**
 * Saving and loading in a real browser (headless Chromium): the io module is
 * browser-safe, a model saved in Node loads in the browser and one saved in
 * the browser loads in Node, with bit-identical scores (TypeScript kernels on
 * both sides, so that neither side's choice of WebAssembly build matters).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as nd from '../../src/index.js';
import { chromiumSkipReason, launchChromium } from '../helpers/chromium.js';
import { withBackend } from '../helpers/backend.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Runs in the page: load the Node-saved model, predict, and save one of its own.
const PAGE = `
// The numerics' modules (the main entry still holds Node-only data loaders).
import * as core from './src/core/index.ts';
import * as io from './src/io/index.ts';
import { singleLayer } from './src/layers/index.ts';
import { continuousResnet } from './src/networks/index.ts';
import { dense } from './src/operators/index.ts';
import { predict } from './src/objectives/predict.ts';
const nd = { ...core, ...io, singleLayer, continuousResnet, dense, predict };
globalThis.roundTrip = (json, Ydata, rows, cols) => {
  nd.setKernelBackend('js');
  const Y = nd.matrix(rows, cols, Float64Array.from(Ydata));
  const { model, x } = nd.modelFromJSON(json);
  const scores = Array.from(nd.predict(model, x, Y).scores.data);
  const net = nd.continuousResnet((k) => nd.singleLayer(nd.dense(4, 4), { bias: 'vector' }), { T: 1, steps: 4, weights: { intervals: 2 }, integrator: 'rk4', opening: nd.singleLayer(nd.dense(4, 2)) });
  const rng = nd.createRng(7);
  const x2 = new Float64Array(net.nParams + 3 * 5);
  for (let i = 0; i < x2.length; i++) x2[i] = rng.normal();
  return { scores, saved: JSON.stringify(nd.modelToJSON(net, x2)), scores2: Array.from(nd.predict(net, x2, Y).scores.data) };
};
`;

test('modelToJSON / modelFromJSON in headless Chromium: Node → browser and browser → Node, bit-identical scores', { skip: chromiumSkipReason() }, async () => {
  const bundle = await build({
    stdin: { contents: PAGE, resolveDir: root, loader: 'ts' },
    bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent',
  });
  const code = bundle.outputFiles[0].text;
  assert.ok(!/from ["']node:/.test(code), 'no static node: imports in the browser bundle');

  const net = nd.resnet(() => nd.singleLayer(nd.dense(8, 8)), { steps: 6, T: 2, opening: nd.singleLayer(nd.dense(8, 2), { activation: 'tanh' }) });
  const rng = nd.createRng(3);
  const x = new Float64Array(net.nParams + 3 * 9);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const Y = nd.randn(2, 50, rng);
  const json = JSON.stringify(nd.modelToJSON(net, x));

  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<html><body></body></html>');
    await page.addScriptTag({ content: code });
    const r = await page.evaluate(([j, y, rows, cols]) => (globalThis as unknown as { roundTrip: (...a: unknown[]) => { scores: number[]; saved: string; scores2: number[] } }).roundTrip(j, y, rows, cols),
      [json, Array.from(Y.data), 2, 50] as const);
    withBackend('js', () => {
      assert.deepEqual(r.scores, Array.from(nd.predict(net, x, Y).scores.data), 'Node-saved model, scores in the browser');
      const loaded = nd.modelFromJSON(r.saved);
      assert.deepEqual(loaded.classifier, { nClasses: 3, bias: true });
      assert.deepEqual(Array.from(nd.predict(loaded.model, loaded.x, Y).scores.data), r.scores2, 'browser-saved model, scores in Node');
    });
  } finally {
    await close();
  }
});
