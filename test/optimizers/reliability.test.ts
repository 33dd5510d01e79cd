/**
 * A run is never lost: every optimizer stops with status 'error' (the
 * exception attached) when the objective, a Hessian product or a callback
 * throws, and returns the last good iterate with its value and the history so
 * far. Plus the divergence / no-progress / non-finite statuses and the
 * objective-contract checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adagrad, adam, gaussNewton, lbfgs, newtonCG, nonlinearCG, sgd, steepestDescent, varpro, NumdlError } from '../../src/index.js';
import type { Evaluation, EvaluateOptions, Objective, OptimizerResult } from '../../src/index.js';
import { leastSquaresProblem, nanAfter } from '../helpers/testObjectives.js';

type Run = (obj: Objective, x0: Float64Array, extra?: Record<string, unknown>) => OptimizerResult;
const quiet = { quiet: true };
const RUNS: Record<string, Run> = {
  steepestDescent: (o, x, e) => steepestDescent(o, x, { ...quiet, maxIter: 50, ...e }),
  newtonCG: (o, x, e) => newtonCG(o, x, { ...quiet, maxIter: 50, gradTol: 0, relGradTol: 0, ...e }),
  gaussNewton: (o, x, e) => gaussNewton(o, x, { ...quiet, maxIter: 50, gradTol: 0, relGradTol: 0, ...e }),
  levenbergMarquardt: (o, x, e) => gaussNewton(o, x, { ...quiet, damping: 'levenbergMarquardt', maxIter: 50, gradTol: 0, relGradTol: 0, ...e }),
  lbfgs: (o, x, e) => lbfgs(o, x, { ...quiet, maxIter: 50, ...e }),
  nonlinearCG: (o, x, e) => nonlinearCG(o, x, { ...quiet, maxIter: 50, ...e }),
  varpro: (o, x, e) => varpro(o, x, { ...quiet, maxIter: 50, gradTol: 0, relGradTol: 0, ...e }),
  sgd: (o, x, e) => sgd(o, x, { ...quiet, lr: 1e-3, batchSize: 40, maxEpochs: 20, seed: 1, ...e }),
  adam: (o, x, e) => adam(o, x, { ...quiet, lr: 1e-2, batchSize: 40, maxEpochs: 20, seed: 1, ...e }),
  adagrad: (o, x, e) => adagrad(o, x, { ...quiet, lr: 0.1, batchSize: 40, maxEpochs: 20, seed: 1, ...e }),
};
const STOCHASTIC = new Set(['sgd', 'adam', 'adagrad']);

/** The objective, except that evaluation number `k` (1-based) throws. */
function throwsAt(objective: Objective, k: number, what: 'evaluate' | 'hessian' = 'evaluate') {
  const err = new Error(`boom at evaluation ${k}`);
  let calls = 0;
  const o: Objective = {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      calls++;
      if (what === 'evaluate' && calls === k) throw err;
      const ev = objective.evaluate(x, batch, opts);
      if (what === 'hessian' && calls >= k && ev.hessian) return { ...ev, hessian: () => { throw err; } };
      return ev;
    },
  };
  return { o, err };
}

/** The result holds a consistent last good point: f(x) is its value and the last history row. */
function assertConsistent(name: string, objective: Objective, r: OptimizerResult) {
  const f = objective.evaluate(r.x).value;
  assert.ok(Number.isFinite(r.value), `${name}: value ${r.value}`);
  assert.ok(Math.abs(f - r.value) <= 1e-12 * Math.max(1, Math.abs(f)), `${name}: returned value ${r.value} but f(x) = ${f}`);
  assert.ok(r.history.length >= 1, `${name}: history lost`);
  assert.equal(r.history.at(-1)!.value, r.value, `${name}: last history row is not the returned point`);
}

