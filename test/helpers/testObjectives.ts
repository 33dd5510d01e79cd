/**
 * Small objectives with known answers for the optimizer tests and the
 * separable least-squares example: Rosenbrock, a quadratic with prescribed
 * eigenvalues, linear least squares over examples, softmax regression, and
 * exponential fitting as a full (θ, w) and a VarPro-reduced (θ) problem.
 * Plus wrappers that break an objective on purpose (wrong gradient sign, NaN).
 * All follow the `Objective` contract; test-only (dense, plain loops).
 */
import type { Evaluation, EvaluateOptions, Objective } from '../../src/objectives/types.js';
import { createRng, type Rng } from '../../src/core/rng.js';
import { matrix, type Matrix } from '../../src/core/matrix.js';
import { cgls } from '../../src/core/solvers/cgls.js';

const EMPTY = new Float64Array(0);

/**
 * Rosenbrock f(x) = 100 (x₂ − x₁²)² + (1 − x₁)², minimum 0 at (1, 1), with
 * its exact Hessian mat-vec.
 */
export function rosenbrock(): Objective {
  return {
    nParams: 2,
    evaluate(x: Float64Array, _batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      const [a, b] = x;
      const r = b - a * a;
      const value = 100 * r * r + (1 - a) * (1 - a);
      if (opts?.valueOnly) return { value, gradient: EMPTY };
      const gradient = new Float64Array([-400 * a * r - 2 * (1 - a), 200 * r]);
      const h11 = 1200 * a * a - 400 * b + 2, h12 = -400 * a, h22 = 200;
      const hessian = (v: Float64Array) => new Float64Array([h11 * v[0] + h12 * v[1], h12 * v[0] + h22 * v[1]]);
      return { value, gradient, hessian };
    },
  };
}

/** y ← (I − 2uuᵀ/uᵀu) y in place. */
function reflect(u: Float64Array, uu: number, y: Float64Array): void {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += u[i] * y[i];
  const c = (2 * s) / uu;
  for (let i = 0; i < y.length; i++) y[i] -= c * u[i];
}

/** A quadratic with known minimiser, see {@link quadratic}. */
export interface QuadraticProblem {
  objective: Objective;
  /** A⁻¹ b. */
  solution: Float64Array;
  /** A v. */
  apply(v: Float64Array): Float64Array;
}

/**
 * f(x) = ½ xᵀA x − bᵀx with A = Q diag(λ) Qᵀ, Q a product of three random
 * Householder reflections (so A is dense but its eigenvalues are exactly λ),
 * b random. CG on A converges in as many steps as λ has distinct values.
 */
