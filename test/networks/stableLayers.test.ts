import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, matmul, randn, zeros, type Matrix } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { antisymmetricLayer, dampedAntisymmetric, parabolicNetwork, symmetricLayer, transposedOperator } from '../../src/networks/index.js';
import { antisymmetric, conv2d, dense, separableConv2d } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

function transposeOf(M: Matrix): Matrix {
  const [r, c] = M.shape;
  const T = zeros(c, r);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) T.data[j + i * c] = M.data[i + j * r];
  return T;
}

// The wrappers are parametric operators: the whole operator suite applies.
operatorSuite([
  { label: 'transposedOperator(dense 3×2)', op: transposedOperator(dense(3, 2)), reference: (t) => transposeOf(dense(3, 2).toDense(t)) },
  {
    label: 'transposedOperator(conv2d 4×4 3×3 1→2 periodic)',
    op: transposedOperator(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'periodic' })),
    reference: (t) => transposeOf(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'periodic' }).toDense(t)),
  },
  { label: 'dampedAntisymmetric(4), γ = 0', op: dampedAntisymmetric(4), reference: (t) => antisymmetric(4).toDense(t) },
  {
    label: 'dampedAntisymmetric(4), γ = 0.3 (affine: flagged nonlinear)',
    op: dampedAntisymmetric(4, { gamma: 0.3 }),
    reference: (t) => {
      const K = antisymmetric(4).toDense(t);
      for (let i = 0; i < 4; i++) K.data[i + 4 * i] -= 0.3;
      return K;
    },
  },
  {
    label: 'dampedAntisymmetric(conv2d 4×4 3×3 2→2 periodic) = K − Kᵀ, γ = 0',
    op: dampedAntisymmetric(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' })),
    reference: (t) => {
      const K = conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }).toDense(t), KT = transposeOf(K);
      for (let k = 0; k < K.data.length; k++) K.data[k] -= KT.data[k];
      return K;
    },
  },
]);

modelSuite([
  { label: 'symmetricLayer dense 5×3 (K: 3 → 5) tanh vector bias', make: () => symmetricLayer(dense(5, 3), { bias: 'vector' }) },
  { label: 'symmetricLayer conv2d 4×4 3×3 1→2 zero boundary, smoothRelu, vector bias', make: () => symmetricLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { activation: 'smoothRelu', bias: 'vector' }), n: 3 },
  { label: 'antisymmetricLayer(4), γ = 0.1, vector bias', make: () => antisymmetricLayer(4, { gamma: 0.1, bias: 'vector' }) },
  { label: 'antisymmetricLayer(conv2d 4×4 3×3 2→2 periodic), γ = 0.05', make: () => antisymmetricLayer(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }), { gamma: 0.05, bias: 'vector' }), n: 2 },
  {
    label: 'parabolicNetwork conv2d 4×4 3×3 2→2 periodic, rk4, N = 3, opening conv 1→2',
    make: () => parabolicNetwork(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }), { T: 1, steps: 3, integrator: 'rk4', bias: 'vector', opening: singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { bias: 'vector' }) }),
    n: 2,
  },
]);

test('symmetricLayer is −K(θ)ᵀσ(K(θ)Y + b) and its input Jacobian is symmetric negative semi-definite', () => {
  const op = dense(6, 4), F = symmetricLayer(op, { bias: 'vector' });
  const rng = createRng(21);
  const x = rng.normalArray(F.nParams);
  const Y = randn(4, 3, rng);
  const theta = x.subarray(0, 24), K = op.toDense(theta);
  const P = matmul(K, Y);
  for (let j = 0; j < 3; j++) for (let i = 0; i < 6; i++) P.data[i + 6 * j] = Math.tanh(P.data[i + 6 * j] + x[24 + i]);
  const expected = matmul(K, P, { transA: true });
  for (let k = 0; k < expected.data.length; k++) expected.data[k] = -expected.data[k];
  assertClose(F.forward(x, Y).output, expected, 1e-14, 'F(θ, Y)');
  // J_Y for one example: −Kᵀ diag(σ') K, built from jvp with unit vectors.
  const y = randn(4, 1, rng);
  const s = F.forward(x, y);
  const J = zeros(4, 4);
  for (let k = 0; k < 4; k++) {
    const e = zeros(4, 1);
    e.data[k] = 1;
    J.data.set(F.jvp(x, s, null, e).data, 4 * k);
  }
  assertClose(J, transposeOf(J), 1e-14, 'J_Y symmetric');
  for (let t = 0; t < 20; t++) {
    const v = rng.normalArray(4);
    let q = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) q += v[i] * J.data[i + 4 * j] * v[j];
    assert.ok(q <= 1e-14, `vᵀJv = ${q} > 0`);
  }
});

test('antisymmetricLayer is a single layer over K(θ) with Kᵀ = −K (minus γI)', () => {
  const L = antisymmetricLayer(3, { gamma: 0.2, activation: 'identity', bias: 'none' });
  const theta = Float64Array.of(1, 2, 3);
  const K = L.op.toDense(theta);
  assert.deepEqual(Array.from(K.data), [-0.2, -1, -2, 1, -0.2, -3, 2, 3, -0.2]);
  const Y = randn(3, 2, createRng(1));
  assertClose(L.forward(theta, Y).output, matmul(K, Y), 1e-15, 'identity activation gives (K − γI)Y');
  assert.equal(antisymmetricLayer(4, { bias: 'vector' }).nParams, 6 + 4);
});

test('stable wrappers: bad arguments give clear errors', () => {
  assert.throws(() => dampedAntisymmetric(dense(3, 2)), /dampedAntisymmetric: op dense\(3×2\) is 3×2, expected a square operator/);
  assert.throws(() => dampedAntisymmetric(3, { gamma: -1 }), /dampedAntisymmetric: gamma/);
  assert.throws(() => transposedOperator(separableConv2d([4, 4], [3, 3, 1, 1])), /transposedOperator: op .* is not linear in θ/);
  assert.throws(() => symmetricLayer(separableConv2d([4, 4], [3, 3, 1, 1])), /symmetricLayer: op .* is not linear in θ; the symmetric layer needs K\(dθ\)ᵀ/);
  assert.throws(() => symmetricLayer({} as never), /symmetricLayer: op must be a ParametricOperator/);
});
