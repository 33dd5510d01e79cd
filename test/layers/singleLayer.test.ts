import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnMajorData, createRng, matmul, randn, vec, zeros } from '../../src/core/index.js';
import { singleLayer, tanh } from '../../src/layers/index.js';
import { antisymmetric, conv1d, conv2d, dense, diagonal, separableConv2d } from '../../src/operators/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';

modelSuite([
  { label: 'singleLayer(dense 5×3, tanh, scalar bias)', make: () => singleLayer(dense(5, 3), { activation: 'tanh', bias: 'scalar' }) },
  { label: 'singleLayer(dense 4×4, sin, vector bias)', make: () => singleLayer(dense(4, 4), { activation: 'sin', bias: 'vector' }) },
  { label: 'singleLayer(dense 3×6, smoothRelu, no bias)', make: () => singleLayer(dense(3, 6), { activation: 'smoothRelu', bias: 'none' }) },
  { label: 'singleLayer(dense 2×3, identity, vector bias)', make: () => singleLayer(dense(2, 3), { activation: 'identity', bias: 'vector' }) },
  { label: 'singleLayer(conv2d 5×4 3×3 2→3 zero, tanh, per-channel bias)', make: () => singleLayer(conv2d([5, 4], [3, 3, 2, 3], { boundary: 'zero' }), { bias: 'vector' }), n: 3 },
  { label: 'singleLayer(conv2d 6×6 3×3 1→2 periodic, tanh, scalar bias)', make: () => singleLayer(conv2d([6, 6], [3, 3, 1, 2], { boundary: 'periodic' })), n: 3 },
  { label: 'singleLayer(conv1d 8, stencil 3, periodic, sin, vector bias)', make: () => singleLayer(conv1d(8, 3, { boundary: 'periodic' }), { activation: 'sin', bias: 'vector' }) },
  { label: 'singleLayer(antisymmetric 4, tanh)', make: () => singleLayer(antisymmetric(4)) },
  { label: 'singleLayer(separableConv2d 5×5 3×3 1→2 zero, nonlinear in θ, tanh)', make: () => singleLayer(separableConv2d([5, 5], [3, 3, 1, 2], { boundary: 'zero' })), n: 3 },
  { label: 'singleLayer(dense 1×1, tanh) on a single example (degenerate sizes)', make: () => singleLayer(dense(1, 1), { bias: 'vector' }), n: 1 },
]);

test('singleLayer equals σ(K Y + b) with K = op.toDense(θ)', () => {
  const rng = createRng(21);
  for (const bias of ['scalar', 'vector', 'none'] as const) {
    const op = dense(4, 3);
    const layer = singleLayer(op, { bias });
    const x = rng.normalArray(layer.nParams);
    const Y = randn(3, 5, rng);
    const KY = matmul(op.toDense(x.subarray(0, op.nTheta)), Y);
    const pre = vec(KY);
    for (let j = 0; j < 5; j++) for (let i = 0; i < 4; i++) pre[i + 4 * j] += bias === 'none' ? 0 : x[op.nTheta + (bias === 'scalar' ? 0 : i)];
    const s = layer.forward(x, Y);
    assertClose(s.output.data, pre.map(Math.tanh), 1e-14, `bias ${bias}`);
    assertClose(s.derivative.data, pre.map((p) => 1 - Math.tanh(p) ** 2), 1e-14);
  }
});

test('singleLayer: a vector bias on a conv2d is one per output channel, constant over its pixels', () => {
  const op = conv2d([4, 3], [3, 3, 1, 2], { boundary: 'zero' });
  const layer = singleLayer(op, { bias: 'vector', activation: 'identity' });
  assert.equal(layer.nBias, 2);
  assert.equal(layer.nParams, op.nTheta + 2);
  assert.deepEqual(layer.paramBlocks().map((b) => [b.name, b.length]), [['theta', 18], ['bias', 2]]);
  const x = new Float64Array(layer.nParams);
  x[op.nTheta] = 1.5;
  x[op.nTheta + 1] = -2;
  const Z = layer.forward(x, zeros(12, 2)).output; // K = 0: output is the bias
  for (let j = 0; j < 2; j++) for (let i = 0; i < 24; i++) assert.equal(Z.get(i, j), i < 12 ? 1.5 : -2);
  // A dense operator gets one bias per row.
  assert.equal(singleLayer(dense(5, 2), { bias: 'vector' }).nBias, 5);
  assert.equal(singleLayer(diagonal(3), { bias: 'scalar' }).nBias, 1);
});

