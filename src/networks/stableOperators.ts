/**
 * Operator wrappers for stable architectures (Haber & Ruthotto 2017, "Stable
 * architectures for deep neural networks", §3): the transpose K(θ)ᵀ (for the
 * Hamiltonian network's second equation) and the damped antisymmetric
 * K(θ) − K(θ)ᵀ − γI (eigenvalues with real part −γ ≤ 0, so forward Euler on
 * dY/dt = (K − Kᵀ − γI)Y is stable for small h when γ > 0).
 */
import { checkMatrix64, checkNumber, checkVector, fail } from '../core/errors.js';
import { columnMajorData, ensureColumnMajor, matrix, type Matrix } from '../core/matrix.js';
import { antisymmetric } from '../operators/antisymmetric.js';
import type { ParametricOperator } from '../operators/types.js';
import { checkOperator } from '../layers/checks.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

function requireLinear(fn: string, op: ParametricOperator): void {
  if (op.linear === false) fail(fn, `op ${op.name} is not linear in θ; only operators K(θ) = mat(Qθ) are supported`);
}

/** Entry checks with the wrapper's own names: θ length, rows of Y (nIn) or Z (nOut), matching columns. */
function checker(fn: string, nTheta: number, nIn: number, nOut: number) {
  const rows = (label: string, M: unknown, r: number): Matrix => {
    const m = checkMatrix64(fn, label, M);
    if (m.shape[0] !== r) fail(fn, `${label} has ${m.shape[0]} rows, expected ${r}`);
    return m;
  };
  return {
    theta: (t: unknown, label = 'theta') => checkVector(fn, label, t, nTheta),
    Y: (Y: unknown) => rows('Y', Y, nIn),
    Z: (Z: unknown) => rows('Z', Z, nOut),
    pair: (Z: unknown, Y: unknown) => {
      const z = rows('Z', Z, nOut), y = rows('Y', Y, nIn);
      if (z.shape[1] !== y.shape[1]) fail(fn, `Z has ${z.shape[1]} columns but Y has ${y.shape[1]}`);
    },
  };
}

/** out ← out + a·X on contiguous data of a fresh result matrix. */
function axpyInto(out: Matrix, a: number, X: Matrix): Matrix {
  const o = out.data, x = columnMajorData(X);
  for (let k = 0; k < o.length; k++) o[k] += a * x[k];
  return out;
}

/**
 * The transposed operator K̃(θ) = K(θ)ᵀ: nIn ↔ nOut swapped, same θ.
 * Products (K linear in θ): K̃ Y = Kᵀ Y, K̃ᵀ Z = K Z, J_θ(K̃Y)dθ = K(dθ)ᵀ Y,
 * J_θ(K̃Y)ᵀ Z = ∂_θ⟨Z, K(θ)ᵀY⟩ = ∂_θ⟨Y, K(θ)Z⟩ = op.vjp(Y, Z).
 * @param op a linear parametric operator K(θ), nOut × nIn
 * @returns K(θ)ᵀ as a parametric operator, nIn' = op.nOut, nOut' = op.nIn
 * @throws if op is not a ParametricOperator or is nonlinear in θ (e.g. separable convolutions)
 * @example transposedOperator(dense(3, 2)).nIn // 3
 */
export function transposedOperator(op: ParametricOperator): ParametricOperator {
  const fn = 'transposedOperator';
  checkOperator(fn, op);
  requireLinear(fn, op);
  const c = checker(fn, op.nTheta, op.nOut, op.nIn);
  const t: ParametricOperator = {
    name: `transpose(${op.name})`,
    nIn: op.nOut,
    nOut: op.nIn,
    nTheta: op.nTheta,
    linear: true,
    apply: (theta, Y) => (c.theta(theta), c.Y(Y), op.applyTranspose(theta, Y)),
    applyTranspose: (theta, Z) => (c.theta(theta), c.Z(Z), op.apply(theta, Z)),
    jvp: (dTheta, Y) => (c.theta(dTheta, 'dTheta'), c.Y(Y), op.applyTranspose(dTheta, Y)),
    vjp: (Z, Y) => (c.pair(Z, Y), op.vjp(Y, Z)),
    jvpAt: (theta, dTheta, Y) => (c.theta(theta), c.theta(dTheta, 'dTheta'), c.Y(Y), op.applyTranspose(dTheta, Y)),
    vjpAt: (theta, Z, Y) => (c.theta(theta), c.pair(Z, Y), op.vjp(Y, Z)),
    toDense: (theta) => {
      const D = op.toDense(theta);
      const [r, q] = D.shape;
      const d = columnMajorData(D);
      const out = new Float64Array(r * q);
      for (let j = 0; j < q; j++) for (let i = 0; i < r; i++) out[j + i * q] = d[i + j * r];
      return matrix(q, r, out);
    },
  };
  return withSpec(t, 'transposedOperator', [op]);
}

/** Options of {@link dampedAntisymmetric}. */
export interface DampedAntisymmetricOptions {
  /** Damping γ ≥ 0 (default 0): the operator is A(θ) − γI. */
  gamma?: number;
}

