import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam, newtonCG } from '../../src/optimizers/index.js';
import { createRng, matrix } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { leastSquaresProblem, softmaxRegression } from '../helpers/testObjectives.js';

test('adam converges on the convex least-squares problem', () => {
  const p = leastSquaresProblem();
  const r = adam(p.objective, new Float64Array(p.n), { lr: 0.05, batchSize: 10, maxEpochs: 30, seed: 1, schedule: { type: 'step', factor: 0.5, every: 5 } });
  assert.equal(r.status, 'maxEpochs');
  assert.ok(p.relErr(r.x) < 2e-3, `relative error ${p.relErr(r.x)}`);
  assert.ok(r.value - p.fStar < 1e-3 * p.fStar);
});

test('adam drives softmax regression (convex) close to the Newton-CG optimum', () => {
  const rng = createRng(9);
  const nf = 3, n = 300, nc = 3;
  const Y = matrix(nf, n, rng.normalArray(nf * n));
  const C = matrix(nc, n);
  for (let j = 0; j < n; j++) C.data[(Y.data[j * nf] > 0.5 ? 0 : Y.data[1 + j * nf] > 0 ? 1 : 2) + j * nc] = 1;
  const obj = softmaxRegression(Y, C, 1e-2);
  const x0 = new Float64Array(obj.nParams);
  const best = newtonCG(obj, x0, { gradTol: 1e-10 });
  const r = adam(obj, x0, { lr: 0.05, batchSize: 20, maxEpochs: 40, seed: 2, schedule: { type: 'step', factor: 0.5, every: 8 } });
  const f0 = r.history[0].value;
  assert.ok((r.value - best.value) / (f0 - best.value) < 1e-3, `ADAM gap ${r.value - best.value} of ${f0 - best.value}`);
  assert.ok((r.history[r.history.length - 1].accuracy as number) > 0.9);
});

test('adam\'s bias correction makes the first step lr·sign(g) in every coordinate', () => {
  // Without nData every step uses all data: one epoch = one step.
  const obj: Objective = { nParams: 3, evaluate: (x) => ({ value: 0.5 * (x[0] ** 2 + 100 * x[1] ** 2 + 1e-2 * x[2] ** 2), gradient: new Float64Array([x[0], 100 * x[1], 1e-2 * x[2]]) }) };
  const r = adam(obj, new Float64Array([1, -1, 1]), { lr: 0.1, maxEpochs: 1 });
  assert.equal(r.steps, 1);
  const expected = [0.9, -0.9, 0.9];
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(r.x[i] - expected[i]) < 1e-6, `x[${i}] = ${r.x[i]}`);
});
