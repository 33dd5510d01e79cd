/**
 * Conformance checks for objectives: gradient Taylor test, (Gauss-Newton)
 * Hessian mat-vec symmetric (adjoint test) and positive semi-definite,
 * value-only evaluations, x untouched.
 */
import assert from 'node:assert/strict';
import { createRng, dot } from '../../src/core/index.js';
import type { Objective } from '../../src/objectives/index.js';
import { assertAdjoint, assertTaylor } from './assertions.js';

/** Gradient Taylor test at x along a seeded random direction; returns the Taylor result. */
export function checkGradient(label: string, obj: Objective, x: Float64Array, seed = 1, h0 = 0.5) {
  const v = createRng(seed).normalArray(obj.nParams);
  const g = obj.evaluate(x).gradient;
  return assertTaylor(`${label} gradient`, (z) => obj.evaluate(z, null, { valueOnly: true }).value, x, v, { jvp: dot(g, v), h0 });
}

/** The Hessian mat-vec at x is symmetric and positive semi-definite on random vectors. */
export function checkHessianSymmetricPsd(label: string, obj: Objective, x: Float64Array, seed = 2, tol = 1e-12) {
  const ev = obj.evaluate(x);
  assert.ok(ev.hessian, `${label}: no Hessian mat-vec`);
  const H = ev.hessian!;
  assertAdjoint(`${label} Hessian symmetry`, (v) => H(v), (w) => H(w), { nIn: obj.nParams, nOut: obj.nParams, rng: createRng(seed), tol });
  const rng = createRng(seed + 1);
  for (let t = 0; t < 10; t++) {
    const v = rng.normalArray(obj.nParams);
    const q = dot(v, H(v));
    assert.ok(q >= -1e-12 * dot(v, v), `${label}: vᵀHv = ${q} < 0`);
  }
}

/** valueOnly gives the same value and an empty gradient; x is not modified. */
export function checkEvaluateBasics(label: string, obj: Objective, x: Float64Array) {
  const x0 = Float64Array.from(x);
  const a = obj.evaluate(x);
  const b = obj.evaluate(x, null, { valueOnly: true });
  assert.equal(b.value, a.value, `${label}: valueOnly changes the value`);
  assert.equal(b.gradient.length, 0);
  assert.equal(a.gradient.length, obj.nParams);
  assert.deepEqual(x, x0, `${label}: x was modified`);
  assert.ok(Number.isFinite(a.value));
}
