/**
 * Dense singular value decomposition by one-sided Jacobi with QR
 * preconditioning.
 *
 * Method (Drmač & Veselić, "New fast and accurate Jacobi SVD algorithm",
 * SIAM J. Matrix Anal. Appl. 29, 2008, simplified):
 * 1. if rows < cols, decompose Aᵀ and swap U and V;
 * 2. scale A by a power of two (exact) so that max|aᵢⱼ| ∈ [1, 2): no
 *    overflow or underflow in the sums of squares below;
 * 3. Householder QR with column pivoting, A P = Q R (Businger–Golub, norms
 *    downdated as in LAPACK's xLAQP2); R is n×n;
 * 4. one-sided (Hestenes) Jacobi on X = Rᵀ: plane rotations W on the right
 *    orthogonalise the columns, X W = Y with orthogonal columns. Then
 *    σⱼ = ‖yⱼ‖, Rᵀ = (Y Σ⁻¹) Σ Wᵀ, so A = (Q W) Σ (P Y Σ⁻¹)ᵀ:
 *    U = Q W, V = P·(Y Σ⁻¹) (columns with σⱼ = 0 are completed to an
 *    orthonormal basis).
 * Pivoted QR makes the columns of Rᵀ strongly graded, so Jacobi converges in a
 * few sweeps; Jacobi computes small singular values to high relative accuracy
 * (Demmel & Veselić 1992), which is why it is used here rather than
 * bidiagonalisation + QR. Values-only mode accumulates neither Q nor W.
 */
import { checkMatrix64, checkNumber, fail, shapeStr } from '../errors.js';
import { columnMajorData, matrix, zeros, type Matrix } from '../matrix.js';
import { gemm } from '../matmul.js';
import { checkOptions } from '../options.js';

/** Thin SVD A = U diag(S) Vᵀ, singular values in descending order. */
export interface SvdResult {
  /** rows × k, orthonormal columns, k = min(rows, cols) (rows × 0 when `vectors: false`). */
  U: Matrix;
  /** k singular values, descending, non-negative. */
  S: Float64Array;
  /** cols × k, orthonormal columns (cols × 0 when `vectors: false`). */
  V: Matrix;
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** Compute U and V (default true); false returns only S (several times faster). */
  vectors?: boolean;
  /**
   * `'golubKahan'` (default): bidiagonalisation + implicit QR, fast, errors
   * ≈ eps·σ₁ in every σᵢ. `'jacobi'`: pivoted QR + one-sided Jacobi, several
   * times slower, small σᵢ to high relative accuracy (when A = B·D with B
   * well conditioned and D diagonal, e.g. badly scaled columns).
   */
  method?: 'golubKahan' | 'jacobi';
}

const EPS = 2.220446049250313e-16;
/** Below this (relative to max|aᵢⱼ| ≈ 1 after scaling) a singular value is treated as exactly zero when normalising vectors. */
const TINY = 2.2250738585072014e-308 / EPS;
const MAX_SWEEPS = 60;

/** Multiply by 2^e exactly, in two steps so that 2^e itself never overflows. */
function scalePow2(a: Float64Array, e: number): void {
  const e1 = Math.trunc(e / 2), e2 = e - e1;
  const f1 = Math.pow(2, e1), f2 = Math.pow(2, e2);
  for (let i = 0; i < a.length; i++) a[i] = a[i] * f1 * f2;
}

interface CoreResult {
  S: Float64Array;
  U?: Float64Array; // m×n
  V?: Float64Array; // n×n
}

/**
 * SVD of a contiguous column-major m×n array `a` with m ≥ n ≥ 1, entries
 * scaled to max|aᵢⱼ| ∈ [1, 2). Overwrites `a`. Singular values descending.
 */
