import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adagrad } from '../../src/optimizers/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { leastSquaresProblem } from '../helpers/testObjectives.js';

test('adagrad converges on the convex least-squares problem', () => {
  const p = leastSquaresProblem();
  const r = adagrad(p.objective, new Float64Array(p.n), { lr: 0.5, batchSize: 10, maxEpochs: 30, seed: 1 });
  // From x = 0 (relative error 1): with a constant lr AdaGrad's mini-batch noise
  // leaves a floor near 1e-2 on this problem (measured over seeds: 0.6–1.4e-2).
  assert.ok(p.relErr(r.x) < 3e-2, `relative error ${p.relErr(r.x)}`);
  assert.ok(r.value < 1.3 * p.fStar, `f = ${r.value}, f* = ${p.fStar} (f(0) ≈ 850 f*)`);
});

test('adagrad scales each coordinate by its accumulated gradient: first step lr·sign(g), then smaller', () => {
  const obj: Objective = { nParams: 2, evaluate: (x) => ({ value: 0.5 * (x[0] ** 2 + 1e4 * x[1] ** 2), gradient: new Float64Array([x[0], 1e4 * x[1]]) }) };
  const r = adagrad(obj, new Float64Array([1, 1]), { lr: 0.1, maxEpochs: 1 });
  assert.ok(Math.abs(r.x[0] - 0.9) < 1e-9 && Math.abs(r.x[1] - 0.9) < 1e-9, `x = ${Array.from(r.x)}`);
});
