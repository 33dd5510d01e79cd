/**
 * Shared assertions for numdl tests: Taylor and adjoint checks that print
 * their tables on failure, and closeness of arrays / matrices.
 */
import assert from 'node:assert/strict';
import { taylorTest, adjointTest, columnMajorData, type TaylorOptions, type AdjointOptions, type CheckValue, type AnyMatrix } from '../../src/core/index.js';

/** Run a Taylor test and assert it passes; returns the result (orders printed on failure). */
export function assertTaylor(label: string, f: (x: Float64Array) => CheckValue, x: Float64Array, v: Float64Array, opts: TaylorOptions) {
  const r = taylorTest(f, x, v, opts);
  assert.ok(r.passed, `Taylor test failed for ${label}:\n${r.table}`);
  // The first-order error must really be first order where it is not exact.
  // (E0 of order 2 throughout would mean J v = 0 and prove nothing; E0 turns
  // first order once h·‖Jv‖ dominates the second-order term.)
  if (!r.exact) {
    let run = 0, best = 0;
    for (const o of r.orders0) {
      run = Math.abs(o - 1) < 0.3 ? run + 1 : 0;
      best = Math.max(best, run);
    }
    assert.ok(best >= 3, `Taylor test for ${label}: E0 is not first order (is J v zero?):\n${r.table}`);
  }
  return r;
}

/** Run an adjoint test and assert it passes. */
export function assertAdjoint(label: string, apply: (v: Float64Array) => CheckValue, applyT: (w: Float64Array) => CheckValue, opts: AdjointOptions) {
  const r = adjointTest(apply, applyT, opts);
  assert.ok(r.passed, `adjoint test failed for ${label}: <Jv,w> = ${r.lhs}, <v,J'w> = ${r.rhs}, relative error ${r.relError.toExponential(3)}`);
  return r;
}

function flat(a: number | ArrayLike<number> | AnyMatrix): ArrayLike<number> {
  if (typeof a === 'number') return [a];
  return a && typeof a === 'object' && 'shape' in a ? columnMajorData(a as AnyMatrix) : (a as ArrayLike<number>);
}

/** max |a − b| ≤ tol·max(1, max|b|), with shapes checked for matrices. */
export function assertClose(a: number | ArrayLike<number> | AnyMatrix, b: number | ArrayLike<number> | AnyMatrix, tol: number, label = 'values') {
  if (a && typeof a === 'object' && 'shape' in a && b && typeof b === 'object' && 'shape' in b) {
    assert.deepEqual((a as AnyMatrix).shape, (b as AnyMatrix).shape, `${label}: shapes differ`);
  }
  const x = flat(a), y = flat(b);
  assert.ok(typeof x.length === 'number' && typeof y.length === 'number', `${label}: not numbers, arrays or matrices`);
  assert.equal(x.length, y.length, `${label}: lengths differ`);
  let err = 0, scale = 1;
  let worst = -1;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i] - y[i]);
    if (!(e <= err)) {
      err = e;
      worst = i;
    }
    scale = Math.max(scale, Math.abs(y[i]));
  }
  assert.ok(err <= tol * scale, `${label}: max error ${err.toExponential(3)} at index ${worst} (got ${x[worst]}, expected ${y[worst]}) exceeds ${tol} × ${scale}`);
}
