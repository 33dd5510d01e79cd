import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armijoLineSearch, wolfeLineSearch } from '../../src/optimizers/index.js';
import { dot } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { nanAfter, rosenbrock } from '../helpers/testObjectives.js';

const x0 = new Float64Array([-1.2, 1]);

test('armijoLineSearch accepts a step with sufficient decrease and returns the evaluation there', () => {
  const obj = rosenbrock();
  const ev = obj.evaluate(x0);
  const p = ev.gradient.map((g) => -g);
  const r = armijoLineSearch(obj, x0, p, ev, { initialStep: 1, c1: 1e-4 });
  assert.equal(r.status, 'ok');
  assert.ok(r.alpha < 1 && r.alpha > 0);
  assert.ok(r.evaluation!.value <= ev.value + 1e-4 * r.alpha * dot(ev.gradient, p));
  assert.deepEqual(Array.from(r.x), Array.from(x0, (v, i) => v + r.alpha * p[i]));
  assert.equal(r.evaluation!.value, obj.evaluate(r.x).value);
});

test('wolfeLineSearch returns a point satisfying the strong Wolfe conditions', () => {
  const obj = rosenbrock();
  const ev = obj.evaluate(x0);
  const gn = Math.hypot(...ev.gradient);
  const p = ev.gradient.map((g) => -g / gn);
  const d0 = dot(ev.gradient, p);
  for (const [initialStep, c2] of [[1e-3, 0.9], [1, 0.9], [10, 0.1]] as const) {
    const r = wolfeLineSearch(obj, x0, p, ev, { initialStep, c2 });
    assert.equal(r.status, 'ok');
    assert.equal(r.wolfe, true);
    const e = r.evaluation!;
    assert.ok(e.value <= ev.value + 1e-4 * r.alpha * d0, 'sufficient decrease');
    assert.ok(Math.abs(dot(e.gradient, p)) <= c2 * Math.abs(d0) + 1e-12, `curvature at α = ${r.alpha}`);
  }
});

test('line searches report failed for a non-descent direction and nonFinite when every trial is NaN', () => {
  const obj = rosenbrock();
  const ev = obj.evaluate(x0);
  const ascent = Float64Array.from(ev.gradient);
  assert.equal(armijoLineSearch(obj, x0, ascent, ev).status, 'failed');
  assert.equal(wolfeLineSearch(obj, x0, ascent, ev).status, 'failed');
  const broken = nanAfter(obj, 0);
  const p = ev.gradient.map((g) => -g);
  const ra = armijoLineSearch(broken, x0, p, ev, { maxIter: 5 });
  assert.equal(ra.status, 'nonFinite');
  assert.equal(ra.iterations, 5);
  assert.equal(wolfeLineSearch(broken, x0, p, ev, { maxIter: 5 }).status, 'nonFinite');
});

test('armijoLineSearch shrinks past NaN values (overflow at long steps) to a finite acceptable point', () => {
  // f = x² but NaN beyond |x| > 10: a step of 100 along −g must shrink.
  const obj: Objective = {
    nParams: 1,
    evaluate: (x) => (Math.abs(x[0]) > 10 ? { value: NaN, gradient: new Float64Array([NaN]) } : { value: x[0] ** 2, gradient: new Float64Array([2 * x[0]]) }),
  };
  const x = new Float64Array([3]);
  const r = armijoLineSearch(obj, x, new Float64Array([-6]), obj.evaluate(x), { initialStep: 100 });
  assert.equal(r.status, 'ok');
  assert.ok(Math.abs(r.x[0]) <= 10);
});
