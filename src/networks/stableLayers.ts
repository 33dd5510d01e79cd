/**
 * Right-hand sides F(θ, Y) of stable continuous-depth networks:
 * - the antisymmetric layer σ((A(θ) − γI)Y + b) (Haber & Ruthotto 2017,
 *   "Stable architectures for deep neural networks", §3.1): the Jacobian
 *   diag(σ')(A − γI) has eigenvalues with real part in [−γ max σ', −γ min σ'],
 *   so the forward dynamics neither blow up nor decay fast;
 * - the symmetric layer −K(θ)ᵀσ(K(θ)Y + b) (Ruthotto & Haber 2018, "Deep
 *   neural networks motivated by partial differential equations", §3.1, the
 *   parabolic CNN Y_{j+1} = Y_j − h K_jᵀσ(K_j Y_j + b_j)): its Jacobian
 *   −Kᵀ diag(σ') K is symmetric negative semi-definite for monotone σ — a
 *   nonlinear diffusion, stable for forward Euler when h ≤ 2/‖Kᵀdiag(σ')K‖₂.
 */
import { fail } from '../core/errors.js';
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkOperator, checkState, checkVjpArgs } from '../layers/checks.js';
import { singleLayer, type SingleLayerModel, type SingleLayerOptions, type SingleLayerState } from '../layers/singleLayer.js';
import type { ParametricOperator } from '../operators/types.js';
import { dampedAntisymmetric } from './stableOperators.js';
import type { Model, ModelState, ParamBlock } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** Options of {@link antisymmetricLayer}: those of {@link singleLayer} and the damping γ. */
export interface AntisymmetricLayerOptions extends SingleLayerOptions {
  /** Damping γ ≥ 0 (default 0). Haber & Ruthotto use a small γ so that forward Euler is stable. */
  gamma?: number;
}

/**
 * The antisymmetric layer F(θ, Y) = σ((A(θ) − γI) Y + b): a {@link singleLayer}
 * over {@link dampedAntisymmetric} — A = antisymmetric(n) for a size n, or
 * A = K(θ) − K(θ)ᵀ for a square operator K (e.g. a periodic conv2d with cin = cout).
 * Parameters x = [θ; b] as for any single layer.
 * @param opOrN n, or a square linear operator K
 * @param options `{ gamma = 0, activation = 'tanh', bias = 'scalar', initGain }`
 * @returns the layer (n → n)
 * @throws as {@link dampedAntisymmetric} and {@link singleLayer}
 * @example antisymmetricLayer(4, { gamma: 0.01, bias: 'vector' }).nParams // 6 + 4
 */
export function antisymmetricLayer(opOrN: ParametricOperator | number, options: AntisymmetricLayerOptions = {}): SingleLayerModel {
  checkOptions('antisymmetricLayer', options, ['gamma', 'activation', 'bias', 'initGain']);
  const { gamma, ...rest } = options;
  return withSpec(singleLayer(dampedAntisymmetric(opOrN, { gamma }), rest), 'antisymmetricLayer', [opOrN, options]);
}

/** What {@link symmetricLayer}'s forward keeps: the inner layer's state S = σ(KY + b), A = σ'(·). */
export interface SymmetricLayerState extends ModelState {
  /** F = −K(θ)ᵀ S, m × n. */
  output: Matrix;
  /** State of the inner single layer σ(K(θ)Y + b) (its output S, derivative A, input Y). */
  inner: SingleLayerState;
}

/** The symmetric layer as a {@link Model}. */
export interface SymmetricLayerModel extends Model<SymmetricLayerState> {
  readonly op: ParametricOperator;
  /** The inner layer σ(K(θ)Y + b). */
  readonly inner: SingleLayerModel;
}

