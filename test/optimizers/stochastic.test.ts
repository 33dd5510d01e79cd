import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adam, adagrad, learningRate, sgd } from '../../src/optimizers/index.js';
import type { HistoryRow } from '../../src/optimizers/index.js';
import type { Evaluation, Objective } from '../../src/objectives/types.js';
import { leastSquaresProblem, nanAfter } from '../helpers/testObjectives.js';

const values = (h: HistoryRow[]) => h.map(({ time: _t, ...rest }) => rest);

test('learningRate: constant, step decay, 1/t and a function', () => {
  assert.equal(learningRate('constant', 7, 0.1), 0.1);
  assert.equal(learningRate({ type: 'step', factor: 0.5, every: 10 }, 25, 0.1), 0.025);
  assert.ok(Math.abs(learningRate({ type: 'inverse', decay: 0.5 }, 4, 0.3) - 0.1) < 1e-16);
  assert.equal(learningRate((e, lr0) => lr0 / (e + 1) ** 2, 2, 0.9), 0.9 / 9);
});

test('stochastic methods are deterministic: same seed, identical history; another seed, another path', () => {
  const p = leastSquaresProblem();
  const x0 = new Float64Array(p.n);
  for (const run of [
    (seed: number) => sgd(p.objective, x0, { lr: 0.02, momentum: 0.5, batchSize: 16, maxEpochs: 4, seed }),
    (seed: number) => adam(p.objective, x0, { lr: 0.02, batchSize: 16, maxEpochs: 4, seed }),
    (seed: number) => adagrad(p.objective, x0, { lr: 0.2, batchSize: 16, maxEpochs: 4, seed }),
  ]) {
    const a = run(7), b = run(7), c = run(8);
    assert.deepEqual(values(a.history), values(b.history));
    assert.deepEqual(Array.from(a.x), Array.from(b.x));
    assert.notDeepEqual(Array.from(a.x), Array.from(c.x));
  }
});

test('each epoch visits every example once in seeded shuffled mini-batches; the monitor evaluation is separate', () => {
  const p = leastSquaresProblem(4, 50, 3);
  const batches: number[][] = [];
  const spy: Objective = {
    nParams: p.n,
    nData: 50,
    evaluate(x, batch, opts): Evaluation {
      if (batch) batches.push(Array.from(batch));
      else batches.push([]);
      return p.objective.evaluate(x, batch, opts);
    },
  };
  const r = sgd(spy, new Float64Array(p.n), { batchSize: 16, maxEpochs: 2, seed: 3 });
  // start monitor, 4 batches (16, 16, 16, 2), monitor, 4 batches, monitor
  assert.deepEqual(batches.map((b) => b.length), [0, 16, 16, 16, 2, 0, 16, 16, 16, 2, 0]);
  const epoch1 = batches.slice(1, 5).flat().sort((a, b) => a - b);
  const epoch2 = batches.slice(6, 10).flat();
  assert.deepEqual(epoch1, Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(batches.slice(1, 5).flat(), epoch2, 'a fresh shuffle each epoch');
  assert.equal(r.evals, 11);
  const unshuffled: number[][] = [];
  sgd({ ...spy, evaluate: (x, b, o) => { if (b) unshuffled.push(Array.from(b)); return p.objective.evaluate(x, b, o); } }, new Float64Array(p.n), { batchSize: 25, maxEpochs: 1, shuffle: false, dropLast: true });
  assert.deepEqual(unshuffled[0], Array.from({ length: 25 }, (_, i) => i));
});

test('a fixed monitor subset is used for the epoch rows, and onEpoch fields are merged into them', () => {
  const p = leastSquaresProblem();
  const monitorSizes: number[] = [];
  const spy: Objective = { nParams: p.n, nData: 400, evaluate: (x, b, o) => { if (b && b.length !== 20) monitorSizes.push(b.length); return p.objective.evaluate(x, b, o); } };
  const r = adam(spy, new Float64Array(p.n), {
    lr: 0.05, batchSize: 20, maxEpochs: 3, monitor: 100, monitorGradient: false,
    onEpoch: (row, x) => ({ xNorm: Math.hypot(...x), half: row.iter / 2 }),
  });
  assert.deepEqual(monitorSizes, [100, 100, 100, 100]);
  assert.equal(r.history[3].half, 1.5);
  assert.ok(Number.isNaN(r.history[3].gradNorm));
  assert.ok(typeof r.history[2].xNorm === 'number');
});

test('stochastic stop statuses: onEpoch/onIteration returning false, gradTol, NaN (last finite iterate returned)', () => {
  const p = leastSquaresProblem();
  const x0 = new Float64Array(p.n);
  const byEpoch = sgd(p.objective, x0, { maxEpochs: 10, onEpoch: (row) => (row.iter === 2 ? false : undefined) });
  assert.equal(byEpoch.status, 'stoppedByCallback');
  assert.equal(byEpoch.history.length, 3);
  const byStep = sgd(p.objective, x0, { maxEpochs: 10, onIteration: (row) => (row.iter === 5 ? false : undefined) });
  assert.equal(byStep.status, 'stoppedByCallback');
  assert.equal(byStep.steps, 5);
  // A mid-epoch stop returns the stopping iterate with its own monitored value and gradient norm.
  const atStop = p.objective.evaluate(byStep.x);
  assert.equal(byStep.value, atStop.value);
  assert.equal(byStep.gradNorm, Math.hypot(...atStop.gradient));
  assert.notEqual(byStep.value, byStep.history.at(-1)!.value);
  const conv = sgd(p.objective, x0, { lr: 0.05, maxEpochs: 50, gradTol: 0.05 });
  assert.equal(conv.status, 'converged', conv.message);
  assert.ok(conv.gradNorm <= 0.05);

  // NaN from the 4th evaluation: start monitor + 2 good batches, the 4th is NaN.
  const seen: Float64Array[] = [];
  const broken = nanAfter(p.objective, 3);
  const r = sgd(broken, x0, { lr: 0.05, batchSize: 10, onIteration: (_row, x) => { seen.push(Float64Array.from(x)); } });
  assert.equal(r.status, 'nonFinite', r.message);
  assert.equal(r.steps, 2);
  assert.equal(seen.length, 2);
  // The NaN appeared mid-epoch 1, before any epoch was monitored: the result is
  // the last monitored iterate (x0) with its own evaluation, consistent with the history.
  assert.deepEqual(Array.from(r.x), Array.from(x0));
  assert.equal(r.value, p.objective.evaluate(x0).value);
  assert.equal(r.history.at(-1)!.value, r.value);
});