function jacobiTall(a: Float64Array, m: number, n: number, wantVectors: boolean): CoreResult {
  // --- Householder QR with column pivoting: A P = Q R -----------------------
  const perm = new Int32Array(n);
  const vn1 = new Float64Array(n), vn2 = new Float64Array(n), tau = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    perm[j] = j;
    let s = 0;
    const o = j * m;
    for (let i = 0; i < m; i++) s += a[o + i] * a[o + i];
    vn1[j] = vn2[j] = Math.sqrt(s);
  }
  const tol3z = Math.sqrt(EPS);
  for (let k = 0; k < n; k++) {
    let pvt = k;
    for (let j = k + 1; j < n; j++) if (vn1[j] > vn1[pvt]) pvt = j;
    if (pvt !== k) {
      const op = pvt * m, ok = k * m;
      for (let i = 0; i < m; i++) {
        const t = a[op + i];
        a[op + i] = a[ok + i];
        a[ok + i] = t;
      }
      const tp = perm[pvt];
      perm[pvt] = perm[k];
      perm[k] = tp;
      vn1[pvt] = vn1[k];
      vn2[pvt] = vn2[k];
    }
    const ok = k * m;
    // Reflector H = I − τ v vᵀ, v = [1; a(k+1:m, k)], mapping a(k:m, k) to β e₁.
    if (k < m - 1) {
      const alpha = a[ok + k];
      let xs = 0;
      for (let i = k + 1; i < m; i++) xs += a[ok + i] * a[ok + i];
      if (xs === 0) {
        tau[k] = 0;
      } else {
        const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + xs);
        tau[k] = (beta - alpha) / beta;
        const sc = 1 / (alpha - beta);
        for (let i = k + 1; i < m; i++) a[ok + i] *= sc;
        a[ok + k] = beta;
      }
    } else {
      tau[k] = 0;
    }
    const tk = tau[k];
    if (tk !== 0) {
      for (let j = k + 1; j < n; j++) {
        const oj = j * m;
        let w = a[oj + k];
        for (let i = k + 1; i < m; i++) w += a[ok + i] * a[oj + i];
        w *= tk;
        a[oj + k] -= w;
        for (let i = k + 1; i < m; i++) a[oj + i] -= w * a[ok + i];
      }
    }
    // Downdate the partial column norms; recompute when cancellation looms.
    for (let j = k + 1; j < n; j++) {
      if (vn1[j] === 0) continue;
      const oj = j * m;
      const r = Math.abs(a[oj + k]) / vn1[j];
      const temp = Math.max(0, 1 - r * r);
      const q = vn1[j] / vn2[j];
      if (temp * q * q <= tol3z) {
        let s = 0;
        for (let i = k + 1; i < m; i++) s += a[oj + i] * a[oj + i];
        vn1[j] = vn2[j] = Math.sqrt(s);
      } else {
        vn1[j] *= Math.sqrt(temp);
      }
    }
  }

  // --- X = Rᵀ (n×n, lower triangular) --------------------------------------
  const x = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    // column j of X = row j of R: X(i, j) = R(j, i), i ≥ j
    for (let i = j; i < n; i++) x[i + j * n] = a[j + i * m];
  }
  const w = wantVectors ? new Float64Array(n * n) : null;
  if (w) for (let j = 0; j < n; j++) w[j + j * n] = 1;

  // --- One-sided Jacobi: rotate column pairs until all are orthogonal ------
  // A pair (p, q) is rotated when |x_pᵀx_q| > tol·‖x_p‖‖x_q‖. The rotation
  // [c s; −s c] diagonalises the 2×2 Gram matrix [α γ; γ β]:
  // ζ = (β − α)/(2γ), t = sign(ζ)/(|ζ| + √(1 + ζ²)), c = 1/√(1 + t²), s = c t,
  // and the new squared norms are α − tγ and β + tγ.
  const d = new Float64Array(n);
  const tol = EPS * Math.sqrt(n);
  const swapCols = (buf: Float64Array, p: number, q: number) => {
    const op = p * n, oq = q * n;
    for (let i = 0; i < n; i++) {
      const t = buf[op + i];
      buf[op + i] = buf[oq + i];
      buf[oq + i] = t;
    }
  };
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const o = j * n;
      for (let i = 0; i < n; i++) s += x[o + i] * x[o + i];
      d[j] = s;
    }
    let rotated = 0;
    for (let p = 0; p < n - 1; p++) {
      // de Rijk's pivoting: bring the largest remaining column to position p
      // (fewer sweeps; the columns end up roughly sorted).
      let big = p;
      for (let j = p + 1; j < n; j++) if (d[j] > d[big]) big = j;
      if (big !== p) {
        swapCols(x, p, big);
        if (w) swapCols(w, p, big);
        const t = d[p];
        d[p] = d[big];
        d[big] = t;
      }
      const op = p * n;
      for (let q = p + 1; q < n; q++) {
        const alpha = d[p], beta = d[q];
        if (alpha === 0 || beta === 0) continue;
        const oq = q * n;
        let gamma = 0;
        for (let i = 0; i < n; i++) gamma += x[op + i] * x[oq + i];
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        rotated++;
        const zeta = (beta - alpha) / (2 * gamma);
        const az = Math.abs(zeta);
        const t = (zeta >= 0 ? 1 : -1) / (az > 1e150 ? 2 * az : az + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        // Rotate, and recompute the squared norms on the fly: the formulas
        // α − tγ, β + tγ lose accuracy when a column shrinks by cancellation.
        let np = 0, nq = 0;
        for (let i = 0; i < n; i++) {
          const xp = x[op + i], xq = x[oq + i];
          const yp = c * xp - s * xq, yq = s * xp + c * xq;
          x[op + i] = yp;
          x[oq + i] = yq;
          np += yp * yp;
          nq += yq * yq;
        }
        d[p] = np;
        d[q] = nq;
        if (w) {
          for (let i = 0; i < n; i++) {
            const wp = w[op + i], wq = w[oq + i];
            w[op + i] = c * wp - s * wq;
            w[oq + i] = s * wp + c * wq;
          }
        }
      }
    }
    if (rotated === 0) break;
  }

  // --- Singular values, descending ------------------------------------------
  const sig = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    const o = j * n;
    for (let i = 0; i < n; i++) s += x[o + i] * x[o + i];
    sig[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => sig[j] - sig[i] || i - j);
  const S = new Float64Array(n);
  for (let k = 0; k < n; k++) S[k] = sig[order[k]];
  if (!w) return { S };

  // --- U = Q W (columns reordered) -------------------------------------------
  const wOrd = new Float64Array(n * n);
  for (let k = 0; k < n; k++) wOrd.set(w.subarray(order[k] * n, order[k] * n + n), k * n);
  // Thin Q = H₀ H₁ ⋯ H_{n−1} [I; 0], accumulated backwards in place.
  const qm = thinQ(a, m, n, tau);
  const U = new Float64Array(m * n);
  gemm(U, m, n, n, qm, m, false, wOrd, n, false, 1, 0);

  // --- V = P · (Y Σ⁻¹), completing the null columns ---------------------------
  const vy = new Float64Array(n * n); // Y Σ⁻¹ in the sorted order, unpermuted rows
  let good = 0;
  while (good < n && S[good] > TINY) {
    const o = order[good] * n, inv = 1 / S[good];
    for (let i = 0; i < n; i++) vy[good * n + i] = x[o + i] * inv;
    good++;
  }
  completeBasis(vy, n, good);
  const V = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) V[perm[i] + k * n] = vy[i + k * n];
  return { S, U, V };
}

