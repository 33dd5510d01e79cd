/**
 * The fused WebAssembly dense-layer path (src/core/wasm/dense.ts, used by
 * singleLayer over `dense` operators with an even number of rows): agreement
 * with the TypeScript path of the same layer, the conformance suite (Taylor
 * and adjoint tests) on sizes that take the fused path, destinations of
 * residualJvp / residualVjp, and the ResNet's ping-pong buffers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, zeros } from '../../src/core/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { KernelBackend } from '../../src/core/wasm/backend.js';
import { denseChunkColumns, wasmDenseJvp, wasmDenseVjp } from '../../src/core/wasm/dense.js';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { singleLayer, type SingleLayerModel } from '../../src/layers/index.js';
import type { ActivationName } from '../../src/layers/activations/index.js';
import { resnet } from '../../src/networks/index.js';
import type { Model } from '../../src/networks/types.js';
import { dense } from '../../src/operators/index.js';
import { modelSuite } from '../helpers/modelSuite.js';
import { withBackend } from '../helpers/backend.js';

const skip = wasmAvailable() ? false : 'WebAssembly kernels unavailable';

/** Largest |a − b| relative to max |a|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(a[i]));
  }
  return s === 0 ? d : d / s;
}


/** Every product of a layer at a random point, on one kernel backend. */
function products(layer: SingleLayerModel, n: number, seed: number) {
  const rng = createRng(seed);
  const x = rng.normalArray(layer.nParams).map((v) => 0.5 * v);
  const Y = randn(layer.nIn, n, rng), dY = randn(layer.nIn, n, rng), W = randn(layer.nOut, n, rng);
  const dx = rng.normalArray(layer.nParams);
  const s = layer.forward(x, Y);
  const out: Record<string, Float64Array> = {
    Z: s.output.data.slice(),
    A: s.derivative.data.slice(),
    jvpX: layer.jvp(x, s, dx, null).data.slice(),
    jvpY: layer.jvp(x, s, null, dY).data.slice(),
    jvpXY: layer.jvp(x, s, dx, dY).data.slice(),
  };
  const v = layer.vjp(x, s, W);
  out.vjpX = v.dx;
  out.vjpY = v.dY.data.slice();
  out.vjpNoInput = layer.vjp(x, s, W, { input: false }).dx;
  if (layer.nIn === layer.nOut) {
    const rs = layer.residualForward(x, Y, 0.3);
    out.rfwdZ = rs.output.data.slice();
    out.rfwdA = rs.derivative.data.slice();
    out.rjvp = layer.residualJvp(x, s, dx, dY, 0.3).data.slice();
    out.rjvpX = layer.residualJvp(x, s, dx, null, 0.3).data.slice();
    const rv = layer.residualVjp(x, s, W, 0.3);
    out.rvjpX = rv.dx;
    out.rvjpY = rv.dY.data.slice();
  }
  return out;
}

test('fused dense layer: the WebAssembly path agrees with the TypeScript path to rounding', { skip }, () => {
  const cases: [number, number, 'scalar' | 'vector' | 'none', ActivationName, number][] = [
    [8, 8, 'vector', 'tanh', 1000], [8, 2, 'vector', 'tanh', 300], [8, 3, 'scalar', 'relu', 64],
    [4, 4, 'scalar', 'sin', 65], [16, 16, 'none', 'tanh', 40], [6, 5, 'vector', 'identity', 77],
    [10, 10, 'vector', 'smoothRelu', 33], [8, 8, 'scalar', 'tanh', 33], [2, 7, 'vector', 'tanh', 129],
  ];
  for (const [m, k, bias, activation, n] of cases) {
    const layer = singleLayer(dense(m, k), { bias, activation });
    assert.ok(layer.fusedDense, `${layer.name} takes the fused path`);
    const js = withBackend('js', () => products(layer, n, m * 100 + k));
    const wasm = withBackend('wasm', () => products(layer, n, m * 100 + k));
    for (const key of Object.keys(js)) {
      const d = relDiff(js[key], wasm[key]);
      assert.ok(d < 1e-13, `${layer.name}, n = ${n}, ${key}: relative difference ${d}`);
    }
  }
});

