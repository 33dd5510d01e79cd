/**
 * The lecture's exercise "Coding: 1D Convolution using FFTs" (Residual CNNs and
 * their relation to PDEs, part "Convolutional Neural Networks"), all five
 * steps, plus the Jacobian checks of the following slides:
 *
 *   1. build the sparse periodic K for a 3-stencil θ with n = 16 (spdiags-like);
 *   2. eigenvalues: eig(full(K)) against fft of K's first column;
 *   3. ‖K y − real(ifft(λ ∘ fft(y)))‖;
 *   4. the same for Kᵀ with conj(λ);
 *   5. eigenvalues for any stencil size without building K (circshift + fft);
 *   +  J_θ(K(θ)y) v = real(ifft(fft(y) ∘ fft(Q v))) and its transpose, checked.
 *
 *   npx tsx examples/conv1d-fft.ts [--n 16] [--seed 1] [--json out/conv1d-fft.json]
 *
 * Each check prints one line `<label>: <error>` (examples/conv-exercises.ts
 * reads them) and is a row `{ method: <label>, error }` of the JSON results.
 */
import { adjointTest, createRng, eigvals, fft, ifft, matrix, taylorTest } from '../src/index.js';
import { circulantEigenvalues, conv1d, sparseMatVec, sparseToDense, type SparseMatrix } from '../src/operators/index.js';
import { intArg, numArg, runExample } from './lib/cli.js';

const fmt = (x: number) => x.toExponential(2);
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** MATLAB spdiags for a circulant: diagonal d (offset from the main one) holds θ for z_i = Σ_j θ_{c−j} y_{i+j}. */
function periodicSparse(theta: Float64Array, n: number): SparseMatrix {
  const k = (theta.length - 1) / 2, rowIdx: number[] = [], colIdx: number[] = [], values: number[] = [];
  for (let j = -k; j <= k; j++) {
    for (let i = 0; i < n; i++) {
      rowIdx.push(i);
      colIdx.push((((i + j) % n) + n) % n);
      values.push(theta[k - j]); // 1-based θ_{c−j}, c = k+1
    }
  }
  return { rows: n, cols: n, rowIdx: Int32Array.from(rowIdx), colIdx: Int32Array.from(colIdx), values: Float64Array.from(values) };
}

/** Max distance between two sets of complex numbers matched greedily. */
function setDistance(a: { re: Float64Array; im: Float64Array }, b: { re: Float64Array; im: Float64Array }): number {
  const used = new Array(b.re.length).fill(false);
  let worst = 0;
  for (let i = 0; i < a.re.length; i++) {
    let best = Infinity, bj = 0;
    for (let j = 0; j < b.re.length; j++) {
      const d = Math.hypot(a.re[i] - b.re[j], a.im[i] - b.im[j]);
      if (!used[j] && d < best) [best, bj] = [d, j];
    }
    used[bj] = true;
    worst = Math.max(worst, best);
  }
  return worst;
}

/** real(ifft(λ ∘ fft(y))) with λ or conj(λ). */
function viaFft(lam: { re: Float64Array; im: Float64Array }, y: Float64Array, conj: boolean): Float64Array {
  const Y = fft(y), re = new Float64Array(y.length), im = new Float64Array(y.length), s = conj ? -1 : 1;
  for (let i = 0; i < y.length; i++) {
    re[i] = lam.re[i] * Y.re[i] - s * lam.im[i] * Y.im[i];
    im[i] = lam.re[i] * Y.im[i] + s * lam.im[i] * Y.re[i];
  }
  return ifft(re, im).re;
}

/** One check: its label and the largest error it reports. */
export interface Conv1dCheck {
  method: string;
  error: number;
}

/**
 * Run the five steps and the derivative checks, printing one line per check.
 * @param o `n` (signal length, default 16) and `seed` (default 1)
 * @returns the checks with their errors
 */
