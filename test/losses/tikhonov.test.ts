import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, dot, fromRows, linearOperator } from '../../src/core/index.js';
import { tikhonov } from '../../src/losses/index.js';
import { assertAdjoint, assertClose, assertTaylor } from '../helpers/assertions.js';

test('tikhonov: (λ/2)‖x‖² by default, any length', () => {
  const R = tikhonov({ lambda: 2 });
  assert.equal(R.value(Float64Array.of(1, 1)), 2);
  assert.equal(R.value(Float64Array.of(3)), 9);
  assertClose(R.gradient(Float64Array.of(1, -2)), [2, -4], 0);
  assert.equal(R.isIdentity, true);
  assert.equal(tikhonov().lambda, 1);
});

test('tikhonov with an operator L: gradient Taylor test, Hessian symmetric PSD', () => {
  // L = first differences, 3×4, as a dense matrix and as a matrix-free operator.
  const Ld = fromRows([[-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 1]]);
  const Lop = linearOperator({
    rows: 3,
    cols: 4,
    apply: (x) => Float64Array.from({ length: 3 }, (_, i) => x[i + 1] - x[i]),
    applyTranspose: (y) => Float64Array.from({ length: 4 }, (_, j) => (j > 0 ? y[j - 1] : 0) - (j < 3 ? y[j] : 0)),
  });
  const rng = createRng(4);
  for (const L of [Ld, Lop]) {
    const R = tikhonov({ lambda: 0.7, L });
    assert.equal(R.n, 4);
    const x = rng.normalArray(4), v = rng.normalArray(4);
    assertTaylor('tikhonov value', (z) => R.value(z), x, v, { jvp: dot(R.gradient(x), v) });
    // gradient is linear in x: its Taylor test is exact.
    assertTaylor('tikhonov gradient', (z) => R.gradient(z), x, v, { jvp: R.hessian(v) });
    assertAdjoint('tikhonov hessian', (a) => R.hessian(a), (b) => R.hessian(b), { nIn: 4, nOut: 4, rng });
    assert.ok(dot(v, R.hessian(v)) >= 0);
    assert.equal(R.value(Float64Array.of(1, 1, 1, 1)), 0, 'constants are in the null space of differences');
  }
  assert.throws(() => tikhonov({ L: Ld }).value(new Float64Array(3)), /tikhonov.value: x has length 3, expected 4/);
  assert.throws(() => tikhonov({ lambda: -1 }), /tikhonov: lambda must be >= 0, got -1/);
});
