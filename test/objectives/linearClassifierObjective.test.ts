import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../src/core/rng.js';
import { matrix, type Matrix } from '../../src/core/matrix.js';
import { adjointTest, taylorTest } from '../../src/core/checks.js';
import { getKernelBackend, setKernelBackend } from '../../src/core/wasm/backend.js';
import { linearClassifierObjective } from '../../src/objectives/linearClassifierObjective.js';

/** Features in (−1, 1) (like tanh features) and random labels. */
function data(m: number, n: number, nc: number, rng: Rng): { Z: Matrix; labels: Int32Array } {
  const z = rng.normalArray(m * n, 1).map(Math.tanh);
  return { Z: matrix(m, n, z), labels: Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * nc)) };
}

/**
 * The dense reference: value, gradient and the explicit Hessian matrix
 * H = Σ_j (z̃_j z̃_jᵀ) ⊗ (diag p_j − p_j p_jᵀ)/n + λI of f(W) = −(1/n) Σ_j log p_{c_j, j} + (λ/2)‖W‖²,
 * z̃_j = [z_j; 1] (with bias), x = vec(W) column-major.
 */
function dense(Z: Matrix, labels: Int32Array, nc: number, lambda: number, bias: boolean, x: Float64Array): { value: number; gradient: Float64Array; H: Float64Array[]; hits: number } {
  const [m, n] = Z.shape;
  const nW = m + (bias ? 1 : 0), N = nc * nW;
  let value = 0, hits = 0;
  const gradient = new Float64Array(N);
  const H = Array.from({ length: N }, () => new Float64Array(N));
  for (let j = 0; j < n; j++) {
    const zt = new Float64Array(nW);
    for (let i = 0; i < m; i++) zt[i] = Z.data[j * m + i];
    if (bias) zt[m] = 1;
    const s = new Float64Array(nc);
    for (let k = 0; k < nc; k++) for (let i = 0; i < nW; i++) s[k] += x[k + i * nc] * zt[i];
    const mx = Math.max(...s);
    const e = s.map((v) => Math.exp(v - mx)), sum = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / sum);
    value -= Math.log(p[labels[j]]);
    if (s.indexOf(mx) === labels[j]) hits++;
    for (let k = 0; k < nc; k++) for (let i = 0; i < nW; i++) gradient[k + i * nc] += ((p[k] - (k === labels[j] ? 1 : 0)) * zt[i]) / n;
    for (let i = 0; i < nW; i++) {
      for (let k = 0; k < nc; k++) {
        for (let i2 = 0; i2 < nW; i2++) {
          for (let k2 = 0; k2 < nc; k2++) {
            H[k + i * nc][k2 + i2 * nc] += (zt[i] * zt[i2] * ((k === k2 ? p[k] : 0) - p[k] * p[k2])) / n;
          }
        }
      }
    }
  }
  let r = 0;
  for (let q = 0; q < N; q++) {
    r += x[q] * x[q];
    gradient[q] += lambda * x[q];
    H[q][q] += lambda;
  }
  return { value: value / n + 0.5 * lambda * r, gradient, H, hits };
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(d / s);
};
const matVec = (H: Float64Array[], v: Float64Array) => Float64Array.from(H, (row) => row.reduce((a, h, i) => a + h * v[i], 0));

// Shapes that exercise the kernels' edges: m not a multiple of 8, nc not a multiple of 5, an odd number of
// columns, several blocks and segments (the last ones short), and W without its bias column.
const CASES = [
  { m: 13, n: 37, nc: 3, bias: true },
  { m: 9, n: 41, nc: 7, bias: false },
  { m: 16, n: 50, nc: 10, bias: true },
];