test('residualForward: output Y + h·σ(K Y + b), derivative and input as forward, on both kernel families', () => {
  for (const backend of (wasmAvailable() ? ['js', 'wasm'] : ['js']) as KernelBackend[]) {
    withBackend(backend, () => {
      for (const activation of ['tanh', 'relu', 'identity', 'sin'] as ActivationName[]) {
        const layer = singleLayer(dense(8, 8), { bias: 'vector', activation });
        const rng = createRng(12);
        const x = rng.normalArray(layer.nParams), Y = randn(8, 100, rng);
        const s = layer.forward(x, Y), r = layer.residualForward(x, Y, 0.3);
        const want = Y.data.map((y, k) => y + 0.3 * s.output.data[k]);
        assert.ok(relDiff(want, r.output.data) < 1e-15, `${backend} ${activation}: ${relDiff(want, r.output.data)}`);
        assert.deepEqual(r.derivative.data, s.derivative.data, `${backend} ${activation}: derivative`);
        assert.equal(r.input, Y);
      }
      const wide = singleLayer(dense(8, 4));
      assert.throws(() => wide.residualForward(createRng(1).normalArray(wide.nParams), randn(4, 3, createRng(2)), 0.5), /residual step needs nIn = nOut, got 4 → 8/);
    });
  }
});

test('fused dense layer: odd row counts and operators other than dense keep the general path', () => {
  assert.equal(singleLayer(dense(7, 4)).fusedDense, false);
  assert.equal(singleLayer(dense(8, 4)).fusedDense, true);
  assert.equal(singleLayer(dense(8, 4), { bias: 'none' }).fusedDense, true);
});

test('fused dense kernels: several column blocks give the same result as one', { skip }, () => {
  const m = 8, k = 8, n = denseChunkColumns(m, k) + 37;
  const rng = createRng(3);
  const y = rng.normalArray(k * n), a = rng.normalArray(m * n), dy = rng.normalArray(k * n), w = rng.normalArray(m * n);
  const K = rng.normalArray(m * k), dK = rng.normalArray(m * k), db = rng.normalArray(m);
  const out = new Float64Array(m * n);
  wasmDenseJvp(out, y, a, dy, K, dK, db, m, k, n, 0.5, true);
  // Reference: column by column in plain arithmetic.
  const ref = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let t = db[i];
      for (let q = 0; q < k; q++) t += dK[i + q * m] * y[q + j * k] + K[i + q * m] * dy[q + j * k];
      ref[i + j * m] = dy[i + j * k] + 0.5 * a[i + j * m] * t;
    }
  }
  assert.ok(relDiff(ref, out) < 1e-14, `jvp: ${relDiff(ref, out)}`);
  const dyOut = new Float64Array(k * n), gK = new Float64Array(m * k), gb = new Float64Array(m);
  wasmDenseVjp(dyOut, gK, gb, y, a, w, K, m, k, n, 0.5, true);
  const refK = new Float64Array(m * k), refB = new Float64Array(m), refY = new Float64Array(k * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const g = a[i + j * m] * w[i + j * m];
      refB[i] += g;
      for (let q = 0; q < k; q++) {
        refK[i + q * m] += g * y[q + j * k];
        refY[q + j * k] += 0.5 * K[i + q * m] * g;
      }
    }
    for (let q = 0; q < k; q++) refY[q + j * k] += w[q + j * m];
  }
  assert.ok(relDiff(refK, gK) < 1e-12, `dK: ${relDiff(refK, gK)}`);
  assert.ok(relDiff(refB, gb) < 1e-12, `db: ${relDiff(refB, gb)}`);
  assert.ok(relDiff(refY, dyOut) < 1e-14, `dY: ${relDiff(refY, dyOut)}`);
});