for (const [name, run] of Object.entries(RUNS)) {
  test(`${name}: an objective that throws mid-run stops with status 'error', the last good iterate and the history`, () => {
    const p = leastSquaresProblem();
    const x0 = new Float64Array(p.n);
    const k = STOCHASTIC.has(name) ? 40 : 6;
    const { o, err } = throwsAt(p.objective, k);
    const r = run(o, x0);
    assert.equal(r.status, 'error', `${name}: ${r.status} ${r.message}`);
    assert.equal(r.error, err);
    assert.match(r.message, /boom at evaluation/);
    assert.ok(r.history.length >= 2, `${name}: ${r.history.length} rows`);
    assertConsistent(name, p.objective, r);
    assert.ok(r.value < p.objective.evaluate(x0).value, `${name}: progress before the exception is kept`);
  });

  test(`${name}: a callback that throws stops with status 'error' and keeps the run`, () => {
    const p = leastSquaresProblem();
    const err = new Error('callback broke');
    const key = STOCHASTIC.has(name) ? 'onEpoch' : 'onIteration';
    const r = run(p.objective, new Float64Array(p.n), { [key]: (row: { iter: number }) => { if (row.iter === 2) throw err; } });
    assert.equal(r.status, 'error', `${name}: ${r.status}`);
    assert.equal(r.error, err);
    assert.equal(r.history.length, 3, `${name}: rows 0, 1, 2 are kept`);
    assertConsistent(name, p.objective, r);
  });

  test(`${name}: a gradient of the wrong length is a NumdlError naming nParams`, () => {
    const p = leastSquaresProblem();
    for (const delta of [-1, 1]) {
      const bad: Objective = {
        nParams: p.n,
        nData: p.objective.nData,
        evaluate(x, batch, opts) {
          const ev = p.objective.evaluate(x, batch, opts);
          const g = new Float64Array(ev.gradient.length + delta);
          g.set(ev.gradient.subarray(0, Math.min(g.length, ev.gradient.length)));
          return { ...ev, gradient: g };
        },
      };
      assert.throws(() => run(bad, new Float64Array(p.n)), (e: unknown) => e instanceof NumdlError && e.code === 'badObjective' && e.fn === name.replace('levenbergMarquardt', 'gaussNewton')
        && new RegExp(`gradient has length ${p.n + delta}.*nParams = ${p.n}`).test(e.message), `${name}, delta ${delta}`);
    }
  });
}

for (const name of ['newtonCG', 'gaussNewton', 'levenbergMarquardt', 'varpro']) {
  test(`${name}: a Hessian product that throws stops with status 'error'`, () => {
    const p = leastSquaresProblem();
    const { o, err } = throwsAt(p.objective, 3, 'hessian');
    const r = RUNS[name](o, new Float64Array(p.n));
    assert.equal(r.status, 'error', `${name}: ${r.status} ${r.message}`);
    assert.equal(r.error, err);
    assertConsistent(name, p.objective, r);
  });

  test(`${name}: a Hessian product of the wrong length is a NumdlError naming nParams`, () => {
    const p = leastSquaresProblem();
    const bad: Objective = {
      nParams: p.n,
      evaluate(x, batch, opts) {
        const ev = p.objective.evaluate(x, batch, opts);
        return { ...ev, hessian: (v: Float64Array) => ev.hessian!(v).subarray(1) };
      },
    };
    assert.throws(() => RUNS[name](bad, new Float64Array(p.n)), (e: unknown) => e instanceof NumdlError && e.code === 'badObjective'
      && new RegExp(`Hessian product has length ${p.n - 1}.*nParams = ${p.n}`).test(e.message));
  });
}

for (const name of ['sgd', 'adam', 'adagrad']) {
  test(`${name}: stopping with nonFinite returns the last iterate whose evaluation was finite, with that evaluation`, () => {
    const p = leastSquaresProblem();
    // 400 examples in batches of 40: 10 batches and one monitor evaluation per epoch; NaN from mid-epoch 3.
    const bad = nanAfter(p.objective, 1 + 2 * 11 + 5);
    const r = RUNS[name](bad, new Float64Array(p.n));
    assert.equal(r.status, 'nonFinite');
    assertConsistent(name, p.objective, r);
    assert.ok(Math.abs(norm(p.objective.evaluate(r.x).gradient) - r.gradNorm) <= 1e-12 * r.gradNorm);
  });
}

function norm(v: Float64Array) {
  return Math.hypot(...v);
}

