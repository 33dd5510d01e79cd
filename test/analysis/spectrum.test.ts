import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, eigvals, matmul, randn, zeros, type Matrix } from '../../src/core/index.js';
import { convolutionSpectrum, denseLayerSpectrum, layerJacobian, linearizationSpectrum, type Spectrum } from '../../src/analysis/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { antisymmetricLayer, continuousResnet, symmetricLayer } from '../../src/networks/index.js';
import { conv1d, conv2d, dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';

/** Two spectra agree as multisets: greedy nearest matching. */
function assertSameSpectrum(a: Spectrum, b: Spectrum, tol: number, label: string) {
  assert.equal(a.re.length, b.re.length, `${label}: sizes`);
  const used = new Uint8Array(b.re.length);
  let scale = 1;
  for (let i = 0; i < b.re.length; i++) scale = Math.max(scale, Math.hypot(b.re[i], b.im[i]));
  for (let i = 0; i < a.re.length; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < b.re.length; j++) {
      if (used[j]) continue;
      const d = Math.hypot(a.re[i] - b.re[j], a.im[i] - b.im[j]);
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    assert.ok(bd <= tol * scale, `${label}: eigenvalue ${a.re[i]} + ${a.im[i]}i has no partner (nearest at ${bd})`);
    used[best] = 1;
  }
}

function transposeOf(M: Matrix): Matrix {
  const [r, c] = M.shape;
  const T = zeros(c, r);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) T.data[j + i * c] = M.data[i + j * r];
  return T;
}

test('layerJacobian of σ(Ky + b) is diag(σ\'(Ky + b)) K and its spectrum equals denseLayerSpectrum', () => {
  const L = singleLayer(dense(5, 5), { bias: 'vector' });
  const rng = createRng(1);
  const x = rng.normalArray(L.nParams);
  const y = randn(5, 1, rng);
  const s = L.forward(x, y);
  const K = L.op.toDense(x.subarray(0, 25));
  const a = s.derivative.data;
  const expected = zeros(5, 5);
  for (let j = 0; j < 5; j++) for (let i = 0; i < 5; i++) expected.data[i + 5 * j] = a[i] * K.data[i + 5 * j];
  assertClose(layerJacobian(L, x, y), expected, 1e-15, 'J');
  const sp = linearizationSpectrum(L, x, y);
  assertSameSpectrum(sp, denseLayerSpectrum(K, Float64Array.from(a)), 1e-12, 'spectrum');
  assert.equal(sp.examples, 1);
});

test('antisymmetric layers: purely imaginary linearisation (γ = 0), real parts in [−γ max σ\', −γ min σ\'] (γ > 0)', () => {
  const rng = createRng(2);
  const Y = randn(6, 4, rng);
  for (const gamma of [0, 0.3]) {
    const L = antisymmetricLayer(6, { gamma, bias: 'vector' });
    const x = rng.normalArray(L.nParams);
    const sp = linearizationSpectrum(L, x, Y, { at: 'each' });
    assert.equal(sp.re.length, 24);
    const A = L.forward(x, Y).derivative.data;
    for (let c = 0; c < 4; c++) {
      let lo = Infinity, hi = 0;
      for (let i = 0; i < 6; i++) {
        lo = Math.min(lo, A[i + 6 * c]);
        hi = Math.max(hi, A[i + 6 * c]);
      }
      for (let i = 0; i < 6; i++) {
        const re = sp.re[6 * c + i];
        assert.ok(re <= -gamma * lo + 1e-12 && re >= -gamma * hi - 1e-12, `γ = ${gamma}, example ${c}: Re λ = ${re} outside [${-gamma * hi}, ${-gamma * lo}]`);
      }
    }
    const mean = linearizationSpectrum(L, x, Y, { at: 'mean' });
    assert.equal(mean.examples, 1);
    assert.ok(gamma === 0 ? Math.abs(mean.abscissa) < 1e-12 : mean.abscissa < 0);
  }
});

