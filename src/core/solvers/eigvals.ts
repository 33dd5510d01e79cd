/**
 * Eigenvalues of small dense matrices.
 *
 * - {@link eigvals}: real nonsymmetric A. Balancing (Parlett & Reinsch 1969:
 *   diagonal similarity by powers of two equalising row and column norms),
 *   Householder reduction to upper Hessenberg form, then Francis'
 *   double-shift QR with deflation (Golub & Van Loan, "Matrix Computations",
 *   §7.5). Complex eigenvalues come out as exact conjugate pairs.
 * - {@link eigSym}: real symmetric A. Householder tridiagonalisation, then
 *   implicit symmetric QR with Wilkinson shifts (Golub & Van Loan §8.3),
 *   accumulating the eigenvectors on request.
 *
 * Both cost O(n³) and are meant for n up to a few hundred.
 */
import { checkMatrix64, fail, shapeStr } from '../errors.js';
import { columnMajorData, matrix, type Matrix } from '../matrix.js';
import type { ComplexArray } from '../fft.js';
import { checkOptions } from '../options.js';

const EPS = 2.220446049250313e-16;

/** Options of {@link eigvals}. */
export interface EigvalsOptions {
  /** Balance A first (default true); switch off for matrices that are already balanced or when balancing hurts. */
  balance?: boolean;
}

/** Copy of A (contiguous column-major), validated square and finite. */
function squareCopy(fn: string, A: Matrix): { h: Float64Array; n: number } {
  checkMatrix64(fn, 'A', A);
  const [r, c] = A.shape;
  if (r !== c) fail(fn, `A is ${shapeStr(A)}, expected a square matrix`);
  const h = Float64Array.from(columnMajorData(A));
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i])) fail(fn, `A (${r}×${c}) has a non-finite entry at (${i % r}, ${Math.floor(i / r)})`);
  }
  return { h, n: r };
}

/** Largest |hᵢⱼ| rounded down to a power of two, and its exponent (0 for a zero matrix). */
function pow2Exponent(h: Float64Array): number {
  let mx = 0;
  for (let i = 0; i < h.length; i++) mx = Math.max(mx, Math.abs(h[i]));
  return mx === 0 ? 0 : Math.floor(Math.log2(mx));
}

function scalePow2(a: Float64Array, e: number): void {
  if (e === 0) return;
  const e1 = Math.trunc(e / 2), e2 = e - e1;
  const f1 = Math.pow(2, e1), f2 = Math.pow(2, e2);
  for (let i = 0; i < a.length; i++) a[i] = a[i] * f1 * f2;
}

/**
 * Parlett–Reinsch balancing in place: A ← D⁻¹ A D with D diagonal powers of
 * two (exact), iterated until no row/column pair changes by more than 5%.
 * Off-diagonal norms only; no permutations.
 */
function balance(h: Float64Array, n: number): void {
  const RADIX = 2, SQRDX = 4;
  let done = false;
  while (!done) {
    done = true;
    for (let i = 0; i < n; i++) {
      let r = 0, c = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(h[j + i * n]); // column i
        r += Math.abs(h[i + j * n]); // row i
      }
      if (c === 0 || r === 0) continue;
      let g = r / RADIX;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= RADIX;
        c *= SQRDX;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= SQRDX;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        const gi = 1 / f;
        for (let j = 0; j < n; j++) h[i + j * n] *= gi; // row i
        for (let j = 0; j < n; j++) h[j + i * n] *= f; // column i
      }
    }
  }
}

/** Householder reduction to upper Hessenberg form in place (values only: reflectors discarded). */
function hessenberg(h: Float64Array, n: number): void {
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Reflector for h(k+1:n, k).
    let xs = 0;
    for (let i = k + 2; i < n; i++) xs += h[i + k * n] * h[i + k * n];
    if (xs === 0) continue;
    const alpha = h[k + 1 + k * n];
    const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + xs);
    const tau = (beta - alpha) / beta;
    const sc = 1 / (alpha - beta);
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = h[i + k * n] * sc;
    // H ← P H (rows k+1..n−1, columns k..n−1).
    h[k + 1 + k * n] = beta;
    for (let i = k + 2; i < n; i++) h[i + k * n] = 0;
    for (let j = k + 1; j < n; j++) {
      const oj = j * n;
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i] * h[oj + i];
      s *= tau;
      for (let i = k + 1; i < n; i++) h[oj + i] -= s * v[i];
    }
    // H ← H P (all rows, columns k+1..n−1): w = H v, H −= τ w vᵀ.
    const w = new Float64Array(n);
    for (let j = k + 1; j < n; j++) {
      const vj = v[j], oj = j * n;
      for (let i = 0; i < n; i++) w[i] += vj * h[oj + i];
    }
    for (let j = k + 1; j < n; j++) {
      const f = tau * v[j], oj = j * n;
      for (let i = 0; i < n; i++) h[oj + i] -= f * w[i];
    }
  }
}