/** Plane rotation of two columns of a column-major array: (u, v) ← (c u + s v, −s u + c v). */
function rotCols(buf: Float64Array, len: number, ca: number, cb: number, c: number, s: number): void {
  const oa = ca * len, ob = cb * len;
  for (let i = 0; i < len; i++) {
    const u = buf[oa + i], v = buf[ob + i];
    buf[oa + i] = c * u + s * v;
    buf[ob + i] = c * v - s * u;
  }
}

/**
 * Golub–Kahan–Reinsch SVD of a contiguous column-major m×n array `a`, m ≥ n ≥ 1,
 * entries scaled to max|aᵢⱼ| ∈ [1, 2). Overwrites `a`. Singular values descending.
 *
 * 1. Householder bidiagonalisation A = U_b B V_bᵀ, B upper bidiagonal (d, e);
 * 2. implicit shifted QR on B (Golub & Van Loan, Alg. 8.6.1–8.6.2): Wilkinson
 *    shift from the trailing 2×2 of BᵀB, bulge chased by alternating right
 *    (→ V) and left (→ U) rotations; eᵢ is dropped when
 *    |eᵢ| ≤ eps·(|dᵢ| + |dᵢ₊₁|); a negligible dₖ is set to zero and its row
 *    (or, at the bottom, column) is rotated away so that the problem splits.
 */