test('Levenberg–Marquardt on an objective unbounded below stops with status diverged', () => {
  const unbounded: Objective = {
    nParams: 2,
    evaluate(x) {
      return { value: -(x[0] * x[0] + x[1] * x[1]), gradient: new Float64Array([-2 * x[0], -2 * x[1]]), hessian: (u) => new Float64Array([2 * u[0], 2 * u[1]]) };
    },
  };
  const r = gaussNewton(unbounded, new Float64Array([1, 1]), { damping: 'levenbergMarquardt', maxIter: 2000, quiet: true });
  assert.equal(r.status, 'diverged', `${r.status} at f = ${r.value}: ${r.message}`);
  assert.ok(Number.isFinite(r.value) && r.value > -1e300);
  const expo: Objective = {
    nParams: 1,
    evaluate(x) {
      return { value: -Math.exp(x[0]), gradient: new Float64Array([-Math.exp(x[0])]), hessian: () => new Float64Array([0]) };
    },
  };
  const r2 = gaussNewton(expo, new Float64Array([1]), { damping: 'levenbergMarquardt', maxIter: 2000, quiet: true });
  assert.equal(r2.status, 'diverged', `${r2.status} at f = ${r2.value}: ${r2.message}`);
  const r3 = lbfgs(expo, new Float64Array([1]), { maxIter: 2000, quiet: true });
  assert.equal(r3.status, 'diverged', `lbfgs: ${r3.status} at f = ${r3.value}: ${r3.message}`);
});

test('Levenberg–Marquardt with a NaN Hessian product stops with nonFinite instead of driving μ up', () => {
  const nanH: Objective = {
    nParams: 2,
    evaluate(x) {
      return { value: x[0] ** 2 + x[1] ** 2, gradient: new Float64Array([2 * x[0], 2 * x[1]]), hessian: () => new Float64Array([NaN, NaN]) };
    },
  };
  const r = gaussNewton(nanH, new Float64Array([1, 1]), { damping: 'levenbergMarquardt', mu0: 1, quiet: true });
  assert.equal(r.status, 'nonFinite', r.message);
  assert.match(r.message, /Hessian/);
  assert.ok(r.history.every((row) => !(typeof row.mu === 'number' && row.mu > 1e10)));
});

test('Levenberg–Marquardt rejects the line-search options it does not use', () => {
  const p = leastSquaresProblem();
  for (const key of ['c1', 'maxStep', 'stepGrowth', 'initialStep', 'interpolate', 'maxStepNorm']) {
    const value = key === 'interpolate' ? false : key === 'c1' ? 0.1 : 2;
    assert.throws(() => gaussNewton(p.objective, new Float64Array(p.n), { damping: 'levenbergMarquardt', [key]: value }),
      (e: unknown) => e instanceof NumdlError && e.code === 'unknownOption' && e.message.includes(`'${key}'`) && /levenbergMarquardt/.test(e.message), key);
    assert.throws(() => varpro(p.objective, new Float64Array(p.n), { damping: 'levenbergMarquardt', [key]: value }), NumdlError, `varpro ${key}`);
  }
  // The undamped method still takes them.
  assert.doesNotThrow(() => gaussNewton(p.objective, new Float64Array(p.n), { c1: 0.1, maxIter: 2, quiet: true }));
});

test('steepestDescent on a constant f with a wrong nonzero gradient stops with noProgress', () => {
  const constant: Objective = { nParams: 2, evaluate: () => ({ value: 1, gradient: new Float64Array([1, 1]) }) };
  const r = steepestDescent(constant, new Float64Array([1, 1]), { quiet: true });
  assert.equal(r.status, 'noProgress', `${r.status} after ${r.iterations} iterations`);
  assert.ok(r.iterations <= 20, `${r.iterations} iterations`);
  const r2 = lbfgs(constant, new Float64Array([1, 1]), { quiet: true });
  assert.ok(r2.status === 'noProgress' || r2.status === 'lineSearchFailed', r2.status);
  assert.ok(r2.iterations <= 20);
});

test('lbfgs with NaN gradients but finite values reports nonFinite, not lineSearchFailed', () => {
  const nanGrad: Objective = {
    nParams: 2,
    evaluate(x) {
      return { value: (x[0] - 3) ** 2, gradient: new Float64Array([x[0] > 1.5 ? NaN : 2 * (x[0] - 3), 0]) };
    },
  };
  for (const lineSearch of ['wolfe', 'armijo'] as const) {
    const r = lbfgs(nanGrad, new Float64Array([0, 0]), { quiet: true, lineSearch });
    assert.equal(r.status, 'nonFinite', `${lineSearch}: ${r.status} ${r.message}`);
    assertConsistent('lbfgs', nanGrad, r);
  }
});