/** Eigenvalues of [[a, b], [c, d]] into (re, im) at positions i, i+1 (conjugate pair: +im first). */
function eig2x2(a: number, b: number, c: number, d: number, re: Float64Array, im: Float64Array, i: number): void {
  const p = 0.5 * (a - d);
  const bc = b * c;
  const disc = p * p + bc;
  if (disc >= 0) {
    // Real pair; the larger-magnitude root first, the other from the product
    // (avoids cancellation): λ = d + p ± √disc.
    const z = p + (p >= 0 ? 1 : -1) * Math.sqrt(disc);
    re[i] = d + z;
    re[i + 1] = z === 0 ? d : d - bc / z;
    im[i] = im[i + 1] = 0;
  } else {
    const mid = d + p;
    const w = Math.sqrt(-disc);
    re[i] = re[i + 1] = mid;
    im[i] = w;
    im[i + 1] = -w;
  }
}

/**
 * Francis double-shift QR on an upper Hessenberg matrix (values only): each
 * step applies (H − σ₁I)(H − σ₂I) implicitly through 3×3 Householder
 * reflectors chasing a bulge down the active window [l, p], σ₁,₂ the
 * eigenvalues of its trailing 2×2 block; exceptional shifts after 10 and 20
 * steps without deflation break cycles (e.g. permutation matrices).
 */