test('singleLayer: initialize scales K(θ) to unit output variance, zero bias, reproducible', () => {
  const layer = singleLayer(dense(40, 50), { bias: 'vector' });
  const x = layer.initialize(createRng(5));
  assert.deepEqual(x, layer.initialize(createRng(5)));
  let fro2 = 0;
  for (let k = 0; k < 2000; k++) fro2 += x[k] * x[k];
  // nIn = 50 > 16: ‖K(θ₀)‖_F² is estimated from 16 probe columns, so ‖K‖_F² ≈ nOut.
  assert.ok(Math.abs(fro2 / 40 - 1) < 0.25, `‖K‖_F² = ${fro2}, expected ≈ 40`);
  assert.ok(x.subarray(2000).every((b) => b === 0));
  // Small nIn: ‖K(θ)‖_F² = nOut exactly; gain multiplies the scale.
  const small = singleLayer(dense(6, 4), { initGain: 0.5 });
  const xs = small.initialize(createRng(2));
  let f2 = 0;
  for (let k = 0; k < 24; k++) f2 += xs[k] * xs[k];
  assert.ok(Math.abs(f2 - 0.25 * 6) < 1e-12, `‖K‖_F² = ${f2}, expected exactly gain²·nOut = 1.5`);
  // A convolution: per-output variance ≈ 1 for unit inputs.
  const conv = singleLayer(conv2d([8, 8], [3, 3, 2, 4], { boundary: 'periodic' }), { activation: 'identity' });
  const Z = conv.forward(conv.initialize(createRng(9)), randn(128, 200, createRng(10))).output;
  const d = columnMajorData(Z);
  let m2 = 0;
  for (let k = 0; k < d.length; k++) m2 += d[k] * d[k];
  m2 /= d.length;
  assert.ok(m2 > 0.6 && m2 < 1.6, `mean square output ${m2}`);
  // An operator quadratic in θ (separable stencils u vᵀ): the scale is a square root, ‖K(θ)‖_F² = nOut still.
  const sep = separableConv2d([4, 3], [3, 3, 1, 2], { boundary: 'zero' });
  const ls = singleLayer(sep, { bias: 'none' });
  const K = sep.toDense(ls.initialize(createRng(4)));
  let k2 = 0;
  for (const k of columnMajorData(K)) k2 += k * k;
  assert.ok(Math.abs(k2 - sep.nOut) < 1e-9 * sep.nOut, `‖K‖_F² = ${k2}, expected ${sep.nOut}`);
});

test('singleLayer: memory kept per example is A and Z (2·nOut doubles)', () => {
  const layer = singleLayer(dense(7, 3));
  assert.equal(layer.stateBytesPerExample, 16 * 7);
  const Y = randn(3, 4, createRng(1));
  const s = layer.forward(layer.initialize(createRng(1)), Y);
  assert.equal(s.input, Y, 'Y is referenced, not copied');
  assert.equal(Object.keys(s).sort().join(','), 'derivative,input,output');
});

test('singleLayer: bad arguments give clear errors', () => {
  assert.throws(() => singleLayer({} as never), /singleLayer: op must be a ParametricOperator/);
  assert.throws(() => singleLayer(dense(2, 2), { bias: 'row' as never }), /singleLayer: bias must be 'scalar', 'vector' or 'none', got row/);
  assert.throws(() => singleLayer(dense(2, 2), { activation: 'gelu' as never }), /singleLayer: activation 'gelu' is unknown/);
  const layer = singleLayer(dense(2, 3), { activation: tanh });
  assert.throws(() => layer.forward(new Float64Array(5), zeros(3, 1)), /singleLayer.forward: x has length 5, expected 7/);
  assert.throws(() => layer.forward(new Float64Array(7), zeros(2, 1)), /singleLayer.forward: Y is 2×1, expected 3 rows \(nIn\)/);
  assert.throws(() => layer.jvp(new Float64Array(7), {} as never, null, null), /singleLayer.jvp: state must be the result of forward/);
});

