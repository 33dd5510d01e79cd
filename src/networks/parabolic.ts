/**
 * The parabolic CNN of Ruthotto & Haber 2018, "Deep neural networks motivated
 * by partial differential equations", §3.1: the nonlinear diffusion
 *   dY/dt = −K(θ(t))ᵀ σ(K(θ(t)) Y + b(t)),
 * stable for monotone σ (its Jacobian −Kᵀdiag(σ')K is symmetric negative
 * semi-definite, ‖Y(t) − Ỹ(t)‖ does not grow), discretised by forward Euler:
 *   Y_{j+1} = Y_j − h K_jᵀ σ(K_j Y_j + b_j)
 * (or any other explicit Runge–Kutta method of {@link continuousResnet}).
 */
import { fail } from '../core/errors.js';
import type { SingleLayerOptions } from '../layers/singleLayer.js';
import type { ParametricOperator } from '../operators/types.js';
import { continuousResnet, type ContinuousResNetModel, type ContinuousResNetOptions } from './continuousResnet.js';
import { symmetricLayer } from './stableLayers.js';
import { checkOptions } from '../core/options.js';
import { recordFactory, withSpec } from '../core/spec.js';

/** Options of {@link parabolicNetwork}: the grid and integrator of {@link continuousResnet} and the layer options. */
export interface ParabolicNetworkOptions extends ContinuousResNetOptions, SingleLayerOptions {}

/**
 * Y_{j+1} = Y_j − h K(θ_{k(j)})ᵀ σ(K(θ_{k(j)}) Y_j + b_{k(j)}), j = 0 … N−1 (forward
 * Euler by default): {@link continuousResnet} over {@link symmetricLayer}(K).
 * Forward Euler is stable when h·λ_max(Kᵀ diag(σ') K) ≤ 2 (for tanh, σ' ≤ 1,
 * h‖K‖₂² ≤ 2 suffices).
 * @param op K(θ) (or a factory `k => K_k`), linear in θ, e.g. a conv2d with cin = cout or a channel-changing conv
 * @param options `{ T | h, steps, weights, integrator, opening, activation, bias, initGain }`
 * @returns the network (a {@link ContinuousResNetModel})
 * @throws as {@link symmetricLayer} and {@link continuousResnet}
 * @example
 * const net = parabolicNetwork(conv2d([8, 8], [3, 3, 2, 2], { boundary: 'zero' }), { T: 1, steps: 4, bias: 'vector' });
 * net.nParams // 4 × (36 + 2)
 */
export function parabolicNetwork(op: ParametricOperator | ((k: number) => ParametricOperator), options: ParabolicNetworkOptions): ContinuousResNetModel {
  const fn = 'parabolicNetwork';
  checkOptions(fn, options, ['T', 'h', 'steps', 'weights', 'integrator', 'opening', 'activation', 'bias', 'initGain']);
  if (!options || typeof options !== 'object') fail(fn, 'options must be an object { T | h, steps, weights, … }');
  const { activation, bias, initGain, ...grid } = options;
  const layerOpts: SingleLayerOptions = { activation, bias, initGain };
  // The spec records the operators a factory returned (k => ops[k] when loaded).
  const factory = recordFactory(op);
  const ops = factory.arg;
  const layer = typeof ops === 'function' ? (k: number) => symmetricLayer(ops(k), layerOpts) : symmetricLayer(ops, layerOpts);
  return withSpec(continuousResnet(layer, grid), 'parabolicNetwork', [factory.recorded(), options]);
}