function golubKahanTall(a: Float64Array, m: number, n: number, wantVectors: boolean): CoreResult {
  const d = new Float64Array(n), e = new Float64Array(Math.max(n - 1, 0));
  const tauL = new Float64Array(n), tauR = new Float64Array(n);
  const wrow = new Float64Array(m);
  // --- bidiagonalisation ------------------------------------------------------
  for (let k = 0; k < n; k++) {
    const ok = k * m;
    // Left reflector on a(k:m, k): (I − τ v vᵀ), v = [1; a(k+1:m, k)].
    {
      const alpha = a[ok + k];
      let xs = 0;
      for (let i = k + 1; i < m; i++) xs += a[ok + i] * a[ok + i];
      if (xs === 0) {
        tauL[k] = 0;
        d[k] = alpha;
      } else {
        const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + xs);
        tauL[k] = (beta - alpha) / beta;
        const sc = 1 / (alpha - beta);
        for (let i = k + 1; i < m; i++) a[ok + i] *= sc;
        a[ok + k] = beta;
        d[k] = beta;
        const tk = tauL[k];
        for (let j = k + 1; j < n; j++) {
          const oj = j * m;
          let w = a[oj + k];
          for (let i = k + 1; i < m; i++) w += a[ok + i] * a[oj + i];
          w *= tk;
          a[oj + k] -= w;
          for (let i = k + 1; i < m; i++) a[oj + i] -= w * a[ok + i];
        }
      }
    }
    if (k >= n - 1) continue;
    // Right reflector on row k, a(k, k+1:n): v = [1, a(k, k+2:n)].
    const alpha = a[k + (k + 1) * m];
    let xs = 0;
    for (let j = k + 2; j < n; j++) xs += a[k + j * m] * a[k + j * m];
    if (xs === 0) {
      tauR[k] = 0;
      e[k] = alpha;
      continue;
    }
    const beta = -(alpha >= 0 ? 1 : -1) * Math.sqrt(alpha * alpha + xs);
    const tk = (beta - alpha) / beta;
    tauR[k] = tk;
    const sc = 1 / (alpha - beta);
    for (let j = k + 2; j < n; j++) a[k + j * m] *= sc;
    a[k + (k + 1) * m] = beta;
    e[k] = beta;
    // Rows k+1..m−1 times (I − τ v vᵀ): w = A(:, k+1:n) v, then A −= τ w vᵀ (column-wise).
    const o1 = (k + 1) * m;
    for (let i = k + 1; i < m; i++) wrow[i] = a[o1 + i];
    for (let j = k + 2; j < n; j++) {
      const vj = a[k + j * m], oj = j * m;
      for (let i = k + 1; i < m; i++) wrow[i] += vj * a[oj + i];
    }
    for (let i = k + 1; i < m; i++) a[o1 + i] -= tk * wrow[i];
    for (let j = k + 2; j < n; j++) {
      const f = tk * a[k + j * m], oj = j * m;
      for (let i = k + 1; i < m; i++) a[oj + i] -= f * wrow[i];
    }
  }

  // --- U_b (m×n, thin) and V_b (n×n) by backward accumulation -----------------
  let U: Float64Array | null = null, V: Float64Array | null = null;
  if (wantVectors) {
    U = thinQ(a, m, n, tauL);
    V = new Float64Array(n * n);
    for (let j = 0; j < n; j++) V[j + j * n] = 1;
    const v = new Float64Array(n);
    for (let k = n - 3; k >= 0; k--) {
      const tk = tauR[k];
      if (tk === 0) continue;
      for (let i = k + 2; i < n; i++) v[i] = a[k + i * m];
      for (let j = k + 1; j < n; j++) {
        const oj = j * n;
        let s = V[oj + k + 1];
        for (let i = k + 2; i < n; i++) s += v[i] * V[oj + i];
        s *= tk;
        V[oj + k + 1] -= s;
        for (let i = k + 2; i < n; i++) V[oj + i] -= s * v[i];
      }
    }
  }

  // --- implicit shifted QR on the bidiagonal ------------------------------------
  let anorm = 0;
  for (let i = 0; i < n; i++) anorm = Math.max(anorm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0));
  const dTol = EPS * anorm;
  const maxIter = 75 * n;
  let iter = 0;
  let q = n - 1;
  while (q > 0) {
    // Deflate negligible superdiagonal entries at the bottom.
    const ef = Math.abs(e[q - 1]);
    if (ef <= EPS * (Math.abs(d[q - 1]) + Math.abs(d[q])) || ef <= EPS * dTol) {
      e[q - 1] = 0;
      q--;
      continue;
    }
    let l = q - 1;
    while (l > 0) {
      const el = Math.abs(e[l - 1]);
      if (el <= EPS * (Math.abs(d[l - 1]) + Math.abs(d[l])) || el <= EPS * dTol) {
        e[l - 1] = 0;
        break;
      }
      l--;
    }
    if (++iter > maxIter) fail('svd', `QR iteration on the bidiagonal did not converge in ${maxIter} sweeps`);
    // A (numerically) zero diagonal entry: rotate its row (or the last column) away.
    let zk = -1;
    for (let k = l; k <= q; k++) {
      if (Math.abs(d[k]) <= dTol) {
        zk = k;
        break;
      }
    }
    if (zk >= 0) {
      d[zk] = 0;
      if (zk < q) {
        // Left rotations on rows (j, zk), j = zk+1..q, push e[zk] to the right and out.
        let f = e[zk];
        e[zk] = 0;
        for (let j = zk + 1; j <= q && f !== 0; j++) {
          const r = Math.hypot(d[j], f);
          const c = d[j] / r, s = f / r;
          d[j] = r;
          if (j < q) {
            f = -s * e[j];
            e[j] *= c;
          }
          if (U) rotCols(U, m, j, zk, c, s);
        }
      } else {
        // Right rotations on columns (j, q), j = q−1..l, push e[q−1] up and out.
        let f = e[q - 1];
        e[q - 1] = 0;
        for (let j = q - 1; j >= l && f !== 0; j--) {
          const r = Math.hypot(d[j], f);
          const c = d[j] / r, s = f / r;
          d[j] = r;
          if (j > l) {
            f = -s * e[j - 1];
            e[j - 1] *= c;
          }
          if (V) rotCols(V, n, j, q, c, s);
        }
      }
      continue;
    }
    // Wilkinson shift: eigenvalue of the trailing 2×2 of BᵀB nearer its last entry.
    const dq1 = d[q - 1], eq1 = e[q - 1], dq = d[q];
    const t11 = dq1 * dq1 + (q - 1 > l ? e[q - 2] * e[q - 2] : 0);
    const t12 = dq1 * eq1;
    const t22 = dq * dq + eq1 * eq1;
    const del = (t11 - t22) / 2;
    const mu = t12 === 0 ? t22 : t22 - (t12 * t12) / (del + (del >= 0 ? 1 : -1) * Math.hypot(del, t12));
    // Golub–Kahan step: chase the bulge from (l, l) down to q.
    let y = d[l] * d[l] - mu;
    let z = d[l] * e[l];
    for (let k = l; k < q; k++) {
      // Right rotation on columns k, k+1: [y z] → [r 0].
      let r = Math.hypot(y, z);
      let c = r === 0 ? 1 : y / r, s = r === 0 ? 0 : z / r;
      if (k > l) e[k - 1] = r;
      const dk = d[k], ek = e[k], dk1 = d[k + 1];
      let ndk = c * dk + s * ek;
      const nek = c * ek - s * dk;
      const bulge = s * dk1; // B(k+1, k)
      const ndk1 = c * dk1;
      if (V) rotCols(V, n, k, k + 1, c, s);
      // Left rotation on rows k, k+1: [ndk; bulge] → [r; 0].
      r = Math.hypot(ndk, bulge);
      c = r === 0 ? 1 : ndk / r;
      s = r === 0 ? 0 : bulge / r;
      ndk = r;
      d[k] = ndk;
      e[k] = c * nek + s * ndk1;
      d[k + 1] = c * ndk1 - s * nek;
      if (k < q - 1) {
        y = e[k];
        z = s * e[k + 1]; // new bulge B(k, k+2)
        e[k + 1] *= c;
      }
      if (U) rotCols(U, m, k, k + 1, c, s);
    }
  }

  // --- signs and order ------------------------------------------------------------
  for (let k = 0; k < n; k++) {
    if (d[k] < 0) {
      d[k] = -d[k];
      if (V) for (let i = 0; i < n; i++) V[i + k * n] = -V[i + k * n];
    }
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((i, j) => d[j] - d[i] || i - j);
  const S = new Float64Array(n);
  for (let k = 0; k < n; k++) S[k] = d[order[k]];
  if (!U || !V) return { S };
  const Us = new Float64Array(m * n), Vs = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    Us.set(U.subarray(order[k] * m, order[k] * m + m), k * m);
    Vs.set(V.subarray(order[k] * n, order[k] * n + n), k * n);
  }
  return { S, U: Us, V: Vs };
}