// Taylor and adjoint tests on sizes that take the fused path (nOut·n ≥ 256).
modelSuite([
  { label: 'fused singleLayer(dense 8×8, tanh, vector bias), n = 64', make: () => singleLayer(dense(8, 8), { bias: 'vector' }), n: 64 },
  { label: 'fused singleLayer(dense 8×2, tanh, scalar bias), n = 64', make: () => singleLayer(dense(8, 2)), n: 64 },
  { label: 'fused singleLayer(dense 6×5, sin, no bias), n = 64', make: () => singleLayer(dense(6, 5), { activation: 'sin', bias: 'none' }), n: 64 },
  {
    label: 'fused resnet(width 8, 4 steps, opening 2 → 8), n = 64',
    make: () => resnet(() => singleLayer(dense(8, 8), { bias: 'vector' }), { steps: 4, T: 1, opening: singleLayer(dense(8, 2), { bias: 'vector' }) }),
    n: 64,
  },
  { label: 'fused resnet(width 4, 3 steps), n = 64', make: () => resnet(() => singleLayer(dense(4, 4)), { steps: 3, h: 0.5 }), n: 64 },
]);

test('residualJvp / residualVjp write into a given destination and check it', () => {
  for (const backend of ['js', 'wasm'] as KernelBackend[]) {
    if (backend === 'wasm' && !wasmAvailable()) continue;
    withBackend(backend, () => {
      const layer = singleLayer(dense(8, 8), { bias: 'vector' });
      const rng = createRng(9);
      const x = rng.normalArray(layer.nParams), Y = randn(8, 50, rng), dY = randn(8, 50, rng), W = randn(8, 50, rng);
      const dx = rng.normalArray(layer.nParams);
      const s = layer.forward(x, Y);
      const out = zeros(8, 50);
      const r = layer.residualJvp(x, s, dx, dY, 0.25, out);
      assert.equal(r, out, `${backend}: residualJvp returns out`);
      assert.deepEqual(out.data, layer.residualJvp(x, s, dx, dY, 0.25).data, `${backend}: same numbers with and without out`);
      const out2 = zeros(8, 50);
      const v = layer.residualVjp(x, s, W, 0.25, out2);
      assert.equal(v.dY, out2);
      assert.deepEqual(out2.data, layer.residualVjp(x, s, W, 0.25).dY.data);
      assert.throws(() => layer.residualJvp(x, s, dx, dY, 0.25, zeros(8, 49)), /out is 8×49 but the result is 8×50/);
      assert.throws(() => layer.residualJvp(x, s, dx, dY, 0.25, dY), /out shares storage/);
      assert.throws(() => layer.residualVjp(x, s, W, 0.25, Y), /out shares storage/);
    });
  }
});

test('resnet: ping-pong buffers give the numbers of the per-step path and never alias results', { skip }, () => {
  const hide = (layer: Model): Model => {
    const { residualJvp: _j, residualVjp: _v, ...plain } = layer as SingleLayerModel;
    return plain as Model;
  };
  const build = (fusedSteps: boolean) => resnet(
    () => (fusedSteps ? singleLayer(dense(8, 8), { bias: 'vector' }) : hide(singleLayer(dense(8, 8), { bias: 'vector' }))),
    { steps: 5, T: 1, opening: singleLayer(dense(8, 2), { bias: 'vector' }) },
  );
  const a = build(true), b = build(false);
  const rng = createRng(4);
  const x = a.initialize(rng), Y = randn(2, 200, rng), dx = rng.normalArray(a.nParams), W = randn(8, 200, rng);
  const sa = a.forward(x, Y), sb = b.forward(x, Y);
  const ja = a.jvp(x, sa, dx, null), jb = b.jvp(x, sb, dx, null);
  assert.ok(relDiff(jb.data, ja.data) < 1e-14, `jvp: ${relDiff(jb.data, ja.data)}`);
  const va = a.vjp(x, sa, W), vb = b.vjp(x, sb, W);
  assert.ok(relDiff(vb.dx, va.dx) < 1e-13, `vjp dx: ${relDiff(vb.dx, va.dx)}`);
  assert.ok(relDiff((vb.dY as Matrix).data, (va.dY as Matrix).data) < 1e-13);
  // A second call must not overwrite the first call's results.
  const first = ja.data.slice(), firstV = (va.dY as Matrix).data.slice();
  a.jvp(x, sa, rng.normalArray(a.nParams), null);
  a.vjp(x, sa, randn(8, 200, rng));
  assert.deepEqual(ja.data, first);
  assert.deepEqual((va.dY as Matrix).data, firstV);
  assert.notEqual(ja.data.buffer, (va.dY as Matrix).data.buffer);
});
