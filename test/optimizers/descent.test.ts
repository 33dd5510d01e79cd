import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussNewton, lbfgs, newtonCG, steepestDescent, type HistoryRow, type OptimizerResult } from '../../src/optimizers/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { nanAfter, negatedGradient, rosenbrock } from '../helpers/testObjectives.js';

type Method = (o: Objective, x0: Float64Array, opts: { onIteration?: (row: Readonly<HistoryRow>, x: Float64Array) => unknown; maxIter?: number }) => OptimizerResult;
const METHODS: [string, Method][] = [
  ['steepestDescent', (o, x0, opts) => steepestDescent(o, x0, opts as never)],
  ['newtonCG', (o, x0, opts) => newtonCG(o, x0, opts as never)],
  ['gaussNewton (Levenberg-Marquardt)', (o, x0, opts) => gaussNewton(o, x0, { ...(opts as object), damping: 'levenbergMarquardt' })],
  ['lbfgs (Wolfe)', (o, x0, opts) => lbfgs(o, x0, opts as never)],
  ['lbfgs (Armijo)', (o, x0, opts) => lbfgs(o, x0, { ...(opts as object), lineSearch: 'armijo' })],
];
const x0 = new Float64Array([4, 2]);
const values = (h: HistoryRow[]) => h.map(({ time: _t, ...rest }) => rest);

test('an objective that starts returning NaN stops every method with nonFinite and the last finite iterate', () => {
  for (const [name, run] of METHODS) {
    const iterates: number[][] = [];
    const r = run(nanAfter(rosenbrock(), 6), x0, { onIteration: (_row, x) => { iterates.push(Array.from(x)); } });
    assert.equal(r.status, 'nonFinite', `${name}: ${r.status} (${r.message})`);
    assert.ok(r.iterations >= 1, `${name}: made progress before the NaN`);
    assert.deepEqual(Array.from(r.x), iterates[iterates.length - 1], `${name}: x is the last accepted iterate`);
    assert.ok(Number.isFinite(r.value) && Array.from(r.x).every(Number.isFinite));
    assert.equal(r.value, r.history[r.history.length - 1].value);
  }
});

test('an objective that is NaN at x0 stops at once with nonFinite', () => {
  for (const [name, run] of METHODS) {
    const r = run(nanAfter(rosenbrock(), 0), x0, {});
    assert.equal(r.status, 'nonFinite', name);
    assert.equal(r.iterations, 0);
    assert.equal(r.history.length, 1);
    assert.deepEqual(Array.from(r.x), [4, 2]);
  }
});

test('a wrong gradient sign makes the line search fail: status lineSearchFailed, f never increased', () => {
  const f0 = rosenbrock().evaluate(x0).value;
  for (const [name, run] of METHODS) {
    const r = run(negatedGradient(rosenbrock()), x0, {});
    assert.equal(r.status, 'lineSearchFailed', `${name}: ${r.status} (${r.message})`);
    assert.match(r.message, new RegExp(`iteration ${r.iterations + 1}`));
    assert.ok(r.value <= f0);
    assert.equal(r.value, r.history[r.history.length - 1].value);
    // −(wrong gradient) = +∇f is an ascent direction: steepest descent cannot take a single step.
    if (name === 'steepestDescent') assert.deepEqual([r.iterations, ...r.x], [0, 4, 2]);
  }
});

test('onIteration can record fields and stop in the same row with { ..., stop: true }', () => {
  for (const [name, run] of METHODS) {
    const r = run(rosenbrock(), x0, { onIteration: (row) => ({ tag: row.iter * 10, stop: row.iter === 2 }) });
    assert.equal(r.status, 'stoppedByCallback', name);
    assert.equal(r.iterations, 2, name);
    assert.equal(r.history[2].tag, 20, `${name}: the stopping row keeps its fields`);
    assert.equal(r.history[2].stop, undefined, `${name}: 'stop' is a signal, not a field`);
  }
});

test('onIteration can add fields to every row and stop the run with false', () => {
  for (const [name, run] of METHODS) {
    const r = run(rosenbrock(), x0, { onIteration: (row, x) => (row.iter === 3 ? false : { distance: Math.hypot(x[0] - 1, x[1] - 1), parity: row.iter % 2 === 0 ? 'even' : 'odd' }) });
    assert.equal(r.status, 'stoppedByCallback', name);
    assert.equal(r.iterations, 3);
    assert.equal(r.history.length, 4);
    assert.ok(Math.abs((r.history[0].distance as number) - Math.hypot(3, 1)) < 1e-15);
    assert.equal(r.history[1].parity, 'odd');
    assert.equal(r.history[3].distance, undefined, 'the row of a false return gets no fields');
  }
});

test('history rows carry the documented columns; evals and matvecs are cumulative; maxIter is reported', () => {
  for (const [name, run] of METHODS) {
    const r = run(rosenbrock(), x0, { maxIter: 4 });
    assert.equal(r.status, 'maxIter', name);
    assert.equal(r.history.length, 5);
    for (const key of ['iter', 'value', 'gradNorm', 'step', 'stepNorm', 'lsIter', 'cgIter', 'matvecs', 'evals', 'time']) {
      assert.equal(typeof r.history[4][key], 'number', `${name}: ${key}`);
    }
    for (let k = 1; k < 5; k++) {
      assert.equal(r.history[k].iter, k);
      assert.ok(r.history[k].evals >= r.history[k - 1].evals + r.history[k].lsIter);
      assert.ok(r.history[k].matvecs >= r.history[k - 1].matvecs);
      assert.ok(r.history[k].time >= r.history[k - 1].time);
    }
    assert.equal(r.evals, r.history[4].evals);
  }
});

test('deterministic methods give identical histories on repeated runs (time aside)', () => {
  for (const [name, run] of METHODS) {
    const a = run(rosenbrock(), x0, { maxIter: 30 });
    const b = run(rosenbrock(), x0, { maxIter: 30 });
    assert.deepEqual(values(a.history), values(b.history), name);
  }
});