/**
 * Fill columns `k..n−1` of the n×n column-major `q`, whose first k columns are
 * orthonormal, with an orthonormal completion (Gram–Schmidt, twice, on unit
 * vectors).
 */
function completeBasis(q: Float64Array, n: number, k: number): void {
  let col = k;
  const v = new Float64Array(n);
  for (let e = 0; e < n && col < n; e++) {
    v.fill(0);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < col; j++) {
        let s = 0;
        const o = j * n;
        for (let i = 0; i < n; i++) s += q[o + i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= s * q[o + i];
      }
    }
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    if (nv < 0.5) continue; // e was (nearly) in the span already
    for (let i = 0; i < n; i++) q[i + col * n] = v[i] / nv;
    col++;
  }
}

/**
 * Thin singular value decomposition A = U diag(S) Vᵀ of a dense matrix.
 *
 * One-sided Jacobi on the transposed R factor of a column-pivoted QR (see the
 * file header): reconstructs A to a few ulps of ‖A‖, computes small singular
 * values to high relative accuracy, handles rank deficiency and zero columns
 * (U and V stay orthonormal), and takes about a tenth of a second for
 * 200×200. rows < cols is handled through Aᵀ.
 *
 * @param A rows×cols, Float64Array-backed (any strides); not modified
 * @param opts `vectors` (default true): false skips U and V, which then have zero columns
 * @returns `{ U: rows×k, S: k, V: cols×k }`, k = min(rows, cols), S descending and ≥ 0
 * @throws if A is not a double-precision 2-D matrix or has NaN/Inf entries
 * @example
 * svd(fromRows([[3, 0], [0, -4]])).S // [4, 3]
 */