function hqr(h: Float64Array, n: number, fn: string): ComplexArray {
  const re = new Float64Array(n), im = new Float64Array(n);
  const H = (i: number, j: number) => h[i + j * n];
  let hnorm = 0;
  for (let k = 0; k < h.length; k++) hnorm = Math.max(hnorm, Math.abs(h[k]));
  const maxIts = 30 * Math.max(10, n); // per eigenvalue (or pair); LAPACK allows this many in total
  let p = n - 1;
  let its = 0;
  while (p >= 0) {
    // Find the start l of the unreduced block ending at p.
    let l = p;
    while (l > 0) {
      let s = Math.abs(H(l - 1, l - 1)) + Math.abs(H(l, l));
      if (s === 0) s = hnorm;
      // Local criterion |h_{l,l−1}| ≤ eps(|h_{l−1,l−1}| + |h_{ll}|); after 10
      // steps without deflation also the normwise one |h_{l,l−1}| ≤ eps‖H‖
      // (still backward stable): a cluster of equal eigenvalues much smaller
      // than ‖H‖ otherwise stagnates with subdiagonals at round-off level.
      if (Math.abs(H(l, l - 1)) <= EPS * (its >= 10 ? Math.max(s, hnorm) : s)) {
        h[l + (l - 1) * n] = 0;
        break;
      }
      l--;
    }
    if (l === p) {
      re[p] = H(p, p);
      im[p] = 0;
      p--;
      its = 0;
      continue;
    }
    if (l === p - 1) {
      eig2x2(H(p - 1, p - 1), H(p - 1, p), H(p, p - 1), H(p, p), re, im, p - 1);
      p -= 2;
      its = 0;
      continue;
    }
    if (its >= maxIts) fail(fn, `QR iteration did not converge (eigenvalue ${p + 1} of ${n} after ${maxIts} steps)`);
    its++;
    // Shifts: sum s and product t of σ₁, σ₂.
    let s: number, t: number;
    if (its % 10 === 0) {
      // Exceptional shift (as in LAPACK's xLAHQR), alternating between the
      // bottom and the top of the window.
      const w = its % 20 === 0
        ? Math.abs(H(l + 1, l)) + Math.abs(H(l + 2, l + 1))
        : Math.abs(H(p, p - 1)) + Math.abs(H(p - 1, p - 2));
      const base = (its % 20 === 0 ? H(l, l) : H(p, p)) + 0.75 * w;
      s = 2 * base;
      t = base * base + 0.4375 * w * w;
    } else {
      const a = H(p - 1, p - 1), b = H(p - 1, p), c = H(p, p - 1), d = H(p, p);
      s = a + d;
      t = a * d - b * c;
    }
    // First column of (H − σ₁)(H − σ₂) restricted to the window.
    const h00 = H(l, l), h10 = H(l + 1, l);
    let x = h00 * h00 + H(l, l + 1) * h10 - s * h00 + t;
    let y = h10 * (h00 + H(l + 1, l + 1) - s);
    let z = h10 * H(l + 2, l + 1);
    for (let k = l; k <= p - 1; k++) {
      const three = k < p - 1;
      if (k > l) {
        x = H(k, k - 1);
        y = H(k + 1, k - 1);
        z = three ? H(k + 2, k - 1) : 0;
      }
      // Reflector P = I − τ v vᵀ, v = [1, v1, v2], with P [x y z]ᵀ = −ν e₁.
      const nrm = Math.sqrt(x * x + y * y + z * z);
      if (nrm === 0) continue;
      const nu = x >= 0 ? nrm : -nrm;
      const u0 = x + nu;
      const tau = u0 / nu;
      const v1 = y / u0, v2 = z / u0;
      if (k > l) {
        h[k + (k - 1) * n] = -nu;
        h[k + 1 + (k - 1) * n] = 0;
        if (three) h[k + 2 + (k - 1) * n] = 0;
      }
      // Left: rows k..k+2, columns max(l, k)..p (column k−1 done above).
      for (let j = k; j <= p; j++) {
        const oj = j * n;
        let w = h[oj + k] + v1 * h[oj + k + 1];
        if (three) w += v2 * h[oj + k + 2];
        w *= tau;
        h[oj + k] -= w;
        h[oj + k + 1] -= w * v1;
        if (three) h[oj + k + 2] -= w * v2;
      }
      // Right: columns k..k+2, rows l..min(k+3, p).
      const iMax = Math.min(k + 3, p);
      const o0 = k * n, o1 = (k + 1) * n, o2 = (k + 2) * n;
      for (let i = l; i <= iMax; i++) {
        let w = h[o0 + i] + v1 * h[o1 + i];
        if (three) w += v2 * h[o2 + i];
        w *= tau;
        h[o0 + i] -= w;
        h[o1 + i] -= w * v1;
        if (three) h[o2 + i] -= w * v2;
      }
    }
  }
  return { re, im };
}

/**
 * All eigenvalues λ of a real square matrix, A v = λ v, by balancing,
 * Hessenberg reduction and Francis double-shift QR (see the file header).
 *
 * Order: descending real part, ties by descending imaginary part — so each
 * conjugate pair appears as (a + ib, a − ib) with b > 0, adjacent. Real
 * eigenvalues have im exactly 0; a pair has re equal and im exactly opposite.
 * Accuracy: backward stable, |λ − λ̂| ≲ eps·‖A‖·κ(λ).
 *
 * @param A n×n, Float64Array-backed; not modified
 * @param opts `balance` (default true)
 * @returns `{ re, im }`, each of length n
 * @throws `eigvals: A is 3×4, expected a square matrix`; on NaN/Inf entries; if QR fails to converge
 * @example
 * eigvals(fromRows([[0, -1], [1, 0]])) // { re: [0, 0], im: [1, -1] }
 */
export function eigvals(A: Matrix, opts: EigvalsOptions = {}): ComplexArray {
  const fn = 'eigvals';
  checkOptions(fn, opts, ['balance'], 'opts');
  const { h, n } = squareCopy(fn, A);
  if (opts === null || typeof opts !== 'object') fail(fn, `opts must be an object, got ${String(opts)}`);
  if (n === 0) return { re: new Float64Array(0), im: new Float64Array(0) };
  // Scale by a power of two (exact) so that squares in the shifts cannot overflow.
  const e = pow2Exponent(h);
  scalePow2(h, -e);
  if (opts.balance !== false) balance(h, n);
  hessenberg(h, n);
  const { re, im } = hqr(h, n, fn);
  scalePow2(re, e);
  scalePow2(im, e);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => re[j] - re[i] || im[j] - im[i] || i - j);
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    outRe[k] = re[order[k]];
    outIm[k] = im[order[k]];
  }
  return { re: outRe, im: outIm };
}