export function quadratic(eigenvalues: number[], rng: Rng): QuadraticProblem {
  const n = eigenvalues.length;
  const us = [0, 1, 2].map(() => rng.normalArray(n));
  const uus = us.map((u) => u.reduce((s, v) => s + v * v, 0));
  // Q v = H₀ H₁ H₂ v, Qᵀ v = H₂ H₁ H₀ v (each reflection is symmetric).
  const Q = (v: Float64Array) => { const y = Float64Array.from(v); for (let k = 2; k >= 0; k--) reflect(us[k], uus[k], y); return y; };
  const QT = (v: Float64Array) => { const y = Float64Array.from(v); for (let k = 0; k <= 2; k++) reflect(us[k], uus[k], y); return y; };
  const scaleBy = (d: (l: number) => number) => (v: Float64Array) => {
    const y = QT(v);
    for (let i = 0; i < n; i++) y[i] *= d(eigenvalues[i]);
    return Q(y);
  };
  const apply = scaleBy((l) => l);
  const b = rng.normalArray(n);
  const solution = scaleBy((l) => 1 / l)(b);
  const objective: Objective = {
    nParams: n,
    evaluate(x, _batch, opts) {
      const Ax = apply(x);
      let value = 0;
      for (let i = 0; i < n; i++) value += 0.5 * x[i] * Ax[i] - b[i] * x[i];
      if (opts?.valueOnly) return { value, gradient: EMPTY };
      const gradient = new Float64Array(n);
      for (let i = 0; i < n; i++) gradient[i] = Ax[i] - b[i];
      return { value, gradient, hessian: apply };
    },
  };
  return { objective, solution, apply };
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * Linear least squares over the rows (examples) of A (m × n, column-major):
 * f(x; B) = 1/(2|B|) Σ_{i∈B} (a_iᵀx − b_i)², the mean over the batch B (all
 * rows by default), so every batch estimates the same function; its minimiser
 * over all rows is the least-squares solution of A x ≈ b.
 */
export function linearLeastSquares(A: Matrix, b: Float64Array): Objective {
  const [m, n] = A.shape;
  const a = A.data;
  const rowDot = (i: number, x: Float64Array) => { let s = 0; for (let j = 0; j < n; j++) s += a[i + j * m] * x[j]; return s; };
  return {
    nParams: n,
    nData: m,
    evaluate(x, batch, opts) {
      const idx = batch ?? allIndices(m);
      const nb = idx.length;
      const r = new Float64Array(nb);
      let value = 0;
      for (let k = 0; k < nb; k++) {
        r[k] = rowDot(idx[k], x) - b[idx[k]];
        value += r[k] * r[k];
      }
      value /= 2 * nb;
      if (opts?.valueOnly) return { value, gradient: EMPTY };
      const gradient = new Float64Array(n);
      for (let k = 0; k < nb; k++) for (let j = 0; j < n; j++) gradient[j] += (a[idx[k] + j * m] * r[k]) / nb;
      const hessian = (v: Float64Array) => {
        const out = new Float64Array(n);
        for (let k = 0; k < nb; k++) {
          const av = rowDot(idx[k], v) / nb;
          for (let j = 0; j < n; j++) out[j] += a[idx[k] + j * m] * av;
        }
        return out;
      };
      return { value, gradient, hessian };
    },
  };
}

/**
 * Softmax (multinomial logistic) regression, convex for λ > 0:
 * S = W [Y; 1ᵀ] with W nc × (nf+1), x = vec(W) (column-major, bias column
 * last), f(x; B) = (1/|B|) Σ_{j∈B} (log Σ_i exp S_ij − Σ_i C_ij S_ij) + (λ/2)‖W‖²,
 * exact Hessian mat-vec; `info.accuracy` on the batch.
 */
export function softmaxRegression(Y: Matrix, C: Matrix, lambda: number): Objective {
  const [nf, n] = Y.shape;
  const nc = C.shape[0];
  const nw = nf + 1;
  const y = Y.data, c = C.data;
  const feat = (i: number, j: number) => (i < nf ? y[i + j * nf] : 1);
  return {
    nParams: nc * nw,
    nData: n,
    evaluate(x, batch, opts) {
      const idx = batch ?? allIndices(n);
      const nb = idx.length;
      const P = new Float64Array(nc * nb); // softmax probabilities, column k for example idx[k]
      let value = 0, correct = 0;
      for (let k = 0; k < nb; k++) {
        const j = idx[k];
        let mx = -Infinity, am = 0, cm = 0;
        for (let r = 0; r < nc; r++) {
          let s = 0;
          for (let i = 0; i < nw; i++) s += x[r + i * nc] * feat(i, j);
          P[r + k * nc] = s;
          if (s > mx) { mx = s; am = r; }
          if (c[r + j * nc] > c[cm + j * nc]) cm = r;
        }
        if (am === cm) correct++;
        // log-sum-exp stabilised by the column maximum.
        let se = 0;
        for (let r = 0; r < nc; r++) se += Math.exp(P[r + k * nc] - mx);
        const lse = mx + Math.log(se);
        for (let r = 0; r < nc; r++) {
          value -= c[r + j * nc] * P[r + k * nc];
          P[r + k * nc] = Math.exp(P[r + k * nc] - lse);
        }
        value += lse;
      }
      value /= nb;
      let ww = 0;
      for (let i = 0; i < x.length; i++) ww += x[i] * x[i];
      value += 0.5 * lambda * ww;
      const info = { accuracy: correct / nb };
      if (opts?.valueOnly) return { value, gradient: EMPTY, info };
      const gradient = new Float64Array(nc * nw);
      for (let k = 0; k < nb; k++) {
        const j = idx[k];
        for (let r = 0; r < nc; r++) {
          const d = (P[r + k * nc] - c[r + j * nc]) / nb;
          for (let i = 0; i < nw; i++) gradient[r + i * nc] += d * feat(i, j);
        }
      }
      for (let i = 0; i < x.length; i++) gradient[i] += lambda * x[i];
      const hessian = (v: Float64Array) => {
        const out = new Float64Array(nc * nw);
        const dS = new Float64Array(nc);
        for (let k = 0; k < nb; k++) {
          const j = idx[k];
          let pd = 0;
          for (let r = 0; r < nc; r++) {
            let s = 0;
            for (let i = 0; i < nw; i++) s += v[r + i * nc] * feat(i, j);
            dS[r] = s;
            pd += P[r + k * nc] * s;
          }
          // (diag(p) − p pᵀ) dS
          for (let r = 0; r < nc; r++) {
            const h = (P[r + k * nc] * (dS[r] - pd)) / nb;
            for (let i = 0; i < nw; i++) out[r + i * nc] += h * feat(i, j);
          }
        }
        for (let i = 0; i < v.length; i++) out[i] += lambda * v[i];
        return out;
      };
      return { value, gradient, hessian, info };
    },
  };
}

/** Data and objectives of the exponential-fitting problem, see {@link exponentialFitting}. */
export interface ExponentialFitting {
  /** Sample times t (length m). */
  t: Float64Array;
  /** Observations y (length m). */
  y: Float64Array;
  /** Number of exponentials p. */
  p: number;
  /** The full objective in x = [θ; w] (length 2p), with the Gauss-Newton mat-vec. */
  full: Objective;
  /** The VarPro-reduced objective in θ (length p): w eliminated in closed form. */
  reduced: Objective;
  /** w(θ) = argmin_w ‖A(θ) w − y‖ on all data. */
  solveW(theta: Float64Array): Float64Array;
}

/** Options of {@link exponentialFitting}. */
export interface ExponentialFittingOptions {
  /** Number of samples (default 100). */
  m?: number;
  /** Last sample time; t is uniform on [0, tMax] (default 4). */
  tMax?: number;
  /** True decay rates (default [0.4, 2.5]). */
  theta?: number[];
  /** True weights (default [1, 2]). */
  w?: number[];
  /** Standard deviation of the noise on y (default 1e-3). */
  noise?: number;
}

/**
 * Separable nonlinear least squares: fit y_i ≈ Σ_j w_j exp(−θ_j t_i), i.e.
 * r(θ, w) = A(θ) w − y with A_ij = exp(−θ_j t_i), f = 1/(2|B|) ‖r_B‖² over a
 * batch B of samples (all by default).
 *
 * `full`: x = [θ; w], gradient Jᵀr/|B|, Gauss-Newton JᵀJ v/|B| with
 * J = [∂(A w)/∂θ, A], ∂(A w)/∂θ_j = −w_j t ∘ exp(−θ_j t).
 *
 * `reduced` (VarPro): w(θ) = A⁺y by a Householder-free modified Gram–Schmidt
 * QR of A (twice, for orthogonality), φ(θ) = ‖P⊥y‖²/(2|B|) with P⊥ = I − QQᵀ;
 * gradient J_θᵀ r/|B| at w(θ) (exact since ∂f/∂w = 0 there); Gauss-Newton
 * mat-vec J_θᵀ P⊥ J_θ v/|B| (Kaufman's approximation of the reduced Jacobian
 * P⊥J_θ). `info.innerIterations = 1`: one direct least-squares solve.
 */
export function exponentialFitting(rng: Rng, opts: ExponentialFittingOptions = {}): ExponentialFitting {
  const m = opts.m ?? 100;
  const tMax = opts.tMax ?? 4;
  const thetaTrue = opts.theta ?? [0.4, 2.5];
  const wTrue = opts.w ?? [1, 2];
  const noise = opts.noise ?? 1e-3;
  const p = thetaTrue.length;
  const t = Float64Array.from({ length: m }, (_, i) => (tMax * i) / (m - 1));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) y[i] += wTrue[j] * Math.exp(-thetaTrue[j] * t[i]);
    y[i] += noise * rng.normal();
  }

  /** E_kj = exp(−θ_j t_{idx[k]}), column-major nb × p. */
  const expMatrix = (theta: ArrayLike<number>, idx: ArrayLike<number>) => {
    const nb = idx.length;
    const E = new Float64Array(nb * p);
    for (let j = 0; j < p; j++) for (let k = 0; k < nb; k++) E[k + j * nb] = Math.exp(-theta[j] * t[idx[k]]);
    return E;
  };
  /** J_θ v = Σ_j −w_j v_j t ∘ e_j. */
  const jthetaApply = (E: Float64Array, w: ArrayLike<number>, idx: ArrayLike<number>, v: ArrayLike<number>) => {
    const nb = idx.length;
    const out = new Float64Array(nb);
    for (let j = 0; j < p; j++) for (let k = 0; k < nb; k++) out[k] -= w[j] * v[j] * t[idx[k]] * E[k + j * nb];
    return out;
  };
  /** J_θᵀ r: entry j = −w_j Σ_k t_k e_kj r_k. */
  const jthetaT = (E: Float64Array, w: ArrayLike<number>, idx: ArrayLike<number>, r: Float64Array) => {
    const nb = idx.length;
    const out = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < nb; k++) s += t[idx[k]] * E[k + j * nb] * r[k];
      out[j] = -w[j] * s;
    }
    return out;
  };
  const EaT = (E: Float64Array, nb: number, r: Float64Array) => {
    const out = new Float64Array(p);
    for (let j = 0; j < p; j++) { let s = 0; for (let k = 0; k < nb; k++) s += E[k + j * nb] * r[k]; out[j] = s; }
    return out;
  };
  const Ea = (E: Float64Array, nb: number, w: ArrayLike<number>) => {
    const out = new Float64Array(nb);
    for (let j = 0; j < p; j++) for (let k = 0; k < nb; k++) out[k] += E[k + j * nb] * w[j];
    return out;
  };

  const full: Objective = {
    nParams: 2 * p,
    nData: m,
    evaluate(x, batch, eo) {
      const idx = batch ?? allIndices(m);
      const nb = idx.length;
      const theta = x.subarray(0, p), w = x.subarray(p);
      const E = expMatrix(theta, idx);
      const r = Ea(E, nb, w);
      for (let k = 0; k < nb; k++) r[k] -= y[idx[k]];
      let value = 0;
      for (let k = 0; k < nb; k++) value += r[k] * r[k];
      value /= 2 * nb;
      if (eo?.valueOnly) return { value, gradient: EMPTY };
      const gradient = new Float64Array(2 * p);
      gradient.set(jthetaT(E, w, idx, r), 0);
      gradient.set(EaT(E, nb, r), p);
      for (let i = 0; i < 2 * p; i++) gradient[i] /= nb;
      const hessian = (v: Float64Array) => {
        const Jv = jthetaApply(E, w, idx, v.subarray(0, p));
        const Av = Ea(E, nb, v.subarray(p));
        for (let k = 0; k < nb; k++) Jv[k] += Av[k];
        const out = new Float64Array(2 * p);
        out.set(jthetaT(E, w, idx, Jv), 0);
        out.set(EaT(E, nb, Jv), p);
        for (let i = 0; i < 2 * p; i++) out[i] /= nb;
        return out;
      };
      return { value, gradient, hessian };
    },
  };

  /** Thin QR of E (nb × p) by modified Gram–Schmidt, applied twice; returns Q (nb × p) and R (p × p, column-major). */
  const qr = (E: Float64Array, nb: number) => {
    const Q = Float64Array.from(E);
    const R = new Float64Array(p * p);
    for (let j = 0; j < p; j++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          let s = 0;
          for (let k = 0; k < nb; k++) s += Q[k + i * nb] * Q[k + j * nb];
          R[i + j * p] += s;
          for (let k = 0; k < nb; k++) Q[k + j * nb] -= s * Q[k + i * nb];
        }
      }
      let nrm = 0;
      for (let k = 0; k < nb; k++) nrm += Q[k + j * nb] ** 2;
      nrm = Math.sqrt(nrm);
      R[j + j * p] = nrm;
      for (let k = 0; k < nb; k++) Q[k + j * nb] /= nrm;
    }
    return { Q, R };
  };
  const project = (Q: Float64Array, nb: number, v: Float64Array) => {
    const out = Float64Array.from(v);
    const c = EaT(Q, nb, v);
    for (let j = 0; j < p; j++) for (let k = 0; k < nb; k++) out[k] -= Q[k + j * nb] * c[j];
    return out;
  };
  const innerSolve = (theta: ArrayLike<number>, idx: ArrayLike<number>) => {
    const nb = idx.length;
    const E = expMatrix(theta, idx);
    const { Q, R } = qr(E, nb);
    const yb = Float64Array.from(idx, (i) => y[i]);
    const c = EaT(Q, nb, yb);
    // Back substitution R w = Qᵀy.
    const w = new Float64Array(p);
    for (let j = p - 1; j >= 0; j--) {
      let s = c[j];
      for (let i = j + 1; i < p; i++) s -= R[j + i * p] * w[i];
      w[j] = s / R[j + j * p];
    }
    return { E, Q, w, yb, nb };
  };
  const reduced: Objective = {
    nParams: p,
    nData: m,
    evaluate(theta, batch, eo) {
      const idx = batch ?? allIndices(m);
      const { E, Q, w, yb, nb } = innerSolve(theta, idx);
      // r = A w − y = −P⊥ y.
      const r = project(Q, nb, yb);
      for (let k = 0; k < nb; k++) r[k] = -r[k];
      let value = 0;
      for (let k = 0; k < nb; k++) value += r[k] * r[k];
      value /= 2 * nb;
      const info = { innerIterations: 1 };
      if (eo?.valueOnly) return { value, gradient: EMPTY, info };
      const gradient = jthetaT(E, w, idx, r);
      for (let j = 0; j < p; j++) gradient[j] /= nb;
      const hessian = (v: Float64Array) => {
        const pj = project(Q, nb, jthetaApply(E, w, idx, v));
        const out = jthetaT(E, w, idx, pj);
        for (let j = 0; j < p; j++) out[j] /= nb;
        return out;
      };
      return { value, gradient, hessian, info };
    },
  };
  return { t, y, p, full, reduced, solveW: (theta) => innerSolve(theta, allIndices(m)).w };
}