export function svd(A: Matrix, opts: SvdOptions = {}): SvdResult {
  const fn = 'svd';
  checkOptions(fn, opts, ['vectors', 'method'], 'opts');
  checkMatrix64(fn, 'A', A);
  if (opts === null || typeof opts !== 'object') fail(fn, `opts must be an object, got ${String(opts)}`);
  const wantVectors = opts.vectors === undefined ? true : !!opts.vectors;
  const method = opts.method ?? 'golubKahan';
  if (method !== 'golubKahan' && method !== 'jacobi') fail(fn, `method must be 'golubKahan' or 'jacobi', got ${String(method)}`);
  const [rows, cols] = A.shape;
  const src = columnMajorData(A);
  for (let i = 0; i < src.length; i++) if (!Number.isFinite(src[i])) fail(fn, `A (${shapeStr(A)}) has a non-finite entry at (${i % rows}, ${Math.floor(i / rows)})`);
  const k = Math.min(rows, cols);
  const tall = rows >= cols;
  const m = tall ? rows : cols, n = tall ? cols : rows;

  // Work on a copy of A (or of Aᵀ), m×n with m ≥ n.
  const a = new Float64Array(m * n);
  if (tall) a.set(src);
  else for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) a[j + i * m] = src[i + j * rows];

  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]));

  let core: CoreResult;
  if (k === 0 || maxAbs === 0) {
    core = { S: new Float64Array(k) };
    if (wantVectors) {
      core.U = new Float64Array(m * n);
      core.V = new Float64Array(n * n);
      for (let j = 0; j < n; j++) {
        core.U[j + j * m] = 1;
        core.V[j + j * n] = 1;
      }
    }
  } else {
    const e = Math.floor(Math.log2(maxAbs));
    scalePow2(a, -e);
    core = method === 'jacobi' ? jacobiTall(a, m, n, wantVectors) : golubKahanTall(a, m, n, wantVectors);
    scalePow2(core.S, e);
  }
  if (!wantVectors) return { U: zeros(rows, 0), S: core.S, V: zeros(cols, 0) };
  const Um = matrix(m, n, core.U!);
  const Vm = matrix(n, n, core.V!);
  return tall ? { U: Um, S: core.S, V: Vm } : { U: Vm, S: core.S, V: Um };
}

