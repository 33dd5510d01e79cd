import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newtonCG, sampledObjective, sgd } from '../../src/optimizers/index.js';
import { createRng } from '../../src/core/index.js';
import { leastSquaresProblem } from '../helpers/testObjectives.js';

test('sampledObjective fixes a seeded sample without replacement and evaluates the objective on it', () => {
  const p = leastSquaresProblem();
  const s = sampledObjective(p.objective, 120, 5);
  assert.equal(s.nData, 120);
  assert.equal(s.nParams, p.n);
  assert.equal(new Set(s.sample).size, 120);
  for (let i = 1; i < 120; i++) assert.ok(s.sample[i] > s.sample[i - 1]);
  assert.deepEqual(Array.from(sampledObjective(p.objective, 120, createRng(5)).sample), Array.from(s.sample), 'seed or generator: same sample');
  const x = createRng(1).normalArray(p.n);
  assert.equal(s.evaluate(x).value, p.objective.evaluate(x, s.sample).value);
  // A batch of the sampled objective addresses the sample.
  assert.equal(s.evaluate(x, [0, 5]).value, p.objective.evaluate(x, [s.sample[0], s.sample[5]]).value);
  assert.throws(() => s.evaluate(x, [120]), /^NumdlError: sampledObjective\.evaluate: batch index 0 is 120, expected an integer in \[0, 120\)/);
});

test('sample average approximation: a deterministic method on the fixed sample, then stochastic methods on it too', () => {
  const p = leastSquaresProblem();
  const s = sampledObjective(p.objective, 200, 11);
  const r = newtonCG(s, new Float64Array(p.n), { cgTol: 1e-10, gradTol: 1e-12 });
  assert.equal(r.status, 'converged', r.message);
  assert.ok(r.iterations <= 2, 'least squares: one Newton step');
  // The sample's minimiser approximates the full one (error shrinks like 1/sqrt(|S|)).
  assert.ok(p.relErr(r.x) < 0.05, `relative error ${p.relErr(r.x)}`);
  const q = sgd(s, new Float64Array(p.n), { lr: 0.05, batchSize: 20, maxEpochs: 2 });
  assert.equal(q.steps, 20);
});

test('sampledObjective validates its arguments', () => {
  const p = leastSquaresProblem();
  assert.throws(() => sampledObjective(p.objective, 0, 1), /^NumdlError: sampledObjective: sampleSize must be a positive integer, got 0$/);
  assert.throws(() => sampledObjective(p.objective, 401, 1), /^NumdlError: sampledObjective: sampleSize must be <= objective\.nData = 400, got 401$/);
  assert.throws(() => sampledObjective({ nParams: 1, evaluate: () => ({ value: 0, gradient: new Float64Array(1) }) }, 1, 1), /objective\.nData is undefined/);
});
