/**
 * nonlinearCG: n-step termination on quadratics (exact line search: all four
 * β formulas are linear CG), Rosenbrock, strong Wolfe conditions at every
 * accepted step, restarts, VarPro's outer solver, history/printer conventions
 * and option errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nonlinearCG, steepestDescent, varpro, type NonlinearCGVariant } from '../../src/optimizers/index.js';
import { createRng, dot, norm2, pcg } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { exponentialFitting, nanAfter, quadratic, rosenbrock } from '../helpers/testObjectives.js';

const VARIANTS: NonlinearCGVariant[] = ['PR+', 'FR', 'HS', 'DY'];
const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i]));

/**
 * Run with a callback that checks the strong Wolfe conditions of every
 * accepted step: f_k ≤ f_{k−1} + c₁α∇f_{k−1}ᵀp and |∇f_kᵀp| ≤ c₂|∇f_{k−1}ᵀp|,
 * with p = (x_k − x_{k−1})/α_k.
 */
function runChecked(obj: Objective, x0: Float64Array, opts: Parameters<typeof nonlinearCG>[2] & { c2: number }) {
  let xPrev = Float64Array.from(x0);
  let evPrev = obj.evaluate(xPrev);
  const violations: string[] = [];
  const r = nonlinearCG(obj, x0, {
    ...opts,
    onIteration: (row, x) => {
      if (row.iter === 0) return;
      const ev = obj.evaluate(x);
      const p = Float64Array.from(x, (v, i) => (v - xPrev[i]) / row.step);
      const d0 = dot(evPrev.gradient, p), d = dot(ev.gradient, p);
      if (!(ev.value <= evPrev.value + 1e-4 * row.step * d0 + 1e-15 * Math.abs(evPrev.value))) violations.push(`iteration ${row.iter}: sufficient decrease`);
      if (!(Math.abs(d) <= opts.c2 * Math.abs(d0) * (1 + 1e-8) + 1e-14 * norm2(ev.gradient) * norm2(p))) violations.push(`iteration ${row.iter}: curvature |φ'(α)| = ${Math.abs(d)} > c₂|φ'(0)| = ${opts.c2 * Math.abs(d0)}`);
      xPrev = Float64Array.from(x);
      evPrev = ev;
    },
  });
  return { r, violations };
}

test('nonlinearCG on a quadratic with a (nearly) exact line search ends in n steps for every β, with the linear-CG iterates', () => {
  const n = 12;
  const q = quadratic(Array.from({ length: n }, (_, i) => 1 + 2 * i), createRng(7));
  const x0 = new Float64Array(n);
  const g0 = norm2(q.objective.evaluate(x0).gradient);
  // Linear CG on A x = b from 0 (b = −∇f(0)), stopped after k steps: the Krylov iterates x_k.
  const b = q.objective.evaluate(x0).gradient.map((v) => -v);
  const cgIterates = [1, 2, 3, 4].map((k) => pcg(q.apply, b, { maxIter: k, tol: 1e-30 }).x);
  for (const variant of VARIANTS) {
    const { r, violations } = runChecked(q.objective, x0, { variant, c1: 1e-12, c2: 1e-9, maxLsIter: 60, gradTol: 0, relGradTol: 1e-10, maxIter: 3 * n });
    assert.equal(r.status, 'converged', `${variant}: ${r.message}`);
    assert.ok(r.iterations <= n, `${variant}: ${r.iterations} iterations for n = ${n}`);
    assert.ok(dist(r.x, q.solution) <= 1e-8 * norm2(q.solution), `${variant}: error ${dist(r.x, q.solution)}`);
    assert.deepEqual(violations, [], variant);
    assert.equal(r.history.filter((row) => row.iter > 1 && row.beta === 0).length, 0, `${variant}: no restart on a quadratic (successive gradients are orthogonal)`);
    const xs: Float64Array[] = [];
    nonlinearCG(q.objective, x0, { variant, c1: 1e-12, c2: 1e-9, maxLsIter: 60, maxIter: 4, onIteration: (row, x) => { if (row.iter > 0) xs.push(Float64Array.from(x)); } });
    cgIterates.forEach((xk, k) => assert.ok(dist(xs[k], xk) <= 1e-7 * norm2(xk), `${variant}: iterate ${k + 1} differs from linear CG's by ${dist(xs[k], xk)}`));
  }
  console.log(`quadratic n = ${n}, κ = ${2 * n - 1}: ‖∇f(x0)‖ = ${g0.toFixed(3)}; iterations ${VARIANTS.map((v) => `${v} ${nonlinearCG(q.objective, x0, { variant: v, c1: 1e-12, c2: 1e-9, maxLsIter: 60, gradTol: 0, relGradTol: 1e-10 }).iterations}`).join(', ')}`);
});

test('nonlinearCG reaches the Rosenbrock minimum (1, 1) from (−1.2, 1) with every β; every step satisfies the strong Wolfe conditions', () => {
  const lines: string[] = [];
  for (const variant of VARIANTS) {
    const { r, violations } = runChecked(rosenbrock(), Float64Array.of(-1.2, 1), { variant, c2: 0.1, maxIter: 2000, gradTol: 1e-8 });
    assert.equal(r.status, 'converged', `${variant}: ${r.message}`);
    assert.ok(dist(r.x, [1, 1]) <= 1e-6, `${variant}: x = ${Array.from(r.x)}`);
    assert.deepEqual(violations, [], `${variant}: strong Wolfe violations`);
    assert.equal(r.matvecs, 0, 'no Hessian used');
    for (let k = 1; k < r.history.length; k++) assert.ok(r.history[k].value < r.history[k - 1].value, `${variant}: value rose at iteration ${k}`);
    lines.push(`${variant} ${r.iterations} iterations, ${r.evals} evaluations, ${r.history[r.history.length - 1].restarts} restarts`);
  }
  console.log(`Rosenbrock from (−1.2, 1): ${lines.join('; ')}`);
});