for (const backend of ['wasm', 'js'] as const) {
  for (const c of CASES) {
    test(`linearClassifierObjective (${backend}, m = ${c.m}, n = ${c.n}, nc = ${c.nc}, bias ${c.bias}): value, gradient, accuracy and H v equal the dense formulas`, () => {
      const saved = getKernelBackend();
      setKernelBackend(backend);
      try {
        const rng = createRng(5 + c.m);
        const { Z, labels } = data(c.m, c.n, c.nc, rng);
        const lambda = 1e-3;
        const obj = linearClassifierObjective(Z, labels, { nClasses: c.nc, lambda, bias: c.bias, segmentColumns: 16, blockColumns: 6 });
        assert.equal(obj.engine, backend);
        assert.equal(obj.nParams, c.nc * (c.m + (c.bias ? 1 : 0)));
        assert.deepEqual(obj.wShape, [c.nc, c.m + (c.bias ? 1 : 0)]);
        const x = rng.normalArray(obj.nParams, 0.5), v = rng.normalArray(obj.nParams, 1);
        const ref = dense(Z, labels, c.nc, lambda, c.bias, x);
        const ev = obj.evaluate(x);
        assert.ok(Math.abs(ev.value - ref.value) < 1e-14 * Math.abs(ref.value), `value ${ev.value} vs ${ref.value}`);
        assert.equal(ev.info?.accuracy, ref.hits / c.n);
        assert.ok(relErr(ev.gradient, ref.gradient) < 1e-13, `gradient: relative error ${relErr(ev.gradient, ref.gradient)}`);
        const Hv = ev.hessian!(v);
        assert.ok(relErr(Hv, matVec(ref.H, v)) < 1e-13, `H v: relative error ${relErr(Hv, matVec(ref.H, v))}`);
        obj.dispose();
      } finally {
        setKernelBackend(saved);
      }
    });
  }
}

test('linearClassifierObjective: Taylor tests of the gradient and of the Hessian (first-order error falls like h²), H symmetric', () => {
  const rng = createRng(11);
  const { Z, labels } = data(12, 40, 4, rng);
  const obj = linearClassifierObjective(Z, labels, { nClasses: 4, lambda: 1e-2, segmentColumns: 16, blockColumns: 8 });
  const x = rng.normalArray(obj.nParams, 0.3), v = rng.normalArray(obj.nParams, 1);
  const ev = obj.evaluate(x);
  const dot = ev.gradient.reduce((a, g, i) => a + g * v[i], 0);
  const tv = taylorTest((y) => obj.evaluate(y, null, { valueOnly: true }).value, x, v, { jvp: dot });
  assert.ok(tv.passed, `value/gradient Taylor test failed:\n${tv.table}`);
  assert.ok(tv.orders1.slice(0, 5).every((o) => Math.abs(o - 2) < 0.2), `orders ${tv.orders1.slice(0, 5).map((o) => o.toFixed(2)).join(', ')}`);
  const tg = taylorTest((y) => obj.evaluate(y).gradient, x, v, { jvp: ev.hessian!(v) });
  assert.ok(tg.passed, `gradient/Hessian Taylor test failed:\n${tg.table}`);
  assert.ok(tg.orders1.slice(0, 5).every((o) => Math.abs(o - 2) < 0.2), `orders ${tg.orders1.slice(0, 5).map((o) => o.toFixed(2)).join(', ')}`);
  // H is its own transpose: ⟨H v, w⟩ = ⟨v, H w⟩ (the mat-vec of an older evaluation recomputes its P first).
  const H = obj.evaluate(x).hessian!;
  const adj = adjointTest(H, H, { nIn: obj.nParams, nOut: obj.nParams, rng: createRng(12) });
  assert.ok(adj.passed, `adjoint test: relative error ${adj.relError}`);
});

