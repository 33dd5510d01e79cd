import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sgd } from '../../src/optimizers/index.js';
import { leastSquaresProblem } from '../helpers/testObjectives.js';

test('sgd on linear least squares approaches the cgls solution (step-decay schedule)', () => {
  const p = leastSquaresProblem();
  const r = sgd(p.objective, new Float64Array(p.n), { lr: 0.05, batchSize: 10, maxEpochs: 30, seed: 1, schedule: { type: 'step', factor: 0.5, every: 5 } });
  assert.equal(r.status, 'maxEpochs');
  assert.equal(r.iterations, 30);
  assert.equal(r.steps, 30 * 40);
  assert.ok(p.relErr(r.x) < 1e-3, `relative error to the cgls solution ${p.relErr(r.x)}`);
  assert.ok(r.value - p.fStar < 1e-4 * p.fStar);
  assert.equal(r.history.length, 31, 'one history row per epoch plus the start');
  assert.deepEqual(r.history.map((row) => row.lr), [0.05, ...Array.from({ length: 30 }, (_, e) => 0.05 * 0.5 ** Math.floor(e / 5))]);
});

test('sgd with momentum and with Nesterov momentum converge on the convex least-squares problem', () => {
  const p = leastSquaresProblem();
  for (const nesterov of [false, true]) {
    const r = sgd(p.objective, new Float64Array(p.n), { lr: 0.005, momentum: 0.9, nesterov, batchSize: 10, maxEpochs: 30, seed: 1, schedule: { type: 'step', factor: 0.5, every: 5 } });
    assert.ok(p.relErr(r.x) < 1e-3, `nesterov ${nesterov}: relative error ${p.relErr(r.x)}`);
    assert.ok(r.value - p.fStar < 1e-4 * p.fStar);
  }
});

test('sgd with a constant rate stalls at a noise floor that the 1/t schedule lowers', () => {
  const p = leastSquaresProblem();
  const constant = sgd(p.objective, new Float64Array(p.n), { lr: 0.05, batchSize: 10, maxEpochs: 30, seed: 1 });
  const inverse = sgd(p.objective, new Float64Array(p.n), { lr: 0.05, batchSize: 10, maxEpochs: 30, seed: 1, schedule: { type: 'inverse', decay: 1 } });
  assert.ok(p.relErr(constant.x) < 1e-2);
  assert.ok(inverse.value < constant.value, `1/t: ${inverse.value}, constant: ${constant.value}`);
});
