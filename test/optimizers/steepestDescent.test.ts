import { test } from 'node:test';
import assert from 'node:assert/strict';
import { steepestDescent } from '../../src/optimizers/index.js';
import { createRng, norm2 } from '../../src/core/index.js';
import { quadratic, rosenbrock } from '../helpers/testObjectives.js';

test('steepestDescent decreases the Rosenbrock function monotonically from (4, 2), each step satisfying Armijo', () => {
  const r = steepestDescent(rosenbrock(), new Float64Array([4, 2]), { maxIter: 3000 });
  assert.ok(r.status === 'maxIter' || r.status === 'converged', r.message);
  const h = r.history;
  assert.ok(h.length > 100);
  for (let k = 1; k < h.length; k++) {
    assert.ok(h[k].value < h[k - 1].value, `value rose at iteration ${k}: ${h[k - 1].value} -> ${h[k].value}`);
    // Armijo with c1 = 1e-4 along −g: f_k ≤ f_{k−1} − c1 α ‖g_{k−1}‖².
    assert.ok(h[k].value <= h[k - 1].value - 1e-4 * h[k].step * h[k - 1].gradNorm ** 2 * (1 - 1e-12));
    assert.ok(h[k].lsIter >= 1);
  }
  assert.ok(h[h.length - 1].value < 0.05, `f after ${h.length - 1} iterations: ${h[h.length - 1].value}`);
});

test('steepestDescent converges on a well-conditioned quadratic; halving instead of interpolation works too', () => {
  const n = 10;
  const q = quadratic(Array.from({ length: n }, (_, i) => 1 + i / 3), createRng(8));
  for (const interpolate of [true, false]) {
    const r = steepestDescent(q.objective, new Float64Array(n), { gradTol: 1e-9, interpolate });
    assert.equal(r.status, 'converged', r.message);
    let e = 0;
    for (let i = 0; i < n; i++) e = Math.max(e, Math.abs(r.x[i] - q.solution[i]));
    assert.ok(e <= 1e-8 * Math.max(1, norm2(q.solution)), `error ${e}`);
  }
});

test('steepestDescent stops on the relative decrease test when asked (relDecreaseTol)', () => {
  const r = steepestDescent(rosenbrock(), new Float64Array([4, 2]), { relDecreaseTol: 1e-4, maxIter: 100000 });
  assert.equal(r.status, 'converged');
  assert.match(r.message, /^relative decrease \d\.\d{3}e-0\d <= relDecreaseTol 0\.0001$/);
  const h = r.history;
  assert.ok(h[h.length - 2].value - h[h.length - 1].value <= 1e-4 * h[h.length - 2].value);
});
