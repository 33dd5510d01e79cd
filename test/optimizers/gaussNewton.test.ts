import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussNewton, newtonCG } from '../../src/optimizers/index.js';
import { createRng } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { exponentialFitting, rosenbrock } from '../helpers/testObjectives.js';

const strip = (h: Record<string, unknown>[]) => h.map(({ time: _t, ...rest }) => rest);

test('gaussNewton without damping is the Newton-CG driver on the objective\'s (Gauss-Newton) mat-vec', () => {
  const problem = exponentialFitting(createRng(1));
  const x0 = new Float64Array([1, 5, 0.5, 0.5]);
  const a = gaussNewton(problem.full, x0);
  const b = newtonCG(problem.full, x0);
  assert.equal(a.status, 'converged', a.message);
  assert.deepEqual(strip(a.history), strip(b.history));
});

test('gaussNewton with Levenberg-Marquardt damping fits the exponentials and adapts mu by the decrease ratio', () => {
  const problem = exponentialFitting(createRng(1));
  // w₀ = 0: the θ-block of J vanishes at the start, the damping carries the first steps.
  const r = gaussNewton(problem.full, new Float64Array([1, 5, 0, 0]), { damping: 'levenbergMarquardt' });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(Math.abs(r.x[0] - 0.4) < 1e-2 && Math.abs(r.x[1] - 2.5) < 2e-2, `θ = ${Array.from(r.x.subarray(0, 2))}`);
  const mus = r.history.slice(1).map((row) => row.mu as number);
  assert.ok(mus.every((m) => m > 0 && Number.isFinite(m)));
  assert.ok(mus[mus.length - 1] < mus[0], 'mu decreases as the model becomes reliable');
  const rhos = r.history.slice(1).map((row) => row.rho as number);
  assert.ok(rhos.every((rho) => rho > 1e-4), 'accepted steps have rho above lmEta');
  assert.ok(Math.abs(rhos[rhos.length - 1] - 1) < 0.05, 'near the solution the Gauss-Newton model predicts the decrease');
  for (let k = 1; k < r.history.length; k++) assert.ok(r.history[k].value < r.history[k - 1].value);
});

test('gaussNewton with damping rejects steps (lsIter > 1) when the model is poor and still reaches Rosenbrock\'s minimum', () => {
  const r = gaussNewton(rosenbrock(), new Float64Array([4, 2]), { damping: 'levenbergMarquardt', mu0: 1e-6, maxIter: 200 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(Math.hypot(r.x[0] - 1, r.x[1] - 1) < 1e-6);
  assert.ok(r.history.some((row) => row.lsIter > 1), 'some damped steps were rejected');
});

test('Levenberg-Marquardt with an indefinite Hessian: trial steps are rejected and μ grows until the model is trusted', () => {
  // f = x₁²/2 + (x₂² − 1)²/4, indefinite near x₂ = 0 (an exact Hessian, not a Gauss-Newton one).
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
  const r = gaussNewton(obj, new Float64Array([0.01, 0.1]), { damping: 'levenbergMarquardt', mu0: 1e-3 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(r.history[1].lsIter > 1, 'the first damped trials (CG meets negative curvature; step −g/μ) are rejected');
  assert.ok((r.history[1].mu as number) > 1, 'μ grew past the negative eigenvalue −0.97');
  assert.ok(Math.abs(Math.abs(r.x[1]) - 1) < 1e-6 && Math.abs(r.x[0]) < 1e-6, `x = ${Array.from(r.x)}`);
});