/**
 * F(θ, Y) = −K(θ)ᵀ σ(K(θ) Y + b), x = [θ; b] (b as in {@link singleLayer}: per
 * row / channel of K Y). The right-hand side of the parabolic CNN
 * (forward Euler: Y_{j+1} = Y_j − h K_jᵀσ(K_jY_j + b_j)) and of the
 * hyperbolic CNN (Y'' = F). With S = σ(KY + b), A = σ'(KY + b):
 *   J_Y dY = −Kᵀ(A ∘ K dY)   (symmetric, ⪯ 0 when A ≥ 0),
 *   J_θ dθ = −K(dθ)ᵀ S − Kᵀ(A ∘ (K(dθ)Y + B db)),
 *   J_Yᵀ W = −Kᵀ(A ∘ K W),   J_θᵀ W = −op.vjp(S, W) − [op.vjp(A ∘ KW, Y); Bᵀ(A ∘ KW)].
 * @param op K(θ): m → c (linear in θ), e.g. conv2d([nx, ny], [3, 3, c, c2])
 * @param options as {@link singleLayer} (activation default tanh, bias default 'scalar')
 * @returns the model, m → m (m = op.nIn), nParams = op.nTheta + nBias
 * @throws if op is not a linear ParametricOperator
 * @example symmetricLayer(conv2d([8, 8], [3, 3, 2, 2], { boundary: 'periodic' }), { bias: 'vector' }).nIn // 128
 */
export function symmetricLayer(op: ParametricOperator, options: SingleLayerOptions = {}): SymmetricLayerModel {
  const fn = 'symmetricLayer';
  checkOptions(fn, options, ['activation', 'bias', 'initGain']);
  checkOperator(fn, op);
  if (op.linear === false) fail(fn, `op ${op.name} is not linear in θ; the symmetric layer needs K(dθ)ᵀ (use a linear operator)`);
  const inner = singleLayer(op, options);
  const nTheta = op.nTheta, nParams = inner.nParams, m = op.nIn;
  const neg = (M: Matrix): Float64Array => {
    const d = Float64Array.from(columnMajorData(M));
    for (let k = 0; k < d.length; k++) d[k] = -d[k];
    return d;
  };
  return withSpec({
    name: `symmetricLayer(${op.name}, ${inner.activation.name}, bias=${inner.biasKind})`,
    op,
    inner,
    nParams,
    nIn: m,
    nOut: m,
    stateBytesPerExample: inner.stateBytesPerExample + 8 * m,

    forward(x: Float64Array, Y: Matrix): SymmetricLayerState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, m);
      const s = inner.forward(x, Y);
      const out = neg(op.applyTranspose(x.subarray(0, nTheta), s.output));
      return { output: matrix(m, Y.shape[1], out), inner: s };
    },

    jvp(x: Float64Array, state: SymmetricLayerState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, m);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, m, n);
      const theta = x.subarray(0, nTheta);
      // −Kᵀ (A ∘ (K(dθ)Y + B db + K dY)) − K(dθ)ᵀ S
      const dS = inner.jvp(x, state.inner, dx, dY);
      const out = neg(op.applyTranspose(theta, dS));
      if (dx && nTheta > 0) {
        const t = columnMajorData(op.applyTranspose(dx.subarray(0, nTheta), state.inner.output));
        for (let k = 0; k < out.length; k++) out[k] -= t[k];
      }
      return matrix(m, n, out);
    },

    vjp(x: Float64Array, state: SymmetricLayerState, dZ: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.vjp`, state, m);
      checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, m, n);
      const theta = x.subarray(0, nTheta);
      // U = −W; the inner layer sees S̄ = K U, and K(dθ)ᵀS contributes ∂_θ⟨U, K(θ)ᵀS⟩ = op.vjp(S, U).
      const U = matrix(m, n, neg(dZ));
      const r = inner.vjp(x, state.inner, op.apply(theta, U));
      const dx = r.dx;
      if (nTheta > 0) {
        const g = op.vjp(state.inner.output, U);
        for (let k = 0; k < nTheta; k++) dx[k] += g[k];
      }
      return { dx, dY: r.dY };
    },

    initialize(rng: Rng): Float64Array {
      return inner.initialize(rng);
    },

    paramBlocks(): ParamBlock[] {
      return inner.paramBlocks();
    },
  }, 'symmetricLayer', [op, options]);
}