/** Result of {@link eigSym}. */
export interface EigSymResult {
  /** The n eigenvalues, ascending. */
  values: Float64Array;
  /** n×n orthogonal matrix whose column k is the eigenvector of values[k] (n×0 with `vectors: false`). */
  vectors: Matrix;
}

/** Options of {@link eigSym}. */
export interface EigSymOptions {
  /** Compute the eigenvectors (default true). */
  vectors?: boolean;
  /** Allowed relative asymmetry max|aᵢⱼ − aⱼᵢ| / max|aᵢⱼ| (default 1e-10); A is symmetrised as (A + Aᵀ)/2. */
  symmetryTol?: number;
}

/**
 * Eigen-decomposition of a real symmetric matrix, A = V diag(λ) Vᵀ, by
 * Householder tridiagonalisation and implicit QR with Wilkinson shifts.
 * Every |λᵢ − λ̂ᵢ| ≲ eps·‖A‖₂; V is orthogonal to a few ulps.
 *
 * @param A n×n symmetric (up to `symmetryTol`), Float64Array-backed; not modified
 * @param opts `vectors` (default true), `symmetryTol` (default 1e-10)
 * @returns `{ values (ascending, length n), vectors (n×n, or n×0) }`
 * @throws `eigSym: A is 2×3, expected a square matrix`; if A is not symmetric; on NaN/Inf
 * @example
 * eigSym(fromRows([[2, 1], [1, 2]])).values // [1, 3]
 */
