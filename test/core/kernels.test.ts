/**
 * The WebAssembly SIMD kernels against the pure TypeScript reference kernels,
 * through the public API: the same products with `setKernelBackend('js')` and
 * `setKernelBackend('wasm')` agree to rounding (the summation order differs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, randn, matmul, toFloat32, getKernelBackend, setKernelBackend, wasmAvailable, type Matrix, type Matrix32 } from '../../src/index.js';
import { assertClose } from '../helpers/assertions.js';
import { withBackend } from '../helpers/backend.js';


test('the wasm kernels load here (SIMD available) and are the default', () => {
  assert.ok(wasmAvailable(), 'WebAssembly SIMD kernels did not load: was scripts/build-wasm.mjs run (npm ci / npm run build)?');
  if (!process.env.NUMDL_KERNELS) assert.equal(getKernelBackend(), 'wasm');
});

test('matmul: wasm and js kernels agree to rounding, float64 and float32, every transpose case', () => {
  const rng = createRng(77);
  for (const [m, n, k] of [[13, 17, 19], [64, 64, 64], [100, 3, 50], [5, 130, 257], [200, 40, 1]]) {
    for (const transA of [false, true]) for (const transB of [false, true]) {
      const A = transA ? randn(k, m, rng) : randn(m, k, rng);
      const B = transB ? randn(n, k, rng) : randn(k, n, rng);
      const js = withBackend('js', () => matmul(A, B, { transA, transB }));
      const wa = withBackend('wasm', () => matmul(A, B, { transA, transB }));
      assertClose(wa, js, 1e-13 * Math.sqrt(k), `f64 ${m}x${n}x${k} ${transA}/${transB}`);
      const js32 = withBackend('js', () => matmul(toFloat32(A) as unknown as Matrix, toFloat32(B) as unknown as Matrix, { transA, transB })) as unknown as Matrix32;
      const wa32 = withBackend('wasm', () => matmul(toFloat32(A) as unknown as Matrix, toFloat32(B) as unknown as Matrix, { transA, transB })) as unknown as Matrix32;
      assert.ok(wa32.data instanceof Float32Array && js32.data instanceof Float32Array);
      assertClose(wa32, js32, 2e-6 * Math.sqrt(k), `f32 ${m}x${n}x${k}`);
    }
  }
});

test('setKernelBackend rejects unknown names', () => {
  assert.throws(() => setKernelBackend('gpu' as 'js'), /setKernelBackend: backend must be 'js' or 'wasm', got "gpu"/);
});

test('activations: wasm and js passes agree to a few ulps (tanh, sin, relu), value and derivative', async () => {
  const { tanh, sin, relu } = await import('../../src/index.js');
  const rng = createRng(5);
  const X = randn(64, 40, rng);
  for (let i = 0; i < X.data.length; i += 7) X.data[i] *= 8; // some saturated entries
  for (const act of [tanh, sin, relu]) {
    const js = withBackend('js', () => act.evaluate(X));
    const wa = withBackend('wasm', () => act.evaluate(X));
    assertClose(wa.value, js.value, 4e-16, `${act.name} value`);
    assertClose(wa.derivative, js.derivative, 4e-15, `${act.name} derivative`);
  }
});

test('conv2d operator: wasm and js kernels agree (forward, transpose, θ-gradient; zero and periodic, stride 1)', async () => {
  const { conv2d } = await import('../../src/index.js');
  const rng = createRng(9);
  for (const boundary of ['zero', 'periodic'] as const) {
    const op = conv2d([12, 10], [3, 3, 2, 4], { boundary, method: 'direct' });
    const theta = rng.normalArray(op.nTheta);
    const Y = randn(op.nIn, 5, rng), Z = randn(op.nOut, 5, rng);
    for (const [label, f] of [
      ['apply', () => op.apply(theta, Y)],
      ['applyTranspose', () => op.applyTranspose(theta, Z)],
      ['vjp', () => op.vjp(Z, Y)],
    ] as const) {
      const js = withBackend('js', f as () => Matrix | Float64Array);
      const wa = withBackend('wasm', f as () => Matrix | Float64Array);
      assertClose(wa, js, 1e-13, `conv2d ${boundary} ${label}`);
    }
  }
});