/**
 * The damped antisymmetric operator A(θ) − γI, with A(θ) = K(θ) − K(θ)ᵀ for a
 * square linear operator K (e.g. a periodic convolution), or A(θ) the
 * {@link antisymmetric}(n) operator (upper triangle θ row by row) when a size
 * n is given. A(θ)ᵀ = −A(θ), so every eigenvalue of A − γI has real part −γ
 * and those of diag(a)(A − γI) with a > 0 real part in [−γ max a, −γ min a]
 * (diag(a)A is similar to the antisymmetric diag(a)^{1/2} A diag(a)^{1/2}).
 * For γ > 0 the operator is affine in θ (flagged `linear: false`, so layers
 * use jvpAt/vjpAt); its Jacobian is that of A:
 * J_θ((A − γI)Y)dθ = A(dθ)Y; for A = K − Kᵀ, A(dθ)Y = K(dθ)Y − K(dθ)ᵀY and
 * J_θᵀ Z = op.vjp(Z, Y) − op.vjp(Y, Z).
 * @param opOrN a square linear parametric operator K, or n for antisymmetric(n)
 * @param options `{ gamma = 0 }`
 * @returns the operator (n × n, nTheta of K or n(n−1)/2)
 * @throws if K is not square or not linear in θ, or γ < 0
 * @example dampedAntisymmetric(2, { gamma: 0.1 }).toDense(Float64Array.of(1)) // [[-0.1, 1], [-1, -0.1]]
 */
export function dampedAntisymmetric(opOrN: ParametricOperator | number, options: DampedAntisymmetricOptions = {}): ParametricOperator {
  const fn = 'dampedAntisymmetric';
  checkOptions(fn, options, ['gamma']);
  const gamma = checkNumber(fn, 'gamma', options.gamma ?? 0, { min: 0 });
  let base: ParametricOperator;
  let fromK: boolean;
  if (typeof opOrN === 'number') {
    base = antisymmetric(opOrN);
    fromK = false;
  } else {
    base = checkOperator(fn, opOrN);
    requireLinear(fn, base);
    if (base.nIn !== base.nOut) fail(fn, `op ${base.name} is ${base.nOut}×${base.nIn}, expected a square operator`);
    fromK = true;
  }
  const n = base.nIn;
  const c = checker(fn, base.nTheta, n, n);
  // A(θ)Y (without the shift) as a fresh matrix.
  const applyA = (theta: Float64Array, Y: Matrix): Matrix => {
    if (!fromK) return ensureFresh(base.apply(theta, Y), Y);
    return axpyInto(ensureFresh(base.apply(theta, Y), Y), -1, base.applyTranspose(theta, Y));
  };
  const op: ParametricOperator = {
    name: `${fromK ? `skew(${base.name})` : base.name}${gamma > 0 ? ` − ${gamma}I` : ''}`,
    nIn: n,
    nOut: n,
    nTheta: base.nTheta,
    // With γ > 0 the operator is affine, not mat(Qθ): flagged nonlinear so that
    // callers use jvpAt/vjpAt (jvp/vjp work too: the Jacobian does not depend on θ).
    linear: gamma === 0,
    apply: (theta, Y) => {
      c.theta(theta);
      c.Y(Y);
      return gamma === 0 ? applyA(theta, Y) : axpyInto(applyA(theta, Y), -gamma, Y);
    },
    // (A − γI)ᵀ = −A − γI.
    applyTranspose: (theta, Z) => {
      c.theta(theta);
      c.Z(Z);
      const M = applyA(theta, Z);
      const m = M.data;
      for (let k = 0; k < m.length; k++) m[k] = -m[k];
      return gamma === 0 ? M : axpyInto(M, -gamma, Z);
    },
    jvp: (dTheta, Y) => (c.theta(dTheta, 'dTheta'), c.Y(Y), applyA(dTheta, Y)),
    jvpAt: (theta, dTheta, Y) => (c.theta(theta), c.theta(dTheta, 'dTheta'), c.Y(Y), applyA(dTheta, Y)),
    vjp: (Z, Y) => (c.pair(Z, Y), vjpA(Z, Y)),
    vjpAt: (theta, Z, Y) => (c.theta(theta), c.pair(Z, Y), vjpA(Z, Y)),
    toDense: (theta) => {
      c.theta(theta);
      const D = ensureFresh(base.toDense(theta), null);
      const d = D.data;
      if (fromK) {
        const T = Float64Array.from(d);
        for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) d[i + j * n] = T[i + j * n] - T[j + i * n];
      }
      for (let i = 0; i < n; i++) d[i + i * n] -= gamma;
      return D;
    },
  };
  function vjpA(Z: Matrix, Y: Matrix): Float64Array {
    const g = base.vjp(Z, Y);
    if (!fromK) return g;
    const g2 = base.vjp(Y, Z);
    const out = Float64Array.from(g);
    for (let k = 0; k < out.length; k++) out[k] -= g2[k];
    return out;
  }
  return withSpec(op, 'dampedAntisymmetric', [opOrN, options]);
}

/** M as a fresh contiguous matrix that shares no storage with `avoid`. */
function ensureFresh(M: Matrix, avoid: Matrix | null): Matrix {
  const C = ensureColumnMajor(M);
  if (avoid && C.data === avoid.data) return matrix(C.shape[0], C.shape[1], Float64Array.from(C.data));
  return C;
}