export function eigSym(A: Matrix, opts: EigSymOptions = {}): EigSymResult {
  const fn = 'eigSym';
  checkOptions(fn, opts, ['vectors', 'symmetryTol'], 'opts');
  const { h: a, n } = squareCopy(fn, A);
  if (opts === null || typeof opts !== 'object') fail(fn, `opts must be an object, got ${String(opts)}`);
  const wantVectors = opts.vectors !== false;
  const symTol = opts.symmetryTol ?? 1e-10;
  if (!(symTol >= 0)) fail(fn, `symmetryTol must be >= 0, got ${String(symTol)}`);
  let mx = 0, asym = 0, wi = 0, wj = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      mx = Math.max(mx, Math.abs(a[i + j * n]));
      const dlt = Math.abs(a[i + j * n] - a[j + i * n]);
      if (dlt > asym) {
        asym = dlt;
        wi = i;
        wj = j;
      }
    }
  }
  if (asym > symTol * mx) {
    fail(fn, `A is not symmetric: |A(${wi},${wj}) − A(${wj},${wi})| = ${asym.toExponential(3)} exceeds ${symTol} × max|A| = ${(symTol * mx).toExponential(3)}`);
  }
  if (n === 0) return { values: new Float64Array(0), vectors: matrix(0, 0) };
  for (let j = 0; j < n; j++) {
    for (let i = j + 1; i < n; i++) {
      const s = 0.5 * (a[i + j * n] + a[j + i * n]);
      a[i + j * n] = a[j + i * n] = s;
    }
  }
  const ex = pow2Exponent(a);
  scalePow2(a, -ex);

  // --- tridiagonalisation: Qᵀ A Q = T (d, e) ------------------------------------
  const d = new Float64Array(n), e = new Float64Array(n);
  const tau = new Float64Array(n);
  const v = new Float64Array(n), pv = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let xs = 0;
    for (let i = k + 2; i < n; i++) xs += a[i + k * n] * a[i + k * n];
    const alpha = a[k + 1 + k * n];
    if (xs === 0) {
      tau[k] = 0;
      e[k] = alpha;
      continue;
    }
    const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + xs);
    const tk = (beta - alpha) / beta;
    tau[k] = tk;
    const sc = 1 / (alpha - beta);
    // Store v (v[k+1] = 1) below the subdiagonal of column k.
    for (let i = k + 2; i < n; i++) a[i + k * n] *= sc;
    e[k] = beta;
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = a[i + k * n];
    // Trailing block B = A(k+1:n, k+1:n) ← P B P with P = I − τ v vᵀ:
    // p = τ B v, w = p − (τ/2)(pᵀv) v, B ← B − v wᵀ − w vᵀ.
    for (let i = k + 1; i < n; i++) pv[i] = 0;
    for (let j = k + 1; j < n; j++) {
      const vj = v[j], oj = j * n;
      for (let i = k + 1; i < n; i++) pv[i] += a[oj + i] * vj;
    }
    let pTv = 0;
    for (let i = k + 1; i < n; i++) {
      pv[i] *= tk;
      pTv += pv[i] * v[i];
    }
    const half = 0.5 * tk * pTv;
    for (let i = k + 1; i < n; i++) pv[i] -= half * v[i];
    for (let j = k + 1; j < n; j++) {
      const vj = v[j], wj2 = pv[j], oj = j * n;
      for (let i = k + 1; i < n; i++) a[oj + i] -= v[i] * wj2 + pv[i] * vj;
    }
  }
  if (n >= 2) e[n - 2] = a[n - 1 + (n - 2) * n];
  for (let i = 0; i < n; i++) d[i] = a[i + i * n];

  // Q = P₀ P₁ ⋯ P_{n−3}, accumulated backwards.
  let Z: Float64Array | null = null;
  if (wantVectors) {
    Z = new Float64Array(n * n);
    for (let j = 0; j < n; j++) Z[j + j * n] = 1;
    for (let k = n - 3; k >= 0; k--) {
      const tk = tau[k];
      if (tk === 0) continue;
      for (let j = k + 1; j < n; j++) {
        const oj = j * n;
        let s = Z[oj + k + 1];
        for (let i = k + 2; i < n; i++) s += a[i + k * n] * Z[oj + i];
        s *= tk;
        Z[oj + k + 1] -= s;
        for (let i = k + 2; i < n; i++) Z[oj + i] -= s * a[i + k * n];
      }
    }
  }

  // --- implicit symmetric QR with Wilkinson shift -----------------------------
  const maxIter = 30 * n;
  let iter = 0;
  let p = n - 1;
  while (p > 0) {
    if (Math.abs(e[p - 1]) <= EPS * (Math.abs(d[p - 1]) + Math.abs(d[p]))) {
      e[p - 1] = 0;
      p--;
      continue;
    }
    let l = p - 1;
    while (l > 0 && Math.abs(e[l - 1]) > EPS * (Math.abs(d[l - 1]) + Math.abs(d[l]))) l--;
    if (l > 0) e[l - 1] = 0;
    if (++iter > maxIter) fail(fn, `QR iteration did not converge in ${maxIter} steps`);
    // Wilkinson shift: eigenvalue of the trailing 2×2 nearer d[p].
    const dd = 0.5 * (d[p - 1] - d[p]);
    const ep = e[p - 1];
    const mu = d[p] - (ep * ep) / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, ep));
    let x = d[l] - mu;
    let z = e[l];
    for (let k = l; k < p; k++) {
      // Rotation G on (k, k+1) with [c −s; s c]... chosen so that the bulge vanishes:
      // columns: k' = c·k − s·(k+1), (k+1)' = s·k + c·(k+1), c = x/r, s = −z/r.
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r, s = r === 0 ? 0 : -z / r;
      if (k > l) e[k - 1] = r;
      const a0 = d[k], b0 = e[k], d1 = d[k + 1];
      d[k] = c * c * a0 - 2 * c * s * b0 + s * s * d1;
      d[k + 1] = s * s * a0 + 2 * c * s * b0 + c * c * d1;
      e[k] = c * s * (a0 - d1) + (c * c - s * s) * b0;
      if (k < p - 1) {
        x = e[k];
        z = -s * e[k + 1];
        e[k + 1] *= c;
      }
      if (Z) {
        const ok = k * n, ok1 = (k + 1) * n;
        for (let i = 0; i < n; i++) {
          const zk = Z[ok + i], zk1 = Z[ok1 + i];
          Z[ok + i] = c * zk - s * zk1;
          Z[ok1 + i] = s * zk + c * zk1;
        }
      }
    }
  }

  scalePow2(d, ex);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j] || i - j);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = d[order[k]];
  if (!Z) return { values, vectors: matrix(n, 0) };
  const V = matrix(n, n);
  for (let k = 0; k < n; k++) V.data.set(Z.subarray(order[k] * n, order[k] * n + n), k * n);
  return { values, vectors: V };
}
