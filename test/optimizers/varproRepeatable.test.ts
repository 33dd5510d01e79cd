/**
 * VarPro runs depend only on their inputs (the inner warm start is reset per
 * run and kept within it), and inner solves that stop at their cap or a
 * Schur-complement CG that does not converge show up in the history and the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, dense, newtonCG, setupPeaks, singleLayer, varpro, varproObjective } from '../../src/index.js';

const problem = (inner: Record<string, number | boolean>, hessian: 'block' | 'schur' = 'block') => {
  const { Y, C } = setupPeaks({ n: 120, classes: 3, seed: 3 });
  const model = singleLayer(dense(6, 2), { activation: 'tanh' });
  const phi = varproObjective(model, Y, C, { regularization: { W: 1e-3, theta: 1e-3 }, inner, hessian });
  const theta0 = model.initialize(createRng(4));
  return { phi, theta0 };
};

test('varpro run twice on the same objective gives bit-identical results; the warm start is kept within a run', () => {
  const { phi, theta0 } = problem({ maxIter: 3 });
  const a = varpro(phi, theta0, { maxIter: 6, quiet: true });
  const b = varpro(phi, theta0, { maxIter: 6, quiet: true });
  assert.deepEqual(Array.from(b.x), Array.from(a.x));
  assert.equal(b.value, a.value);
  assert.equal(b.innerIterations, a.innerIterations);
  assert.deepEqual(b.history.map((r) => r.value), a.history.map((r) => r.value));
  // Other optimizers on the same objective restart it too.
  const c = newtonCG(phi, theta0, { maxIter: 3, quiet: true });
  const d = newtonCG(phi, theta0, { maxIter: 3, quiet: true });
  assert.deepEqual(Array.from(d.x), Array.from(c.x));
  // Within a run the warm start is used: fewer inner iterations than without it.
  const { phi: cold, theta0: t0 } = problem({ maxIter: 50, warmStart: false });
  const { phi: warm } = problem({ maxIter: 50 });
  const rc = varpro(cold, t0, { maxIter: 6, quiet: true });
  const rw = varpro(warm, t0, { maxIter: 6, quiet: true });
  assert.ok(rw.innerIterations < rc.innerIterations, `warm ${rw.innerIterations} vs cold ${rc.innerIterations} inner iterations`);
});

test('an inner solve stopped by its iteration cap is counted in the history and the result, and a converged outer run says so', () => {
  const { phi, theta0 } = problem({ maxIter: 1 });
  const r = varpro(phi, theta0, { maxIter: 4, quiet: true });
  assert.ok(r.innerNotConverged > 0, `innerNotConverged ${r.innerNotConverged}`);
  assert.equal(r.history.reduce((s, row) => s + (row.innerCapped as number), 0), r.innerNotConverged);
  assert.match(r.message, /inner solve/);
  // A loose outer test passes at once, but the final point's inner solve is capped.
  const loose = varpro(phi, theta0, { maxIter: 4, gradTol: 10, quiet: true });
  assert.equal(loose.status, 'innerNotConverged', loose.message);
  // With enough inner iterations nothing is flagged.
  const { phi: ok, theta0: t0 } = problem({ maxIter: 50 });
  const good = varpro(ok, t0, { maxIter: 4, quiet: true });
  assert.equal(good.innerNotConverged, 0);
  assert.equal(good.schurCgNotConverged, 0);
  assert.ok(good.history.slice(1).every((row) => row.innerCapped === 0));
});

test('a Schur-complement CG that stops unconverged is counted in the history and the result', () => {
  const { phi, theta0 } = problem({ maxIter: 50, schurCgMaxIter: 1 }, 'schur');
  const r = varpro(phi, theta0, { maxIter: 3, quiet: true });
  assert.ok(r.schurCgNotConverged > 0, `schurCgNotConverged ${r.schurCgNotConverged}`);
  assert.equal(r.history.reduce((s, row) => s + (row.schurCgFailed as number), 0), r.schurCgNotConverged);
  assert.match(r.message, /Schur/);
  const { phi: ok, theta0: t0 } = problem({ maxIter: 50 }, 'schur');
  assert.equal(varpro(ok, t0, { maxIter: 3, quiet: true }).schurCgNotConverged, 0);
});

test('inner.relTol ties the inner tolerance to the outer gradient: a loose inner tol no longer stops VarPro at a wrong point', () => {
  const { Y, C } = setupPeaks({ n: 80, classes: 3, seed: 3 });
  const model = singleLayer(dense(3, 2), { activation: 'tanh' });
  const theta0 = model.initialize(createRng(4));
  const run = (inner: Record<string, number>) => {
    const phi = varproObjective(model, Y, C, { regularization: { W: 1e-2, theta: 1e-2 }, inner: { maxIter: 50, ...inner }, hessian: 'schur' });
    return varpro(phi, theta0, { method: 'lbfgs', maxIter: 300, gradTol: 1e-9, quiet: true });
  };
  const tight = run({ tol: 1e-12 });
  const loose = run({ tol: 1e-3 });
  const adaptive = run({ tol: 1e-3, relTol: 1e-3 });
  assert.equal(tight.status, 'converged', tight.message);
  // The loose inner solve gives a reduced gradient that is wrong by about its tolerance: "converged" 2e-7 above the minimum.
  assert.ok(loose.value - tight.value > 1e-8, `loose ${loose.value} vs tight ${tight.value}`);
  assert.equal(adaptive.status, 'converged', adaptive.message);
  assert.ok(Math.abs(adaptive.value - tight.value) < 1e-10, `adaptive ${adaptive.value} vs tight ${tight.value}`);
  // The tolerance used is recorded per evaluation and shrinks with the outer gradient.
  const tols = adaptive.history.map((row) => row.innerTol as number);
  assert.ok(tols.at(-1)! < 1e-9 && tols[0] === 1e-3, `inner tolerances ${tols[0]} … ${tols.at(-1)}`);
});