/**
 * Numerical rank: #{ σᵢ > tol }, by default tol = max(rows, cols)·eps·σ₁ (MATLAB's `rank`).
 * @param A rows×cols
 * @param tol optional threshold ≥ 0
 * @returns an integer in [0, min(rows, cols)]
 * @throws as {@link svd}, or if tol is negative or not finite
 * @example rank(fromRows([[1, 2], [2, 4]])) // 1
 */
export function rank(A: Matrix, tol?: number): number {
  checkMatrix64('rank', 'A', A);
  if (tol !== undefined) checkNumber('rank', 'tol', tol, { min: 0 });
  const { S } = svd(A, { vectors: false });
  if (S.length === 0) return 0;
  const t = tol ?? Math.max(A.shape[0], A.shape[1]) * EPS * S[0];
  let r = 0;
  for (let i = 0; i < S.length; i++) if (S[i] > t) r++;
  return r;
}

/**
 * 2-norm condition number κ₂(A) = σ_max / σ_min over the min(rows, cols)
 * singular values; `Infinity` when σ_min = 0, 0 for an empty matrix.
 * @param A rows×cols
 * @returns κ₂(A) ≥ 1 (or Infinity / 0)
 * @throws as {@link svd}
 * @example cond(fromRows([[2, 0], [0, 0.5]])) // 4
 */
export function cond(A: Matrix): number {
  checkMatrix64('cond', 'A', A);
  const { S } = svd(A, { vectors: false });
  if (S.length === 0) return 0;
  const smin = S[S.length - 1];
  return smin === 0 ? Infinity : S[0] / smin;
}

/**
 * The thin Q = H₀ H₁ ⋯ H_{n−1} [I; 0] (m×n, column-major) of Householder
 * reflectors H_k = I − τ_k v_k v_kᵀ stored below the diagonal of column k of
 * `a` (v_k = [0…0, 1, a_{k+1,k}, …, a_{m−1,k}]), accumulated backwards.
 */
function thinQ(a: Float64Array, m: number, n: number, tau: Float64Array): Float64Array {
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j + j * m] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const tk = tau[k];
    if (tk === 0) continue;
    const ok = k * m;
    for (let j = k; j < n; j++) {
      const oj = j * m;
      let s = q[oj + k];
      for (let i = k + 1; i < m; i++) s += a[ok + i] * q[oj + i];
      s *= tk;
      q[oj + k] -= s;
      for (let i = k + 1; i < m; i++) q[oj + i] -= s * a[ok + i];
    }
  }
  return q;
}