test('singleLayer: vjp with { input: false } skips J_Yᵀ (dY null) and gives the same dx bit for bit', () => {
  const rng = createRng(31);
  const cases = [
    singleLayer(dense(5, 3), { bias: 'vector' }),
    singleLayer(dense(4, 4), { bias: 'scalar', activation: 'sin' }),
    singleLayer(dense(3, 2), { bias: 'none' }),
    singleLayer(conv2d([5, 4], [3, 3, 2, 3], { boundary: 'zero' }), { bias: 'vector', activation: 'relu' }),
    singleLayer(separableConv2d([5, 5], [3, 3, 1, 2], { boundary: 'zero' })),
  ];
  for (const layer of cases) {
    const x = rng.normalArray(layer.nParams);
    const s = layer.forward(x, randn(layer.nIn, 4, rng));
    const dZ = randn(layer.nOut, 4, rng);
    const full = layer.vjp(x, s, dZ);
    const part = layer.vjp(x, s, dZ, { input: false });
    assert.equal(part.dY, null, layer.name);
    assert.deepEqual(part.dx, full.dx, layer.name);
    assert.deepEqual(vec(layer.vjp(x, s, dZ, {}).dY as Matrix), vec(full.dY), `${layer.name}: default is input: true`);
  }
});

test('singleLayer: vjp results never share the internal scratch, even when the operator hands its input back', () => {
  // K = I with no parameters: applyTranspose returns its argument (the scratch G = A ∘ dZ).
  const identityOp = {
    name: 'identityOp', nIn: 3, nOut: 3, nTheta: 0,
    apply: (_t: Float64Array, Y: Matrix) => Y,
    applyTranspose: (_t: Float64Array, Z: Matrix) => Z,
    jvp: (_t: Float64Array, Y: Matrix) => zeros(3, Y.shape[1]),
    vjp: () => new Float64Array(0),
    toDense: () => zeros(3, 3),
  };
  const layer = singleLayer(identityOp, { bias: 'vector', activation: 'tanh' });
  const rng = createRng(32);
  const x = rng.normalArray(layer.nParams);
  const s = layer.forward(x, randn(3, 5, rng));
  const dZ1 = randn(3, 5, rng), dZ2 = randn(3, 5, rng);
  const r1 = layer.vjp(x, s, dZ1);
  const kept = vec(r1.dY);
  const r2 = layer.vjp(x, s, dZ2);
  assert.deepEqual(vec(r1.dY), kept, 'the first dY is not overwritten by the second call');
  assert.notEqual(r1.dY.data, r2.dY.data);
  const a = s.derivative.data;
  assertClose(r2.dY.data, Float64Array.from(dZ2.data, (w, k) => a[k] * w), 1e-15, 'dY = A ∘ dZ for K = I');
});

test('singleLayer: residualJvp is dY + h·J[dx; dY] and rejects a width change', () => {
  const rng = createRng(33);
  const layer = singleLayer(dense(4, 4), { bias: 'vector' });
  const x = rng.normalArray(layer.nParams);
  const s = layer.forward(x, randn(4, 6, rng));
  const dx = rng.normalArray(layer.nParams), dY = randn(4, 6, rng);
  const J = vec(layer.jvp(x, s, dx, dY));
  // The fused pass performs the same operations in the same order: bit for bit.
  assert.deepEqual(vec(layer.residualJvp(x, s, dx, dY, 0.25)), J.map((v, k) => dY.data[k] + 0.25 * v));
  const wide = singleLayer(dense(5, 4));
  const sw = wide.forward(rng.normalArray(wide.nParams), randn(4, 2, rng));
  assert.throws(() => wide.residualJvp(rng.normalArray(wide.nParams), sw, null, randn(4, 2, rng), 1), /singleLayer.residualJvp: a residual step needs nIn = nOut, got 4 → 5/);
});
