import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, fromRows, mat, matrix, vec } from '../../src/core/index.js';
import { activations, identityActivation, relu, sin, smoothRelu, smoothReluWith, tanh } from '../../src/layers/index.js';
import { resolveActivation } from '../../src/internals.js';
import type { Activation } from '../../src/layers/index.js';
import { assertAdjoint, assertClose, assertTaylor } from '../helpers/assertions.js';

const rows = 4, cols = 6;

/** Points: normal, or for relu bounded away from the kink so x + h v never crosses it (h ≤ 1/2, |v| ≤ 1). */
function point(seed: number, awayFromZero = false) {
  const rng = createRng(seed);
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = awayFromZero ? (rng.uniform() < 0.5 ? -1 : 1) * (1 + rng.uniform()) : 2 * rng.normal();
  const v = rng.uniformArray(rows * cols, -1, 1);
  return { x, v };
}

const smooth: [string, Activation][] = [['tanh', tanh], ['sin', sin], ['smoothRelu', smoothRelu], ['smoothRelu(0.5)', smoothReluWith(0.5)]];

for (const [name, act] of smooth) {
  test(`${name}: Taylor test of σ'(X) ∘ V (second order)`, () => {
    const { x, v } = point(7);
    // smoothRelu is curved only on |x| < ε (0.1 by default): put most points there,
    // otherwise E1 is at round-off once h is small and the test proves nothing.
    if (name === 'smoothRelu') for (let i = 0; i < x.length; i++) x[i] *= 0.03;
    const d = act.evaluate(mat(x, rows, cols)).derivative.data;
    const r = assertTaylor(name, (z) => act.evaluate(mat(Float64Array.from(z), rows, cols)).value, x, v, { jvp: Float64Array.from(v, (vi, i) => d[i] * vi) });
    assert.ok(r.orders1.filter((o) => Math.abs(o - 2) < 0.25).length >= 3);
  });
}

test('smoothRelu: Taylor test with points inside the quadratic region |x| < ε', () => {
  const rng = createRng(2);
  const x = rng.uniformArray(rows * cols, -0.09, 0.09);
  const v = rng.uniformArray(rows * cols, -1, 1);
  const d = smoothRelu.evaluate(mat(x, rows, cols)).derivative.data;
  assertTaylor('smoothRelu near 0', (z) => smoothRelu.evaluate(mat(Float64Array.from(z), rows, cols)).value, x, v, { jvp: Float64Array.from(v, (vi, i) => d[i] * vi) });
});

for (const [name, act] of [['relu', relu], ['identity', identityActivation]] as [string, Activation][]) {
  test(`${name}: Taylor test is exact (piecewise linear, away from the kink)`, () => {
    const { x, v } = point(8, true);
    const d = act.evaluate(mat(x, rows, cols)).derivative.data;
    const r = assertTaylor(name, (z) => act.evaluate(mat(Float64Array.from(z), rows, cols)).value, x, v, { jvp: Float64Array.from(v, (vi, i) => d[i] * vi) });
    assert.ok(r.exact, `E1 should be at rounding level:\n${r.table}`);
  });
}

for (const [name, act] of Object.entries(activations)) {
  test(`${name}: adjoint test of J = diag(σ'(X))`, () => {
    const { x } = point(9);
    const d = act.evaluate(mat(x, rows, cols)).derivative.data;
    const J = (v: Float64Array) => Float64Array.from(v, (vi, i) => d[i] * vi);
    assertAdjoint(name, J, J, { nIn: rows * cols, nOut: rows * cols, rng: createRng(3) });
  });

  test(`${name}: evaluate leaves X untouched; the typed-array kernel matches and may work in place`, () => {
    const { x } = point(10);
    const X = mat(Float64Array.from(x), rows, cols);
    const { value, derivative } = act.evaluate(X);
    assert.deepEqual(vec(X), x);
    assert.deepEqual(value.shape, [rows, cols]);
    const v2 = Float64Array.from(x), d2 = new Float64Array(x.length);
    act.evaluateInto!(v2, v2, d2); // aliasing value and x
    assert.deepEqual(v2, vec(value));
    assert.deepEqual(d2, vec(derivative));
  });
}

test('activation values at known points', () => {
  const X = fromRows([[-2, -0.1, 0, 0.05, 0.1, 3]]);
  assertClose(relu.evaluate(X).value, fromRows([[0, 0, 0, 0.05, 0.1, 3]]), 0);
  assertClose(relu.evaluate(X).derivative, fromRows([[0, 0, 0, 1, 1, 1]]), 0);
  assert.equal(tanh.evaluate(X).derivative.get(0, 2), 1);
  assert.equal(sin.evaluate(X).derivative.get(0, 2), 1);
  assertClose(identityActivation.evaluate(X).value, X, 0);
  // smoothRelu (ε = 0.1): 0, (x+ε)²/(4ε), x.
  assertClose(smoothRelu.evaluate(X).value, fromRows([[0, 0, 0.025, 0.05625, 0.1, 3]]), 1e-15);
  assertClose(smoothRelu.evaluate(X).derivative, fromRows([[0, 0, 0.5, 0.75, 1, 1]]), 1e-15);
});

test('smoothRelu is C¹: value and slope continuous at ±ε', () => {
  for (const eps of [0.1, 0.5, 2]) {
    const a = smoothReluWith(eps);
    for (const at of [-eps, eps]) {
      const t = 1e-9 * Math.max(1, eps);
      const r = a.evaluate(matrix(1, 2, new Float64Array([at - t, at + t])));
      assert.ok(Math.abs(r.value.data[1] - r.value.data[0]) < 1e-8, `value jump at ${at}`);
      assert.ok(Math.abs(r.derivative.data[1] - r.derivative.data[0]) < 1e-8, `slope jump at ${at}`);
    }
  }
});

test('activations by name, and errors', () => {
  assert.equal(resolveActivation('f', 'tanh'), tanh);
  assert.equal(resolveActivation('f', 'identity'), identityActivation);
  assert.equal(activations.relu, relu);
  assert.throws(() => resolveActivation('singleLayer', 'softplus' as never), /singleLayer: activation 'softplus' is unknown, expected one of tanh, relu, smoothRelu, sin, identity/);
  assert.throws(() => smoothReluWith(0), /smoothReluWith: epsilon must be > 0, got 0/);
  assert.throws(() => tanh.evaluate(new Float64Array(3) as never), /tanh.evaluate: X must be a 2-D ndarray matrix/);
});