test('linearClassifierObjective: a mat-vec of an older evaluation, and 1 vs 2 threads, give bit-identical results', () => {
  const rng = createRng(13);
  const { Z, labels } = data(20, 300, 10, rng);
  const one = linearClassifierObjective(Z, labels, { nClasses: 10, lambda: 1e-4, threads: 1, segmentColumns: 32 });
  const two = linearClassifierObjective(Z, labels, { nClasses: 10, lambda: 1e-4, threads: 2, segmentColumns: 32 });
  const x = rng.normalArray(one.nParams, 0.2), x2 = rng.normalArray(one.nParams, 0.2), v = rng.normalArray(one.nParams, 1);
  const e1 = one.evaluate(x), e2 = two.evaluate(x);
  assert.deepEqual(e2.gradient, e1.gradient);
  assert.equal(e2.value, e1.value);
  const hv = e1.hessian!(v);
  assert.deepEqual(e2.hessian!(v), hv);
  one.evaluate(x2); // replaces P in the passes
  assert.deepEqual(e1.hessian!(v), hv);
  assert.equal(one.counters.evaluations, 2);
  assert.equal(one.counters.hessianMatVecs, 2);
  one.dispose();
  two.dispose();
  assert.throws(() => one.evaluate(x), /linearClassifierObjective: used after dispose\(\)/);
});

test("linearClassifierObjective precision 'float32': within 1e-6 of float64 (Z rounded to single precision, sums in double)", () => {
  const rng = createRng(17);
  const { Z, labels } = data(300, 700, 10, rng);
  const f64 = linearClassifierObjective(Z, labels, { nClasses: 10, lambda: 1e-6 });
  const f32 = linearClassifierObjective(Z, labels, { nClasses: 10, lambda: 1e-6, precision: 'float32' });
  assert.equal(f32.precision, 'float32');
  const x = rng.normalArray(f64.nParams, 0.1), v = rng.normalArray(f64.nParams, 1);
  const a = f64.evaluate(x), b = f32.evaluate(x);
  assert.ok(Math.abs(a.value - b.value) < 1e-6 * a.value, `value ${b.value} vs ${a.value}`);
  const eg = relErr(b.gradient, a.gradient), eh = relErr(b.hessian!(v), a.hessian!(v));
  assert.ok(eg < 1e-6 && eg > 0, `gradient: relative difference ${eg}`);
  assert.ok(eh < 1e-6 && eh > 0, `H v: relative difference ${eh}`);
  f64.dispose();
  f32.dispose();
});

test('linearClassifierObjective: bad input names the function, the argument and what it got', () => {
  const rng = createRng(19);
  const { Z, labels } = data(4, 6, 3, rng);
  assert.throws(() => linearClassifierObjective(Z, labels.subarray(0, 5)), /linearClassifierObjective: C is 3×5 but Z has 6 columns/);
  assert.throws(() => linearClassifierObjective(Z, labels, { lambda: -1 }), /linearClassifierObjective: lambda/);
  assert.throws(() => linearClassifierObjective(Z, labels, { precision: 'float16' as 'float32' }), /precision must be 'float64' or 'float32', got float16/);
  assert.throws(() => linearClassifierObjective(Z, labels, { threads: 0 }), /linearClassifierObjective: threads must be a positive integer/);
  assert.throws(() => linearClassifierObjective(Z, labels, { tol: 1 } as never), /linearClassifierObjective: .*tol/);
  const obj = linearClassifierObjective(Z, labels, { nClasses: 3 });
  assert.throws(() => obj.evaluate(new Float64Array(3)), /linearClassifierObjective\.evaluate: x/);
  assert.throws(() => obj.evaluate(new Float64Array(obj.nParams), [0, 1]), /linearClassifierObjective\.evaluate: takes no batch \(got 2 indices\)/);
  const ev = obj.evaluate(new Float64Array(obj.nParams));
  assert.ok(Math.abs(ev.value - Math.log(3)) < 1e-15, 'value at W = 0 is log nc');
  assert.throws(() => ev.hessian!(new Float64Array(2)), /linearClassifierObjective\.hessian: v/);
  const x = new Float64Array(obj.nParams).fill(0.5);
  const xc = x.slice();
  obj.evaluate(x).hessian!(x);
  assert.deepEqual(x, xc, 'x is not modified');
  obj.dispose();
});