test('symmetric (parabolic) layer: real non-positive linearisation', () => {
  const L = symmetricLayer(dense(7, 5), { bias: 'vector' });
  const rng = createRng(3);
  const x = rng.normalArray(L.nParams);
  const sp = linearizationSpectrum(L, x, randn(5, 3, rng));
  for (let i = 0; i < sp.re.length; i++) {
    assert.ok(Math.abs(sp.im[i]) < 1e-10, `imaginary part ${sp.im[i]}`);
    assert.ok(sp.re[i] <= 1e-12, `positive eigenvalue ${sp.re[i]}`);
  }
});

test('the spectrum of a whole network: J_Y of a linear forward-Euler network is (I + hK)^N', () => {
  const m = 4, N = 3, h = 0.2;
  const net = continuousResnet(singleLayer(dense(m, m), { activation: 'identity', bias: 'none' }), { h, steps: N, weights: 'shared' });
  const rng = createRng(4);
  const x = rng.normalArray(net.nParams);
  const K = dense(m, m).toDense(x);
  const S = zeros(m, m);
  for (let k = 0; k < m * m; k++) S.data[k] = h * K.data[k];
  for (let i = 0; i < m; i++) S.data[i + m * i] += 1;
  const P = matmul(S, matmul(S, S));
  assertClose(layerJacobian(net, x, randn(m, 1, rng)), P, 1e-14, 'J = (I + hK)^3');
});

test('convolutionSpectrum by FFT equals eigvals of the dense convolution matrix', () => {
  const rng = createRng(5);
  const cases = [
    conv1d(9, 3, { boundary: 'periodic' }),
    conv1d(8, 5, { boundary: 'periodic' }),
    conv2d([4, 5], [3, 3, 1, 1], { boundary: 'periodic' }),
    conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }),
    conv2d([3, 4], [3, 3, 3, 3], { boundary: 'periodic' }),
  ];
  for (const op of cases) {
    const theta = rng.normalArray(op.nTheta);
    const K = op.toDense(theta);
    assertSameSpectrum(convolutionSpectrum(op, theta), eigvals(K), 1e-10, `${op.name} K`);
    const KtK = matmul(transposeOf(K), K);
    for (let k = 0; k < KtK.data.length; k++) KtK.data[k] = -KtK.data[k];
    assertSameSpectrum(convolutionSpectrum(op, theta, { form: 'symmetric' }), eigvals(KtK), 1e-10, `${op.name} −KᵀK`);
  }
  // The lecture's stencil [−1, 2, −1]: λ = 2 − 2cos(2πk/n).
  const sp = convolutionSpectrum(conv1d(4, 3, { boundary: 'periodic' }), Float64Array.of(-1, 2, -1));
  assertClose(sp.re, [0, 2, 4, 2], 1e-15, 'Laplacian');
});

test('spectrum tools: bad arguments give clear errors', () => {
  const L = singleLayer(dense(3, 2));
  const x = new Float64Array(L.nParams);
  assert.throws(() => linearizationSpectrum(L, x, randn(2, 2, createRng(1))), /linearizationSpectrum: model maps 2 → 3; a spectrum needs a square Jacobian \(nIn = nOut\)/);
  assert.throws(() => layerJacobian(L, x, randn(2, 2, createRng(1))), /layerJacobian: y is 2×2, expected 2×1 \(one example\)/);
  assert.throws(() => convolutionSpectrum(conv2d([4, 4], [3, 3, 1, 1], { boundary: 'zero' }), new Float64Array(9)), /convolutionSpectrum: op .* must be a periodic convolution/);
  assert.throws(() => convolutionSpectrum(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'periodic' }), new Float64Array(18)), /convolutionSpectrum: op .* maps 1 → 2 channels; the spectrum needs cin = cout/);
  assert.throws(() => convolutionSpectrum(dense(3, 3), new Float64Array(9)), /convolutionSpectrum: op dense\(3×3\) must be a periodic convolution/);
  assert.throws(() => denseLayerSpectrum(zeros(2, 3)), /denseLayerSpectrum: K is 2×3, expected a square matrix/);
});
