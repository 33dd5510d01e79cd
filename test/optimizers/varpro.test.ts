import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussNewton, varpro } from '../../src/optimizers/index.js';
import { createRng } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { exponentialFitting } from '../helpers/testObjectives.js';
import { runSeparableLs } from '../../examples/separable-ls.js';

test('VarPro on exponential fitting needs fewer outer iterations than full Gauss-Newton on (θ, w)', () => {
  const problem = exponentialFitting(createRng(1));
  const theta0 = new Float64Array([5, 10]);
  const vp = varpro(problem.reduced, theta0, { gradTol: 1e-10 });
  const x0 = new Float64Array([...theta0, ...problem.solveW(theta0)]);
  const gn = gaussNewton(problem.full, x0, { gradTol: 1e-10 });
  assert.equal(vp.status, 'converged', vp.message);
  assert.equal(gn.status, 'converged', gn.message);
  // Same minimum: θ, w and f agree.
  const w = problem.solveW(vp.x);
  for (let j = 0; j < 2; j++) {
    assert.ok(Math.abs(vp.x[j] - gn.x[j]) < 1e-6, `θ_${j}: ${vp.x[j]} vs ${gn.x[j]}`);
    assert.ok(Math.abs(w[j] - gn.x[2 + j]) < 1e-6, `w_${j}: ${w[j]} vs ${gn.x[2 + j]}`);
  }
  assert.ok(Math.abs(vp.value - gn.value) <= 1e-10 * gn.value);
  assert.ok(vp.outerIterations < gn.iterations, `VarPro ${vp.outerIterations} outer iterations vs Gauss-Newton ${gn.iterations}`);
});

test('varpro counts outer and inner iterations from Evaluation.info (line searches included)', () => {
  const problem = exponentialFitting(createRng(2));
  const r = varpro(problem.reduced, new Float64Array([1, 5]));
  assert.equal(r.method, 'gaussNewton');
  assert.equal(r.outerIterations, r.iterations);
  // One closed-form inner solve per evaluation.
  assert.equal(r.innerIterations, r.evals);
  const h = r.history;
  assert.equal(h[h.length - 1].innerTotal, r.innerIterations);
  assert.equal(h.reduce((s, row) => s + (row.inner as number), 0), r.innerIterations);
  for (const row of h.slice(1)) assert.equal(row.inner, row.lsIter, 'one inner solve per line-search trial');
});

test('varpro runs other outer methods and honours innerKey; missing info fields count as zero', () => {
  const problem = exponentialFitting(createRng(3));
  const theta0 = new Float64Array([1, 5]);
  for (const method of ['newtonCG', 'lbfgs', 'steepestDescent'] as const) {
    const r = varpro(problem.reduced, theta0, { method, maxIter: method === 'steepestDescent' ? 3000 : 200, gradTol: 1e-7 });
    assert.equal(r.method, method);
    assert.equal(r.status, 'converged', `${method}: ${r.message}`);
    assert.ok(Math.abs(r.x[0] - 0.4) < 5e-3 && Math.abs(r.x[1] - 2.5) < 5e-2, `${method}: θ = ${Array.from(r.x)}`);
  }
  const renamed: Objective = {
    nParams: 2,
    evaluate(x, b, o) {
      const ev = problem.reduced.evaluate(x, b, o);
      return { ...ev, info: { newtonSteps: 3 } };
    },
  };
  const r = varpro(renamed, theta0, { innerKey: 'newtonSteps' });
  assert.equal(r.innerIterations, 3 * r.evals);
  const bare: Objective = { nParams: 2, evaluate: (x, b, o) => ({ ...problem.reduced.evaluate(x, b, o), info: undefined }) };
  assert.equal(varpro(bare, theta0).innerIterations, 0);
});

test('varpro passes the caller\'s onIteration the row with the inner counts and merges what it returns', () => {
  const problem = exponentialFitting(createRng(1));
  const seen: number[] = [];
  const r = varpro(problem.reduced, new Float64Array([1, 5]), {
    onIteration: (row) => {
      seen.push(row.innerTotal as number);
      return row.iter === 2 ? false : { tag: row.iter * 10 };
    },
  });
  assert.equal(r.status, 'stoppedByCallback');
  assert.equal(r.history.length, 3);
  assert.deepEqual(seen, r.history.map((row) => row.innerTotal));
  assert.equal(r.history[1].tag, 10);
});

test('the separable least-squares example (fast variant) reports every method and VarPro reaching the tolerance', () => {
  const { rows, table } = runSeparableLs({ m: 100, adamEpochs: 3, repeats: 0, starts: [[1, 5]] });
  assert.equal(rows.length, 5);
  assert.ok(rows[0].method.startsWith('VarPro') && rows[0].reached);
  assert.ok(rows[1].reached, 'full Gauss-Newton reaches the tolerance from θ₀ = [1, 5]');
  assert.match(table, /VarPro/);
  assert.match(table, /ADAM/);
});
