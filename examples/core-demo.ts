/**
 * A short tour of numdl's core: column-major matrices, a Kronecker product
 * applied without forming it, a Taylor test of a single layer's Jacobian,
 * an FFT of a length that is not a power of two, and an SVD.
 *
 *   npm run core-demo [-- --seed 2026] [-- --json out/core-demo.json]
 */
import { createRng, randn, matmul, vec, kron, taylorTest, fft, svd, normFro, mat } from '../src/index.js';
import { numArg, runExample } from './lib/cli.js';

/** One check of the tour: what it compares and the largest difference (or whether the Taylor test passed). */
export interface CoreDemoRow {
  method: string;
  error?: number;
  passed?: boolean;
}

/**
 * Run the tour, printing each check.
 * @param o `seed` (default 2026)
 * @returns one row per check
 */
export function run(o: { seed?: number } = {}): { rows: CoreDemoRow[] } {
  const rng = createRng(o.seed ?? 2026);
  const rows: CoreDemoRow[] = [];

  // (A ⊗ B) vec(X) = vec(B X Aᵀ), never forming A ⊗ B.
  const A = randn(30, 20, rng), B = randn(40, 50, rng), X = randn(50, 20, rng);
  const viaKron = kron(A, B).apply(vec(X));
  const direct = vec(matmul(matmul(B, X), A, { transB: true }));
  let err = 0;
  for (let i = 0; i < direct.length; i++) err = Math.max(err, Math.abs(viaKron[i] - direct[i]));
  rows.push({ method: 'kron: (A⊗B)vec(X) vs vec(B X Aᵀ)', error: err });
  console.log(`kron: (A⊗B)vec(X) vs vec(B X Aᵀ), A 30×20, B 40×50: max difference ${err.toExponential(2)}`);

  // Taylor test of K ↦ tanh(K Y): J v = tanh'(K Y) ∘ (mat(v) Y).
  const Y = randn(3, 10, rng);
  const f = (k: Float64Array) => matmul(mat(Float64Array.from(k), 4, 3), Y).data.map(Math.tanh);
  const k0 = rng.normalArray(12), v = rng.normalArray(12);
  const KY = matmul(mat(k0, 4, 3), Y).data, VY = matmul(mat(v, 4, 3), Y).data;
  const r = taylorTest(f, k0, v, { jvp: KY.map((t, i) => (1 - Math.tanh(t) ** 2) * VY[i]) });
  rows.push({ method: 'Taylor test of tanh(K Y) in K', passed: r.passed });
  console.log(`\nTaylor test of the single layer tanh(K Y) in K (passed: ${r.passed})\n${r.table}`);

  // FFT of length 28 (Bluestein) against a direct DFT.
  const n = 28, x = rng.normalArray(n);
  const X28 = fft(x);
  let dftErr = 0;
  for (let k = 0; k < n; k++) {
    let re = 0, im = 0;
    for (let j = 0; j < n; j++) {
      re += x[j] * Math.cos((-2 * Math.PI * j * k) / n);
      im += x[j] * Math.sin((-2 * Math.PI * j * k) / n);
    }
    dftErr = Math.max(dftErr, Math.hypot(re - X28.re[k], im - X28.im[k]));
  }
  rows.push({ method: 'fft n = 28 vs direct DFT', error: dftErr });
  console.log(`\nfft, n = 28: max difference to the direct DFT ${dftErr.toExponential(2)}`);

  // SVD: reconstruction error and the conditioning of a random feature matrix.
  const Z = matmul(randn(200, 2, rng), randn(2, 100, rng)).data.map(Math.tanh);
  const { U, S, V } = svd(mat(Z, 200, 100));
  let rec = 0;
  const R = matmul(U, matmul(mat(diag(S), S.length, S.length), V, { transB: true }));
  for (let i = 0; i < Z.length; i++) rec = Math.max(rec, Math.abs(R.data[i] - Z[i]));
  rows.push({ method: 'svd: ‖Z − U S Vᵀ‖_max', error: rec });
  console.log(`\nsvd of tanh(K Y), K 200×2, Y 2×100: σ₁ = ${S[0].toExponential(3)}, σ₁₀ = ${S[9].toExponential(3)}, σ₁₀₀ = ${S[99].toExponential(3)}; ‖Z − U S Vᵀ‖_max = ${rec.toExponential(2)} (‖Z‖_F = ${normFro(mat(Z, 200, 100)).toFixed(1)})`);
  return { rows };
}

function diag(s: Float64Array): Float64Array {
  const k = s.length, d = new Float64Array(k * k);
  for (let i = 0; i < k; i++) d[i + i * k] = s[i];
  return d;
}

runExample({
  name: 'core-demo',
  metaUrl: import.meta.url,
  summary: 'A short tour of the core: a Kronecker product applied without forming it, a Taylor test, an FFT of length 28, an SVD.',
  options: {},
  defaultSeed: 2026,
  parse: (args) => ({ seed: numArg(args, 'seed', 2026) }),
  run: async (o) => run(o),
  print: () => {},
});
