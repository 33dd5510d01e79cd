import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgs } from '../../src/optimizers/index.js';
import { createRng, norm2 } from '../../src/core/index.js';
import { quadratic, rosenbrock } from '../helpers/testObjectives.js';

const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i]));

test('lbfgs with the strong Wolfe line search reaches the Rosenbrock minimum (1, 1) from (4, 2) to 1e-6', () => {
  const r = lbfgs(rosenbrock(), new Float64Array([4, 2]));
  assert.equal(r.status, 'converged', r.message);
  assert.ok(dist(r.x, [1, 1]) <= 1e-6, `x = ${Array.from(r.x)}`);
  assert.ok(r.iterations < 100, `${r.iterations} iterations`);
  assert.equal(r.matvecs, 0, 'L-BFGS uses no Hessian');
  for (let k = 1; k < r.history.length; k++) assert.ok(r.history[k].value < r.history[k - 1].value, `value rose at iteration ${k}`);
});

test('lbfgs with the Armijo line search and a small memory also reaches (1, 1)', () => {
  const r = lbfgs(rosenbrock(), new Float64Array([4, 2]), { lineSearch: 'armijo', memory: 3, maxIter: 500 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(dist(r.x, [1, 1]) <= 1e-6, `x = ${Array.from(r.x)}`);
  for (const row of r.history) assert.ok(((row.memory as number | undefined) ?? 0) <= 3);
});

test('lbfgs on a quadratic: memory fills up to m and the minimiser is found', () => {
  const n = 40;
  const q = quadratic(Array.from({ length: n }, (_, i) => 1 + i), createRng(3));
  const r = lbfgs(q.objective, new Float64Array(n), { memory: 5, gradTol: 1e-10 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(dist(r.x, q.solution) <= 1e-9 * norm2(q.solution) * 40);
  assert.equal(Math.max(...r.history.slice(1).map((row) => row.memory as number)), 5);
});