/**
 * A noisy overdetermined linear least-squares problem (A m × n Gaussian,
 * b = A x_true + 0.1·noise) as {@link linearLeastSquares}, with its cgls solution.
 */
export function leastSquaresProblem(seed = 4, m = 400, n = 8) {
  const rng = createRng(seed);
  const A = matrix(m, n, rng.normalArray(m * n));
  const xTrue = rng.normalArray(n);
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) b[i] += A.data[i + j * m] * xTrue[j];
    b[i] += 0.1 * rng.normal();
  }
  const solution = cgls(A, b, { tol: 1e-14, maxIter: 10 * n }).x;
  const objective = linearLeastSquares(A, b);
  const fStar = objective.evaluate(solution).value;
  const relErr = (x: Float64Array) => Math.hypot(...Array.from(x, (v, i) => v - solution[i])) / Math.hypot(...solution);
  return { objective, solution, fStar, relErr, n };
}

/** The same objective with the gradient's sign flipped (a line search along "descent" cannot succeed). */
export function negatedGradient(objective: Objective): Objective {
  return {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x, batch, opts) {
      const ev = objective.evaluate(x, batch, opts);
      return { ...ev, gradient: ev.gradient.map((g) => -g) };
    },
  };
}

/** The same objective, except that every evaluation after the first `k` returns NaN (value and gradient). */
export function nanAfter(objective: Objective, k: number): Objective & { evaluations: number } {
  const o = {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluations: 0,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      o.evaluations++;
      const ev = objective.evaluate(x, batch, opts);
      if (o.evaluations <= k) return ev;
      return { ...ev, value: NaN, gradient: ev.gradient.map(() => NaN) };
    },
  };
  return o;
}
