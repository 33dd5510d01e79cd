import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newtonCG } from '../../src/optimizers/index.js';
import { createRng, matrix, norm2 } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { quadratic, rosenbrock, softmaxRegression } from '../helpers/testObjectives.js';

const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i]));

test('newtonCG with the exact Hessian reaches the Rosenbrock minimum (1, 1) from (4, 2) to 1e-6', () => {
  const r = newtonCG(rosenbrock(), new Float64Array([4, 2]));
  assert.equal(r.status, 'converged', r.message);
  assert.ok(dist(r.x, [1, 1]) <= 1e-6, `x = ${Array.from(r.x)}`);
  assert.ok(r.iterations < 60, `${r.iterations} iterations`);
  // Quadratic convergence at the end: the last steps are full Newton steps.
  const tail = r.history.slice(-3);
  for (const row of tail) assert.equal(row.step, 1);
});

test('newtonCG solves a strictly convex quadratic in one step when CG is run to convergence', () => {
  const n = 25;
  const eigenvalues = Array.from({ length: n }, (_, i) => 1 + 9 * (i / (n - 1)) ** 2);
  const q = quadratic(eigenvalues, createRng(11));
  const r = newtonCG(q.objective, new Float64Array(n), { cgTol: 1e-13, cgMaxIter: 2 * n, gradTol: 1e-9 });
  assert.equal(r.status, 'converged', r.message);
  assert.equal(r.iterations, 1);
  assert.equal(r.history[1].step, 1);
  assert.equal(r.history[1].lsIter, 1);
  assert.ok(dist(r.x, q.solution) <= 1e-10 * norm2(q.solution));
});

test('newtonCG: CG iterations are bounded by the number of distinct Hessian eigenvalues', () => {
  const rng = createRng(5);
  for (const distinct of [[2], [1, 4], [1, 3, 10], [0.5, 1, 2, 8, 20]]) {
    const n = 30;
    const eigenvalues = Array.from({ length: n }, (_, i) => distinct[i % distinct.length]);
    const q = quadratic(eigenvalues, rng);
    const r = newtonCG(q.objective, rng.normalArray(n), { cgTol: 1e-10, cgMaxIter: n, gradTol: 1e-8 });
    assert.equal(r.status, 'converged', r.message);
    assert.ok(r.history[1].cgIter <= distinct.length, `${distinct.length} distinct eigenvalues but ${r.history[1].cgIter} CG iterations`);
    assert.equal(r.history[1].cgFlag, 'converged');
  }
});

test('newtonCG solves softmax regression (convex) to a tiny gradient', () => {
  const rng = createRng(21);
  const nf = 4, n = 150, nc = 3;
  const Y = matrix(nf, n, rng.normalArray(nf * n));
  const C = matrix(nc, n);
  const Wtrue = rng.normalArray(nc * nf, 2);
  for (let j = 0; j < n; j++) {
    let best = 0, bestS = -Infinity;
    for (let r = 0; r < nc; r++) {
      let s = 0.5 * rng.normal();
      for (let i = 0; i < nf; i++) s += Wtrue[r + i * nc] * Y.data[i + j * nf];
      if (s > bestS) { bestS = s; best = r; }
    }
    C.data[best + j * nc] = 1;
  }
  const obj = softmaxRegression(Y, C, 1e-3);
  const r = newtonCG(obj, new Float64Array(obj.nParams), { cgTol: 'adaptive', cgMaxIter: 50, gradTol: 1e-11, relGradTol: 0 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(r.gradNorm <= 1e-11);
  assert.ok(r.iterations <= 20, `${r.iterations} Newton iterations`);
  assert.ok(typeof r.history[r.history.length - 1].accuracy === 'number', 'info.accuracy is merged into the rows');
  assert.ok((r.history[r.history.length - 1].accuracy as number) > 0.8);
});

test('newtonCG falls back to the negative gradient on negative curvature at the first CG step', () => {
  // f = x₁²/2 + (x₂² − 1)²/4 is indefinite near x₂ = 0; minima at (0, ±1).
  const obj: Objective = {
    nParams: 2,
    evaluate(x) {
      const [a, b] = x;
      return {
        value: 0.5 * a * a + 0.25 * (b * b - 1) ** 2,
        gradient: new Float64Array([a, b * (b * b - 1)]),
        hessian: (v) => new Float64Array([v[0], (3 * b * b - 1) * v[1]]),
      };
    },
  };
  const r = newtonCG(obj, new Float64Array([0.01, 0.1]));
  assert.equal(r.history[1].cgFlag, 'negativeCurvature');
  assert.equal(r.history[1].fallback, true);
  assert.equal(r.status, 'converged', r.message);
  assert.ok(dist(r.x, [0, 1]) < 1e-6 || dist(r.x, [0, -1]) < 1e-6, `x = ${Array.from(r.x)}`);
  for (let k = 1; k < r.history.length; k++) assert.ok(r.history[k].value < r.history[k - 1].value);
});

test('newtonCG respects maxStepNorm, maxIter and counts Hessian mat-vecs', () => {
  const r = newtonCG(rosenbrock(), new Float64Array([4, 2]), { maxStepNorm: 0.5, maxIter: 5 });
  assert.equal(r.status, 'maxIter');
  assert.equal(r.iterations, 5);
  assert.equal(r.history.length, 6);
  for (const row of r.history) assert.ok(row.stepNorm <= 0.5 + 1e-12, `step length ${row.stepNorm}`);
  assert.ok(r.matvecs >= r.history.reduce((s, row) => s + row.cgIter, 0), 'each CG iteration costs a mat-vec');
  assert.equal(r.matvecs, r.history[5].matvecs);
});

test('newtonCG throws a clear error for an objective without a Hessian mat-vec', () => {
  const obj: Objective = { nParams: 1, evaluate: (x) => ({ value: x[0] * x[0], gradient: new Float64Array([2 * x[0]]) }) };
  assert.throws(() => newtonCG(obj, new Float64Array([1])), /^NumdlError: newtonCG: the objective returned no hessian mat-vec/);
});

test('newtonCG passes its preconditioner to CG: the exact inverse Hessian gives one CG iteration', () => {
  const n = 20;
  const eigenvalues = Array.from({ length: n }, (_, i) => 1 + i * i);
  const q = quadratic(eigenvalues, createRng(12));
  const Ainv = (r: Float64Array) => solveSpd(q.apply, r);
  const plain = newtonCG(q.objective, new Float64Array(n), { cgTol: 1e-10, cgMaxIter: n });
  const pre = newtonCG(q.objective, new Float64Array(n), { cgTol: 1e-10, cgMaxIter: n, preconditioner: Ainv });
  assert.ok(plain.history[1].cgIter > 5);
  assert.equal(pre.history[1].cgIter, 1);
  assert.ok(dist(pre.x, q.solution) <= 1e-8 * norm2(q.solution));
});

/** Dense solve of A z = r for a small SPD operator (Gaussian elimination on the assembled matrix; test only). */
function solveSpd(apply: (v: Float64Array) => Float64Array, r: Float64Array): Float64Array {
  const n = r.length;
  const A = Array.from({ length: n }, (_, j) => apply(Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
  const M = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => A[j][i]), r[i]]);
  for (let k = 0; k < n; k++) {
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j <= n; j++) M[i][j] -= f * M[k][j];
    }
  }
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * z[j];
    z[i] = s / M[i][i];
  }
  return z;
}
