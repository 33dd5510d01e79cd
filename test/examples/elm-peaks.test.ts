import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { fromRows, matrix } from '../../src/core/matrix.js';
import { newtonCG } from '../../src/optimizers/index.js';
import { classifierObjective, randomFeatures, run } from '../../examples/elm-peaks.js';

test('elm-peaks fast variant: random features classify Peaks, sin below 5 % test error and best, tanh/ReLU below 10 %', async () => {
  const r = await run({ fast: true, seed: 1 });
  console.log(r.table);
  assert.deepEqual(r.rows.map((row) => row.method), ['sin', 'tanh', 'relu']);
  const [sin, tanh, relu] = r.rows;
  // Seeds 1–3: test error sin 2.3–3.6 %, tanh 4.5–5.3 %, ReLU 6.0–7.1 % (lecture: ≈ 4 % / 7 % / 7 %;
  // the fast variant has 1600 instead of 6400 training points and stops after 15 Newton steps).
  assert.ok(1 - sin.testAcc < 0.05 && 1 - sin.valAcc < 0.05, `sin: test ${sin.testAcc}, val ${sin.valAcc}`);
  for (const row of [tanh, relu]) {
    assert.ok(1 - row.testAcc < 0.1, `${row.method}: test error ${1 - row.testAcc}`);
    assert.ok(1 - row.valAcc < 0.1, `${row.method}: validation error ${1 - row.valAcc}`);
    assert.ok(sin.testAcc > row.testAcc, `sin beats ${row.method}`);
  }
  for (const row of r.rows) {
    assert.equal(row.iterations, 15);
    assert.ok(row.matvecs > 0 && row.matvecs <= 15 * 10);
    // 1600 training points, 200 features: Z is 200 × 1600 with a numerical rank ≤ 200; tanh is full rank.
    assert.ok(row.rank <= 200 && row.rank > 100, `${row.method}: rank ${row.rank}`);
    assert.equal(r.spectra[row.method].length, 200);
  }
  assert.equal(tanh.rank, 200);
});

test('elm-peaks: the W objective has an exact Hessian and Newton-CG solves it', () => {
  const rng = createRng(5);
  const Z = matrix(3, 12, rng.normalArray(36));
  const labels = Array.from({ length: 12 }, (_, j) => j % 2);
  const C = matrix(2, 12, Float64Array.from({ length: 24 }, (_, k) => (k % 2 === labels[Math.floor(k / 2)] ? 1 : 0)));
  const obj = classifierObjective(Z, C, 1e-2);
  assert.equal(obj.nParams, 2 * 4);
  const w = rng.normalArray(8), v = rng.normalArray(8);
  const ev = obj.evaluate(w);
  // Gradient and Hessian against central differences.
  const h = 1e-5;
  const fd = (obj.evaluate(w.map((a, i) => a + h * v[i])).value - obj.evaluate(w.map((a, i) => a - h * v[i])).value) / (2 * h);
  const gv = ev.gradient.reduce((s, g, i) => s + g * v[i], 0);
  assert.ok(Math.abs(fd - gv) < 1e-8, `gradient: ${gv} vs ${fd}`);
  const Hv = ev.hessian!(v);
  const gp = obj.evaluate(w.map((a, i) => a + h * v[i])).gradient, gm = obj.evaluate(w.map((a, i) => a - h * v[i])).gradient;
  for (let i = 0; i < 8; i++) assert.ok(Math.abs((gp[i] - gm[i]) / (2 * h) - Hv[i]) < 1e-7, `Hessian entry ${i}`);
  const sol = newtonCG(obj, new Float64Array(8), { maxIter: 50, cgMaxIter: 8, cgTol: 1e-10 });
  assert.equal(sol.status, 'converged');
  assert.ok(sol.gradNorm < 1e-8);
  // Random features: same seed, same θ; K is m × 2 with one bias per feature by default.
  const a = randomFeatures(5, 'tanh', 'vector', createRng(1)), b = randomFeatures(5, 'tanh', 'vector', createRng(1));
  assert.deepEqual(Array.from(a.theta), Array.from(b.theta));
  assert.equal(a.model.nParams, 10 + 5);
  assert.equal(randomFeatures(5, 'sin', 'scalar', createRng(1)).model.nParams, 11);
  // biasScale s scales only the bias: the same K, b multiplied by s (θ = [vec K; b], K 5 × 2).
  const scaled = randomFeatures(5, 'tanh', 'vector', createRng(1), 2);
  for (let i = 0; i < 15; i++) assert.equal(scaled.theta[i], (i < 10 ? 1 : 2) * a.theta[i], `θ[${i}]`);
  assert.deepEqual(a.model.forward(a.theta, fromRows([[0], [0]])).output.shape, [5, 1]);
});

test('elm-peaks --protocol lecture: all n points train, the fresh points validate, one scalar bias', async () => {
  const r = await run({ fast: true, seed: 1, protocol: 'lecture', n: 1000, nTest: 500, activations: ['sin'], spectra: false, newtonIter: 8 });
  assert.equal(r.config.trainFraction, 1);
  assert.equal(r.config.bias, 'scalar');
  // The lecture's λ and b ~ N(0, 1), not numdl's defaults (λ = 1e-6, b ~ N(0, 2²)).
  assert.equal(r.config.lambda, 1e-3);
  assert.equal(r.config.biasScale, 1);
  const [row] = r.rows;
  assert.ok(Number.isNaN(row.testAcc), 'no test set in the lecture protocol');
  // sin features fit Peaks well: about 95 % on the fresh points (chance: 20 %).
  assert.ok(row.valAcc > 0.85 && row.trainAcc > 0.85, `sin ${row.trainAcc} / ${row.valAcc}`);
  // Newton-CG fits W alone: 5 × (m + 1) entries.
  assert.equal(r.results.sin.x.length, 5 * (r.config.width + 1));
});