export function run(o: { n?: number; seed?: number } = {}): Conv1dCheck[] {
  const n = o.n ?? 16;
  const rng = createRng(o.seed ?? 1);
  const rows: Conv1dCheck[] = [];
  // The row's error is the largest number printed on the line (as conv-exercises reads it).
  const line = (label: string, value: string) => {
    console.log(`${label.padEnd(62)} ${value}`);
    rows.push({ method: label.replace(/:$/, ''), error: Math.max(...(value.match(/-?\d+(?:\.\d+)?e[+-]\d+/g) ?? ['NaN']).map(Number)) });
  };
  console.log(`1-D periodic convolution with FFTs, n = ${n}\n`);
  const theta = rng.normalArray(3);
  const op = conv1d(n, 3, { boundary: 'periodic' });

  // 1. sparse K
  const Ks = periodicSparse(theta, n);
  const K = sparseToDense(Ks);
  line(`1. sparse K (${Ks.values.length} stored entries) vs conv1d(…).toDense(θ):`, `max error ${fmt(maxAbs(K.data, op.toDense(theta).data))}`);

  // 2. eigenvalues
  const firstColumn = K.data.slice(0, n);
  const lam = fft(firstColumn);
  const ev = eigvals(K);
  line('2. eig(full(K)) vs fft(K(:,1)):', `max error ${fmt(setDistance(lam, ev))}`);

  // 3. and 4. products through the FFT
  const y = rng.normalArray(n);
  const Ky = sparseMatVec(Ks, y);
  const KTy = op.applyTranspose(theta, matrix(n, 1, Float64Array.from(y))).data;
  const KTyDense = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) KTyDense[j] += K.data[i + j * n] * y[i];
  line('3. ‖K y − real(ifft(λ ∘ fft(y)))‖∞:', `${fmt(maxAbs(Ky, viaFft(lam, y, false)))}`);
  line('4. ‖Kᵀy − real(ifft(conj(λ) ∘ fft(y)))‖∞:', `${fmt(maxAbs(KTyDense, viaFft(lam, y, true)))}  (operator's applyTranspose: ${fmt(maxAbs(KTyDense, KTy))})`);

  // 5. any stencil size, K never built: circshift the stencil so the centre sits at index 0
  for (const p of [3, 5, 9, 15]) {
    const t = rng.normalArray(p);
    const lamP = circulantEigenvalues(t, n);
    const evP = eigvals(conv1d(n, p, { boundary: 'periodic' }).toDense(t));
    line(`5. stencil size ${String(p).padStart(2)}: circulantEigenvalues vs eig(full(K)):`, `max error ${fmt(setDistance(lamP, evP))}`);
  }

  // Derivatives (slides "Derivatives of 1D Convolution"): K(θ)y is linear in θ.
  const Y = matrix(n, 1, Float64Array.from(y));
  const v = rng.normalArray(3);
  const tay = taylorTest((t) => op.apply(t, Y), theta, v, { jvp: op.jvp(v, Y) });
  const adj = adjointTest((d) => op.jvp(d, Y), (w) => op.vjp(matrix(n, 1, Float64Array.from(w)), Y), { nIn: 3, nOut: n, rng });
  line('+  Taylor test of θ ↦ K(θ)y, largest E1 (linear: exact):', `${fmt(Math.max(...tay.rows.map((r) => r.e1)))} (exact: ${tay.exact})`);
  line('+  adjoint test of J_θ and J_θᵀ, relative error:', fmt(adj.relError));
  return rows;
}

runExample({
  name: 'conv1d-fft',
  metaUrl: import.meta.url,
  summary: "The lecture's exercise \"1D Convolution using FFTs\": a periodic convolution's eigenvalues by FFT, products through the FFT, and the derivative checks.",
  options: { n: { help: 'signal length n (default 16, the lecture\'s)' } },
  parse: (args) => ({ n: intArg(args, 'n', 16, 3), seed: numArg(args, 'seed', 1) }),
  run: async (o) => ({ rows: run(o) }),
  print: () => {},
});