/** Z as a FeatureColumns source handing over chunks of `c` columns (copies, so the objective cannot keep them). */
function chunked(Z: Matrix, c: number) {
  const [m, n] = Z.shape;
  return {
    shape: [m, n] as const,
    write(put: (j0: number, cols: Float64Array) => void) {
      for (let j0 = 0; j0 < n; j0 += c) put(j0, Z.data.slice(j0 * m, Math.min(n, j0 + c) * m));
    },
  };
}

for (const precision of ['float64', 'float32'] as const) {
  test(`linearClassifierObjective (${precision}) from a FeatureColumns source equals the objective of the matrix, bit for bit`, () => {
    const rng = createRng(23);
    const { Z, labels } = data(21, 150, 10, rng); // m = 21: padded to 24 rows
    const a = linearClassifierObjective(Z, labels, { nClasses: 10, lambda: 1e-4, precision, segmentColumns: 64 });
    const b = linearClassifierObjective(chunked(Z, 37), labels, { nClasses: 10, lambda: 1e-4, precision, segmentColumns: 64 });
    const x = rng.normalArray(a.nParams, 0.3), v = rng.normalArray(a.nParams, 1);
    const ea = a.evaluate(x), eb = b.evaluate(x);
    assert.equal(eb.value, ea.value);
    assert.deepEqual(eb.gradient, ea.gradient);
    assert.deepEqual(eb.hessian!(v), ea.hessian!(v));
    a.dispose();
    b.dispose();
  });
}

test('linearClassifierObjective (js passes) from a FeatureColumns source equals the objective of the matrix', () => {
  const saved = getKernelBackend();
  setKernelBackend('js');
  try {
    const rng = createRng(29);
    const { Z, labels } = data(7, 40, 3, rng);
    const a = linearClassifierObjective(Z, labels, { nClasses: 3, lambda: 1e-3 });
    const b = linearClassifierObjective(chunked(Z, 9), labels, { nClasses: 3, lambda: 1e-3 });
    assert.equal(b.engine, 'js');
    const x = rng.normalArray(a.nParams, 0.3), v = rng.normalArray(a.nParams, 1);
    const ea = a.evaluate(x), eb = b.evaluate(x);
    assert.equal(eb.value, ea.value);
    assert.deepEqual(eb.gradient, ea.gradient);
    assert.deepEqual(eb.hessian!(v), ea.hessian!(v));
  } finally {
    setKernelBackend(saved);
  }
});

test('linearClassifierObjective: a FeatureColumns source that skips, repeats or misses columns is an error', () => {
  const rng = createRng(31);
  const { Z, labels } = data(4, 10, 3, rng);
  const src = (chunks: [number, number][]) => ({
    shape: [4, 10] as const,
    write: (put: (j0: number, cols: Float64Array) => void) => {
      for (const [j0, c] of chunks) put(j0, Z.data.slice(j0 * 4, (j0 + c) * 4));
    },
  });
  assert.throws(() => linearClassifierObjective(src([[0, 4], [5, 5]]), labels), /linearClassifierObjective: Z\.write: chunk of 5 columns at 5, expected the next one at column 4 \(of 10\)/);
  assert.throws(() => linearClassifierObjective(src([[0, 4], [0, 4]]), labels), /expected the next one at column 4/);
  assert.throws(() => linearClassifierObjective(src([[0, 6]]), labels), /linearClassifierObjective: Z\.write handed over 6 of the 10 columns/);
  assert.throws(() => linearClassifierObjective({ shape: [4, 10], write: (put) => put(0, new Float64Array(7)) }, labels), /Z\.write: a chunk must be a Float64Array of m = 4 rows times its columns, got length 7/);
  assert.throws(() => linearClassifierObjective({ shape: [4] as never, write: () => {} }, labels), /linearClassifierObjective: Z\.shape must be \[m, n\]/);
});