test('nonlinearCG beats steepest descent on an ill-conditioned quadratic', () => {
  const n = 50;
  const q = quadratic(Array.from({ length: n }, (_, i) => 10 ** (3 * i / (n - 1))), createRng(8));
  const x0 = new Float64Array(n);
  const cg = nonlinearCG(q.objective, x0, { maxIter: 2000, relGradTol: 1e-8, gradTol: 0 });
  const sd = steepestDescent(q.objective, x0, { maxIter: 2000, relGradTol: 1e-8, gradTol: 0 });
  assert.equal(cg.status, 'converged', cg.message);
  assert.ok(cg.iterations * 5 < sd.iterations, `nonlinear CG ${cg.iterations} vs steepest descent ${sd.iterations} (${sd.status}) iterations`);
});

test('restarts: restartEvery = 1 is steepest descent (β = 0 throughout), periodic and Powell restarts are recorded', () => {
  const q = quadratic([1, 2, 3, 4, 5, 6, 7, 8], createRng(9));
  const x0 = new Float64Array(8);
  const sd = nonlinearCG(q.objective, x0, { restartEvery: 1, maxIter: 20 });
  assert.ok(sd.history.slice(1).every((row) => row.beta === 0), 'β = 0 on every iteration');
  assert.ok(sd.history.slice(2).every((row) => row.restart === 'periodic'));
  const ros = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { variant: 'FR', maxIter: 2000 });
  const reasons = new Set(ros.history.map((row) => row.restart));
  assert.ok(reasons.has('periodic') && (ros.history[ros.history.length - 1].restarts as number) > 0, `restart reasons ${[...reasons]}`);
  const never = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { variant: 'PR+', maxIter: 2000, restartEvery: Infinity, restartOrthogonality: Infinity });
  assert.ok(never.history.every((row) => row.restart !== 'periodic' && row.restart !== 'powell'));
});

test('nonlinearCG as the outer solver of varpro (exponential fitting): the same minimum as Gauss-Newton', () => {
  const problem = exponentialFitting(createRng(3));
  const theta0 = Float64Array.of(1, 5);
  const gn = varpro(problem.reduced, theta0, { gradTol: 1e-10 });
  for (const variant of VARIANTS) {
    const r = varpro(problem.reduced, theta0, { method: 'nonlinearCG', variant, maxIter: 500, gradTol: 1e-9 });
    assert.equal(r.method, 'nonlinearCG');
    assert.equal(r.status, 'converged', `${variant}: ${r.message}`);
    assert.ok(dist(r.x, gn.x) < 1e-5, `${variant}: θ = ${Array.from(r.x)} vs ${Array.from(gn.x)}`);
    assert.equal(r.innerIterations, r.evals, 'one inner solve per evaluation');
    assert.ok(typeof r.history[1].beta === 'number');
  }
  assert.throws(() => varpro(problem.reduced, theta0, { method: 'nonlinearCG', variant: 'XX' as NonlinearCGVariant }), /varpro: variant must be one of 'PR\+', 'FR', 'HS', 'DY', got 'XX'/);
});

test('nonlinearCG: history, printed table, callback stop, non-finite objective and option errors', () => {
  const lines: string[] = [];
  const r = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { maxIter: 5, print: (l) => lines.push(l) });
  assert.equal(r.status, 'maxIter');
  assert.equal(r.history.length, 6);
  assert.match(lines[0], /iter\s+f\(x\)\s+\|grad\|\s+step\s+LS\s+beta\s+restart/);
  assert.equal(lines.length, 7);
  const stopped = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { onIteration: (row) => (row.iter === 3 ? false : undefined) });
  assert.equal(stopped.status, 'stoppedByCallback');
  assert.equal(stopped.iterations, 3);
  const broken = nonlinearCG(nanAfter(rosenbrock(), 4), Float64Array.of(-1.2, 1), { maxIter: 50 });
  assert.ok(broken.status === 'nonFinite' || broken.status === 'lineSearchFailed', broken.status);
  assert.ok(Number.isFinite(broken.value));
  // same input, same bits
  const a = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { maxIter: 30 }), b = nonlinearCG(rosenbrock(), Float64Array.of(-1.2, 1), { maxIter: 30 });
  assert.deepEqual(a.x, b.x);
  const x0 = Float64Array.of(-1.2, 1);
  assert.throws(() => nonlinearCG(rosenbrock(), x0, { variant: 'PR' as NonlinearCGVariant }), /nonlinearCG: variant must be one of 'PR\+', 'FR', 'HS', 'DY', got 'PR'/);
  assert.throws(() => nonlinearCG(rosenbrock(), x0, { c2: 1e-5 }), /nonlinearCG: c2 must be in \(0.0001, 1\), got 0.00001|nonlinearCG: c2 must be in \(0.0001, 1\), got 1e-5/);
  assert.throws(() => nonlinearCG(rosenbrock(), x0, { restartEvery: 0 }), /nonlinearCG: restartEvery must be a positive integer, got 0/);
  assert.throws(() => nonlinearCG(rosenbrock(), x0, { restartOrthogonality: -1 }), /nonlinearCG: restartOrthogonality must be a positive number \(Infinity allowed\), got -1/);
  assert.throws(() => nonlinearCG(rosenbrock(), x0, { memory: 3 } as never), /nonlinearCG: unknown option 'memory'/);
  assert.throws(() => nonlinearCG(rosenbrock(), new Float64Array(3)), /nonlinearCG: x0 has length 3, expected 2/);
  assert.deepEqual(x0, Float64Array.of(-1.2, 1), 'x0 untouched');
});
